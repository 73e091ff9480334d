# A virtual network with subnets from a for_each, a network security group
# with rules, a public IP and a network interface that ties them together.

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
  default = "westeurope"
}

variable "subnets" {
  type = map(string)
  default = {
    app  = "10.20.1.0/24"
    data = "10.20.2.0/24"
    ops  = "10.20.3.0/24"
  }
}

locals {
  rg_id   = "/subscriptions/${var.subscription_id}/resourceGroups/network-demo"
  network = "/providers/Microsoft.Network"
}

resource "rg" {
  id          = local.rg_id
  api_version = "2021-04-01"
  body        = { location = var.location }
}

resource "nsg" {
  id          = "${resource.rg.id}${local.network}/networkSecurityGroups/app-nsg"
  api_version = "2024-07-01"
  body = {
    location = var.location
    properties = {
      securityRules = [
        {
          name = "allow-https"
          properties = {
            priority                 = 100
            direction                = "Inbound"
            access                   = "Allow"
            protocol                 = "Tcp"
            sourceAddressPrefix      = "*"
            sourcePortRange          = "*"
            destinationAddressPrefix = "*"
            destinationPortRange     = "443"
          }
        },
        {
          name = "deny-rdp"
          properties = {
            priority                 = 200
            direction                = "Inbound"
            access                   = "Deny"
            protocol                 = "Tcp"
            sourceAddressPrefix      = "Internet"
            sourcePortRange          = "*"
            destinationAddressPrefix = "*"
            destinationPortRange     = "3389"
          }
        },
      ]
    }
  }
}

resource "vnet" {
  id          = "${resource.rg.id}${local.network}/virtualNetworks/demo-vnet"
  api_version = "2024-07-01"
  body = {
    location   = var.location
    properties = { addressSpace = { addressPrefixes = ["10.20.0.0/16"] } }
  }
  # The subnets are resources of their own below, not declared here: an
  # update of the network keeps the live ones (azapply reads, merges, then
  # writes), so declaring them in both places is refused.
}

resource "subnet" {
  for_each    = var.subnets
  id          = "${resource.vnet.id}/subnets/${each.key}"
  api_version = "2024-07-01"
  body = {
    properties = {
      addressPrefix        = each.value
      networkSecurityGroup = { id = resource.nsg.id }
    }
  }
}

resource "public_ip" {
  id          = "${resource.rg.id}${local.network}/publicIPAddresses/app-ip"
  api_version = "2024-07-01"
  body = {
    location = var.location
    sku      = { name = "Standard" }
    properties = {
      publicIPAllocationMethod = "Static"
      publicIPAddressVersion   = "IPv4"
    }
  }
}

resource "nic" {
  id          = "${resource.rg.id}${local.network}/networkInterfaces/app-nic"
  api_version = "2024-07-01"
  body = {
    location = var.location
    properties = {
      ipConfigurations = [{
        name = "ipconfig1"
        properties = {
          privateIPAllocationMethod = "Dynamic"
          subnet                    = { id = resource.subnet["app"].id }
          publicIPAddress           = { id = resource.public_ip.id }
        }
      }]
      networkSecurityGroup = { id = resource.nsg.id }
    }
  }
}
