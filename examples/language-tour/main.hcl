# A virtual network with one subnet per tier, network security groups made
# from a JSON file, and a storage account per region, on azapply's embedded
# emulator: no Azure account needed. It shows the language: variables,
# locals, for_each, count, functions, depends_on, settings and outputs.

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
  validation {
    condition     = length(var.location) > 0 && lower(var.location) == var.location
    error_message = "location is a lower-case Azure region name, like westus."
  }
}

variable "tiers" {
  description = "One subnet (and security group) per tier."
  type        = list(string)
  default     = ["web", "app", "db"]
}

variable "regions" {
  type    = number
  default = 2
}

locals {
  rg_id         = "/subscriptions/${var.subscription_id}/resourceGroups/network-demo"
  address_space = "10.20.0.0/16"
  tags          = { env = "demo", owner = "platform" }
}

resource "rg" {
  id          = local.rg_id
  api_version = "2021-04-01"
  body        = { location = var.location, tags = local.tags }
}

resource "vnet" {
  id          = "${resource.rg.id}/providers/Microsoft.Network/virtualNetworks/demo-vnet"
  api_version = "2023-09-01"
  body = {
    location = var.location
    tags     = local.tags
    properties = {
      addressSpace = { addressPrefixes = [local.address_space] }
    }
  }
  ignore_changes = ["properties.subnets"] # managed by resource.subnet below
  timeouts {
    create = "15m"
  }
}

resource "nsg" {
  for_each    = toset(var.tiers)
  id          = "${resource.rg.id}/providers/Microsoft.Network/networkSecurityGroups/${each.key}-nsg"
  api_version = "2023-09-01"
  body = merge(jsondecode(file("nsg.json")), {
    location = var.location
    tags     = merge(local.tags, { tier = each.key })
  })
  array_keys = { "properties.securityRules" = "name" }
}

resource "subnet" {
  for_each    = { for i, tier in var.tiers : tier => cidrsubnet(local.address_space, 8, i + 1) }
  id          = "${resource.vnet.id}/subnets/${each.key}"
  api_version = "2023-09-01"
  body = {
    properties = {
      addressPrefix        = each.value
      networkSecurityGroup = { id = resource.nsg[each.key].id }
    }
  }
}

resource "storage" {
  count       = var.regions
  id          = "${resource.rg.id}/providers/Microsoft.Storage/storageAccounts/demostore${count.index}"
  api_version = "2023-05-01"
  body = {
    location   = var.location
    kind       = "StorageV2"
    sku        = { name = "Standard_LRS" }
    properties = { minimumTlsVersion = "TLS1_2" }
  }
  prevent_destroy = true
  depends_on      = [resource.vnet]
}

output "subnet_ids" {
  value = [for s in resource.subnet : s.id]
}
