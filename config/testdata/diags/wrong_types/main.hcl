resource "rg" {
  id              = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo"
  api_version     = "2021-04-01"
  body            = { location = "westus" }
  prevent_destroy = "perhaps"
  ignore_changes  = "tags"
  update_method   = "POST"
  update_body     = "merged"
  timeouts {
    create = "ten minutes"
  }
}
