action "bad_when" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.ContainerRegistry/registries/acr/regenerateCredential"
  api_version = "2023-01-01-preview"
  when        = "sometimes"
}

action "not_an_action" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.ContainerRegistry/registries/acr"
  api_version = "2023-01-01-preview"
}

data "sub" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000"
  api_version = "2022-12-01"
  body        = { nope = true }
}
