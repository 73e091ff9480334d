# The container registry walk-through, to its end: create a registry, read
# its admin credentials with listCredentials, and give them to a container
# group that pulls its image from the registry.
#   create        PUT   .../registries/{name}                   (apply)
#   credentials   POST  .../registries/{name}/listCredentials   (the data block, every plan)
#   run an image  PUT   .../containerGroups/{name}              (apply)
#
# listCredentials only reads, so a data block runs it (method = "POST") when
# planning: its answer is known in the plan, and a second plan is clean. The
# password in it is a secret by name (passwords[*].value): every plan prints
# (sensitive), and the state keeps only a salted hash of it.

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

resource "rg" {
  id          = "/subscriptions/${var.subscription_id}/resourceGroups/acr-credentials"
  api_version = "2021-04-01"
  body        = { location = var.location }
}

resource "registry" {
  id          = "${resource.rg.id}/providers/Microsoft.ContainerRegistry/registries/azapplycreds"
  api_version = "2023-07-01"
  body = {
    location   = var.location
    sku        = { name = "Basic" }
    properties = { adminUserEnabled = true }
  }
}

data "credentials" {
  id          = "${resource.registry.id}/listCredentials"
  api_version = "2023-07-01"
  method      = "POST"
  depends_on  = [resource.registry]
}

resource "app" {
  id          = "${resource.rg.id}/providers/Microsoft.ContainerInstance/containerGroups/acr-app"
  api_version = "2023-05-01"
  body = {
    location = var.location
    properties = {
      osType = "Linux"
      containers = [{
        name = "app"
        properties = {
          image     = "${resource.registry.output.properties.loginServer}/app:v1"
          resources = { requests = { cpu = 1, memoryInGB = 1.5 } }
        }
      }]
      imageRegistryCredentials = [{
        server   = resource.registry.output.properties.loginServer
        username = data.credentials.output.username
        password = data.credentials.output.passwords[0].value
      }]
    }
  }
}

output "login_server" {
  value = resource.registry.output.properties.loginServer
}

output "username" {
  value = data.credentials.output.username
}
