# Adopt a resource group that already exists (made in the portal, by a
# script, or by another tool) instead of failing on it.

provider {
  subscription_id = var.subscription_id
  endpoint        = "emulator"
}

variable "subscription_id" {
  type    = string
  default = "00000000-0000-0000-0000-000000000000"
}

import {
  to = resource.legacy
  id = "/subscriptions/${var.subscription_id}/resourceGroups/legacy-rg"
}

resource "legacy" {
  id          = "/subscriptions/${var.subscription_id}/resourceGroups/legacy-rg"
  api_version = "2021-04-01"
  body = {
    location = "westus"
    tags     = { owner = "platform", managed-by = "azapply" }
  }
}
