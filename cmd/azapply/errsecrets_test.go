package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/azapply/azapply/emulator"
)

// echoingSQL is a SQL server type whose service refuses every write with a
// 400 that quotes the whole request body, and details that repeat the
// password, as real resource providers' validation errors sometimes do.
func echoingSQL() map[string]*emulator.TypeRule {
	return map[string]*emulator.TypeRule{"Microsoft.Sql/servers": {Validate: func(c *emulator.ComputeContext) *emulator.ErrorDetail {
		body, _ := json.Marshal(c.Body)
		return &emulator.ErrorDetail{
			Code:    "InvalidRequestContent",
			Message: "The request content was invalid and could not be deserialized: " + string(body),
			Target:  c.String("properties.administratorLoginPassword"),
			Details: []emulator.ErrorDetail{{Code: "PasswordNotComplex", Message: "the password '" + c.String("properties.administratorLoginPassword") + "' is not complex enough; the tag owner was " + c.String("tags.owner")}},
		}
	}}}
}

// TestARMErrorsRedacted: an ARM error that echoes the request is printed
// with ARM's code, and without any sensitive value the run knows (a
// sensitive variable in a declared path and in a tag), in text and JSON,
// with the debug log on.
func TestARMErrorsRedacted(t *testing.T) {
	s := serveLoopback(t, emulator.Options{Rules: echoingSQL()})
	dir := t.TempDir()
	config := s.provider() + `
variable "pw" {
  type      = string
  sensitive = true
}

resource "rg" {
  id          = "` + stackRG + `"
  api_version = "2021-04-01"
  body        = { location = "westus" }
}

resource "sql" {
  id          = "${resource.rg.id}/providers/Microsoft.Sql/servers/echo"
  api_version = "2023-08-01"
  body = {
    location   = "westus"
    tags       = { owner = var.pw }
    properties = { administratorLogin = "admin", administratorLoginPassword = var.pw }
  }
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"apply", "--auto-approve", "--no-color"},
		{"apply", "--auto-approve", "--format", "json"},
	} {
		cmd, out, errb := s.command(dir, args...)
		cmd.Env = append(cmd.Env, "AZAPPLY_VAR_pw="+knownPassword, "AZAPPLY_LOG=debug")
		_ = cmd.Run()
		if code := cmd.ProcessState.ExitCode(); code != exitError {
			t.Fatalf("azapply %v: exit %d, want %d\n%s%s", args, code, exitError, out, errb)
		}
		all := out.String() + errb.String()
		if !strings.Contains(all, "InvalidRequestContent") || !strings.Contains(all, "PasswordNotComplex") {
			t.Errorf("azapply %v does not give ARM's codes:\n%s", args, all)
		}
		if strings.Contains(all, knownPassword) {
			t.Errorf("azapply %v printed the sensitive value in an ARM error:\n%s", args, all)
		}
		if !strings.Contains(all, "(sensitive value)") {
			t.Errorf("azapply %v: the ARM error's message is not shown redacted:\n%s", args, all)
		}
	}
}
