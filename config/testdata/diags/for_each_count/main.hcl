variable "names" {
  type    = list(string)
  default = ["a", "a"]
}

resource "both" {
  for_each    = toset(["x"])
  count       = 2
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/both"
  api_version = "2021-04-01"
}

resource "dupes" {
  for_each    = var.names
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${each.key}"
  api_version = "2021-04-01"
}

resource "negative" {
  count       = -1
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/n${count.index}"
  api_version = "2021-04-01"
}

resource "numbers" {
  for_each    = [1, 2]
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/n${each.key}"
  api_version = "2021-04-01"
}
