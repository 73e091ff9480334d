resource "rg" {
  id                 = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo"
  api_version        = "2021-04-01"
  ignore_changes     = ["tags..env", "properties.rules[x]"]
  sensitive          = ["properties.secrets[*"]
  replace_on_changes = ["location"]
  array_keys         = { "properties.rules" = 3, "bad path." = "name" }
}
