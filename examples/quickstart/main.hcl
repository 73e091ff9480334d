# A resource group and an Azure Container Registry, planned and applied
# against azapply's embedded emulator: no Azure account needed.

provider {
  subscription_id = var.subscription_id
  endpoint        = "emulator" # remove to use Azure itself
}

variable "subscription_id" {
  type    = string
  default = "00000000-0000-0000-0000-000000000000"
}

variable "location" {
  type    = string
  default = "westus"
}

variable "registry_sku" {
  type    = string
  default = "Standard"
}

resource "rg" {
  id          = "/subscriptions/${var.subscription_id}/resourceGroups/quickstart"
  api_version = "2021-04-01"
  body = {
    location = var.location
    tags     = { env = "demo" }
  }
}

resource "registry" {
  id          = "${resource.rg.id}/providers/Microsoft.ContainerRegistry/registries/quickstartacr"
  api_version = "2023-07-01"
  body = {
    location = var.location
    sku      = { name = var.registry_sku }
    properties = {
      adminUserEnabled = true
    }
  }
}
