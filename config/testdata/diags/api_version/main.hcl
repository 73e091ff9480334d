resource "latest" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/a"
  api_version = "latest"
}

resource "short_date" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/b"
  api_version = "2021-4-1"
}

resource "missing" {
  id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/c"
}
