resource "rg_again" {
  id          = "/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/resourcegroups/DEMO"
  api_version = "2021-04-01"
}

resource "subnet" {
  for_each    = toset(["a", "A"])
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.Network/virtualNetworks/v/subnets/${each.key}"
  api_version = "2023-09-01"
}

# Doubled and trailing slashes are no other ID either.
resource "rg_slashes" {
  id          = "//subscriptions/00000000-0000-0000-0000-000000000000//resourceGroups/demo/"
  api_version = "2021-04-01"
}
