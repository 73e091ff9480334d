# The inputs of the app module: where it goes and what it is called.

variable "subscription_id" {
  type = string
}

variable "name" {
  type        = string
  description = "The resource group's name; the registry's is made from it."
}

variable "location" {
  type    = string
  default = "westus"
}

variable "registry_sku" {
  type    = string
  default = "Basic"
}
