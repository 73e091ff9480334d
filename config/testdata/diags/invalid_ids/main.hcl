locals {
  sub = "/subscriptions/00000000-0000-0000-0000-000000000000"
}

resource "no_subscription" {
  id          = "/resourceGroups/demo"
  api_version = "2021-04-01"
}

resource "odd_segments" {
  id          = "${local.sub}/resourceGroups"
  api_version = "2021-04-01"
}

resource "dot_dot" {
  id          = "${local.sub}/resourceGroups/../demo"
  api_version = "2021-04-01"
}

resource "spaces" {
  id          = "${local.sub}/resourceGroups/my demo"
  api_version = "2021-04-01"
}

resource "query" {
  id          = "${local.sub}/resourceGroups/demo?api-version=2021-04-01"
  api_version = "2021-04-01"
}

resource "url" {
  id          = "https://management.azure.com${local.sub}/resourceGroups/demo"
  api_version = "2021-04-01"
}
