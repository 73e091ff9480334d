variable "replicas" {
  type = number
}

variable "zones" {
  type    = list(string)
  default = { a = 1 }
}

variable "tags" {
  type = map(string)
}

variable "location" {
  type = string
  validation {
    condition     = contains(["westus", "eastus"], var.location)
    error_message = "location must be westus or eastus."
  }
}
