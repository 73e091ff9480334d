resource "a" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/a"
  api_version = "2021-04-01"
  body        = { tags = { peer = resource.b.id } }
}

resource "b" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/b"
  api_version = "2021-04-01"
  body        = { tags = { peer = local.c_id } }
}

locals {
  c_id = resource.c.id
}

resource "c" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/c"
  api_version = "2021-04-01"
  depends_on  = [resource.a]
}
