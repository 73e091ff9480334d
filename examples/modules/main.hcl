# One module, instantiated for two environments: each gets its own
# resource group and container registry, named after it. Planned and
# applied against the embedded emulator: no Azure account needed.

provider {
  subscription_id = var.subscription_id
  endpoint        = "emulator" # remove to use Azure itself
}

variable "subscription_id" {
  type    = string
  default = "00000000-0000-0000-0000-000000000000"
}

variable "environments" {
  type = map(object({
    location = string
    sku      = string
  }))
  default = {
    dev  = { location = "westus", sku = "Basic" }
    prod = { location = "eastus", sku = "Standard" }
  }
}

module "app" {
  for_each = var.environments
  source   = "./modules/app"

  subscription_id = var.subscription_id
  name            = "modapp-${each.key}"
  location        = each.value.location
  registry_sku    = each.value.sku
}

output "login_servers" {
  value = { for env, app in module.app : env => app.login_server }
}
