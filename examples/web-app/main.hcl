# An App Service plan, a web app whose settings come from sensitive variables,
# a Log Analytics workspace and Application Insights on top of it.

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

variable "database_password" {
  type        = string
  sensitive   = true
  description = "Set with --var or AZAPPLY_VAR_database_password; never printed or stored in clear."
  default     = "change-me-in-a-real-pipeline"
}

variable "api_token" {
  type      = string
  sensitive = true
  default   = "not-a-real-token"
}

locals {
  rg_id = "/subscriptions/${var.subscription_id}/resourceGroups/webapp-demo"
  tags  = { app = "shop", env = "demo" }
}

resource "rg" {
  id          = local.rg_id
  api_version = "2021-04-01"
  body        = { location = var.location, tags = local.tags }
}

resource "logs" {
  id          = "${resource.rg.id}/providers/Microsoft.OperationalInsights/workspaces/shop-logs"
  api_version = "2023-09-01"
  body = {
    location = var.location
    tags     = local.tags
    properties = {
      sku             = { name = "PerGB2018" }
      retentionInDays = 30
    }
  }
}

resource "insights" {
  id          = "${resource.rg.id}/providers/Microsoft.Insights/components/shop-insights"
  api_version = "2020-02-02"
  body = {
    location = var.location
    kind     = "web"
    tags     = local.tags
    properties = {
      Application_Type    = "web"
      WorkspaceResourceId = resource.logs.id
    }
  }
}

resource "plan" {
  id          = "${resource.rg.id}/providers/Microsoft.Web/serverfarms/shop-plan"
  api_version = "2024-04-01"
  body = {
    location   = var.location
    kind       = "linux"
    sku        = { name = "B1", tier = "Basic" }
    properties = { reserved = true }
  }
}

resource "site" {
  id          = "${resource.rg.id}/providers/Microsoft.Web/sites/shop-web-demo"
  api_version = "2024-04-01"
  body = {
    location = var.location
    kind     = "app,linux"
    properties = {
      serverFarmId = resource.plan.id
      httpsOnly    = true
      siteConfig = {
        linuxFxVersion = "NODE|20-lts"
        appSettings = [
          { name = "APPLICATIONINSIGHTS_CONNECTION_STRING", value = resource.insights.output.properties.ConnectionString },
          { name = "DATABASE_PASSWORD", value = var.database_password },
          { name = "API_TOKEN", value = var.api_token },
        ]
      }
    }
  }
  sensitive = ["properties.siteConfig.appSettings[*].value"]
}

output "insights_connection_string" {
  value     = resource.insights.output.properties.ConnectionString
  sensitive = true
}
