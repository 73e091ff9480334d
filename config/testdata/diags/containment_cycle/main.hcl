resource "rg" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo"
  api_version = "2021-04-01"
  body        = { location = "westus", tags = { vnet = resource.vnet.id } }
}

resource "vnet" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.Network/virtualNetworks/v"
  api_version = "2023-09-01"
}
