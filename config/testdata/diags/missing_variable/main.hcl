variable "subscription_id" {
  type        = string
  description = "The subscription to deploy into."
}

resource "rg" {
  id          = "/subscriptions/${var.subscription_id}/resourceGroups/demo"
  api_version = "2021-04-01"
}
