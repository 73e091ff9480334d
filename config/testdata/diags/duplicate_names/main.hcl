resource "rg" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo"
  api_version = "2021-04-01"
}
