provider {
  subscription_id = "00000000-0000-0000-0000-000000000000"
  refresh         = "collections"
}
