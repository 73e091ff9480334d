package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// starterFile is the file azapply init writes into a directory without
// configuration.
const starterFile = "main.hcl"

// starterConfig is a configuration that plans and applies at once on the
// embedded emulator, and says how to point it at Azure.
const starterConfig = `# A starter configuration written by 'azapply init'. Plan and apply it as it
# is: it runs on azapply's embedded emulator (no Azure account needed), which
# keeps its world in .azapply/emulator.json.
#
#   azapply plan
#   azapply apply
#
# To use Azure itself: sign in (az login, or see docs/authentication.md
# in azapply's repository), delete the endpoint line below and set
# subscription_id.

azapply {
  # Where the state lives. For a team or CI, use Azure Blob Storage:
  # backend "azureblob" {
  #   account_url = "https://ACCOUNT.blob.core.windows.net"
  #   container   = "tfstate"
  #   key         = "STACK.json"
  # }
  backend "local" { path = "azapply.state.json" }
}

provider {
  subscription_id = var.subscription_id
  endpoint        = "emulator" # delete this line to use Azure
}

variable "subscription_id" {
  type        = string
  default     = "00000000-0000-0000-0000-000000000000"
  description = "The Azure subscription to manage (az account show --query id)."
}

variable "location" {
  type    = string
  default = "westeurope"
}

# Every resource is declared by its ARM resource ID, an api-version and the
# JSON body of its PUT, written in HCL. Any resource type at any api-version.
resource "rg" {
  id          = "/subscriptions/${var.subscription_id}/resourceGroups/starter"
  api_version = "2021-04-01"
  body = {
    location = var.location
    tags     = { managed-by = "azapply" }
  }
}

# Uncomment to add a storage account in the resource group: it is created
# after the group, because its ID lies under the group's.
# resource "storage" {
#   id          = "${resource.rg.id}/providers/Microsoft.Storage/storageAccounts/starterstore01"
#   api_version = "2023-05-01"
#   body = {
#     location   = var.location
#     kind       = "StorageV2"
#     sku        = { name = "Standard_LRS" }
#     properties = { minimumTlsVersion = "TLS1_2" }
#   }
# }

output "resource_group_id" {
  value = resource.rg.id
}
`

// starterIgnore keeps azapply's working files out of git.
const starterIgnore = `# azapply's working files: the embedded emulator's world and the backend record.
.azapply/
# The local state and its backup. In a team, keep state in the azureblob backend.
azapply.state.json
azapply.state.json.backup
azapply.state.json.lock
`

// writeStarter writes a starter configuration (and a .gitignore) into dir
// when dir holds no configuration file (.hcl or .hcl.json), creating dir if needed. It never overwrites a
// file, and reports whether it wrote the configuration.
func writeStarter(dir string) (bool, error) {
	for _, pattern := range []string{"*.hcl", "*.hcl.json"} {
		found, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			return false, err
		}
		if len(found) > 0 {
			return false, nil
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, fmt.Errorf("creating the configuration directory: %w", err)
	}
	if err := writeNew(filepath.Join(dir, starterFile), starterConfig); err != nil {
		return false, err
	}
	if err := writeNew(filepath.Join(dir, ".gitignore"), starterIgnore); err != nil && !errors.Is(err, fs.ErrExist) {
		return false, err
	}
	return true, nil
}

// writeNew creates path with content, failing if it exists.
func writeNew(path, content string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("writing the starter configuration: %w", err)
	}
	if _, err := f.WriteString(content); err != nil {
		_ = f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
