variable "location" {
  type    = string
  default = "westus"
}

resource "rg" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups"
  api_version = "2021-04-01"
  body        = { location = var.location }
}

resource "registry" {
  id          = "${resource.rg.id}/providers/Microsoft.ContainerRegistry/registries/acr"
  api_version = "yesterday"
  body        = "not an object"
}

resource "vault" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/kv/providers/Microsoft.KeyVault/vaults/v"
  api_version = "2023-07-01"
  body        = { location = var.location, properties = { tenantId = var.tenant } }
}
