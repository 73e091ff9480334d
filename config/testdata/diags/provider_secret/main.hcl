provider {
  subscription_id = "00000000-0000-0000-0000-000000000000"
  auth            = "client_secret"
  client_id       = "11111111-1111-1111-1111-111111111111"
  client_secret   = ["s3cr3t-value-never-shown"]
  cloud           = "moon"
}
