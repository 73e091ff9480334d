# Azure Stack Hub, or any custom cloud: azapply reads the cloud's endpoints
# (login endpoint, token audience, ARM endpoint) from its metadata document.
# Credentials: a service principal from the environment (AZURE_CLIENT_ID,
# AZURE_TENANT_ID, AZURE_CLIENT_SECRET), or auth = "username_password".

provider {
  subscription_id   = var.subscription_id
  metadata_endpoint = var.metadata_endpoint
  auth              = "client_secret"
  tenant_id         = var.tenant_id
  client_id         = var.client_id
  client_secret     = var.client_secret
}

variable "subscription_id" {
  type    = string
  default = "00000000-0000-0000-0000-000000000000"
}

variable "metadata_endpoint" {
  type        = string
  description = "The stamp's metadata URL, e.g. https://management.local.azurestack.external/metadata/endpoints?api-version=2015-01-01"
}

variable "tenant_id" {
  type = string
}

variable "client_id" {
  type = string
}

variable "client_secret" {
  type      = string
  sensitive = true
}

variable "location" {
  type    = string
  default = "local"
}

resource "rg" {
  id          = "/subscriptions/${var.subscription_id}/resourceGroups/stack-demo"
  api_version = "2019-10-01"
  body        = { location = var.location }
}

resource "storage" {
  id          = "${resource.rg.id}/providers/Microsoft.Storage/storageAccounts/stackdemostore"
  api_version = "2019-06-01"
  body = {
    location   = var.location
    kind       = "Storage"
    sku        = { name = "Standard_LRS" }
    properties = {}
  }
}
