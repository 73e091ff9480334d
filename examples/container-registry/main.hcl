# The Azure Container Registry `az rest` tutorial as one configuration:
#   create        PUT    .../registries/{name}                 (apply)
#   change sku    PATCH  .../registries/{name}                 (edit registry_sku, apply)
#   read back     GET    .../registries/{name}                 (the data block)
#   new password  POST   .../registries/{name}/regenerateCredential (the action)
#   delete        DELETE .../registries/{name}                 (remove the block, apply)

provider {
  subscription_id = var.subscription_id
  endpoint        = "emulator"
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
  type        = string
  default     = "Standard"
  description = "Basic, Standard or Premium"
}

locals {
  rg_id = "/subscriptions/${var.subscription_id}/resourceGroups/acr-tutorial"
}

resource "rg" {
  id          = local.rg_id
  api_version = "2021-04-01"
  body        = { location = var.location }
}

resource "registry" {
  id            = "${resource.rg.id}/providers/Microsoft.ContainerRegistry/registries/azapplytutorial"
  api_version   = "2023-07-01"
  update_method = "PATCH"
  body = {
    location   = var.location
    sku        = { name = var.registry_sku }
    properties = { adminUserEnabled = true }
  }
}

data "registry" {
  id          = resource.registry.id
  api_version = "2023-07-01"
  depends_on  = [resource.registry]
}

action "regenerate_password" {
  id          = "${resource.registry.id}/regenerateCredential"
  api_version = "2023-07-01"
  body        = { name = "password" }
  when        = "create"
}

output "login_server" {
  value = resource.registry.output.properties.loginServer
}
