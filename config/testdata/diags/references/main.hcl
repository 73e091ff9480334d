resource "rg" {
  id          = "/subscriptions/${var.subscription}/resourceGroups/${each.key}"
  api_version = local.api
  body = {
    location = resource.group.body.location
    tags     = { n = count.index, f = nosuchfunction(1) }
  }
  depends_on = [resource.missing, "resource.rg"]
}

variable "subscription_id" {
  default = "00000000-0000-0000-0000-000000000000"
}
