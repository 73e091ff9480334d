resource "rg" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/other"
  api_version = "2021-04-01"
}

variable "rg" {}
variable "rg" {}

output "o" { value = 1 }
output "o" { value = 2 }
