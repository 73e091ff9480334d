resource "list" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/a"
  api_version = "2021-04-01"
  body        = ["westus"]
}

resource "string" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/b"
  api_version = "2021-04-01"
  body        = "{\"location\": \"westus\"}"
}

resource "json_array" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/c"
  api_version = "2021-04-01"
  body        = jsondecode("[1, 2]")
}
