# An app's resource group and the container registry inside it.

locals {
  registry_name = "${replace(var.name, "-", "")}acr"
}

resource "rg" {
  id          = "/subscriptions/${var.subscription_id}/resourceGroups/${var.name}"
  api_version = "2021-04-01"
  body = {
    location = var.location
    tags     = { app = var.name }
  }
}

resource "registry" {
  id          = "${resource.rg.id}/providers/Microsoft.ContainerRegistry/registries/${local.registry_name}"
  api_version = "2023-07-01"
  body = {
    location = var.location
    sku      = { name = var.registry_sku }
  }
}

output "group_id" {
  value = resource.rg.id
}

output "login_server" {
  value = resource.registry.output.properties.loginServer
}
