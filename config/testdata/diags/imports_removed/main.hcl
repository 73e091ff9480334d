resource "rg" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo"
  api_version = "2021-04-01"
}

import {
  to = resource.nothere
  id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/other"
}

import {
  to = "resource.rg"
  id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo"
}

removed {
  from = resource.rg
  destroy = false
}

removed {
  from = resource.old
}

azapply {
  backend "s3" {
    bucket = "x"
  }
}
