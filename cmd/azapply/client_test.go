package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestArmSettings(t *testing.T) {
	p := config.Provider{
		Cloud: "china", Endpoint: "https://arm.test", Audience: "https://aud.test/", AuthorityHost: "https://login.test/",
		MetadataEndpoint: "https://md.test/metadata/endpoints", Auth: "client_certificate", TenantID: "t", ClientID: "c",
		ClientSecret: "cs", ClientCertificatePath: "/cert.pem", ClientCertificatePass: "cp", FederatedTokenFile: "/tok",
		Username: "u", Password: "pw", AuxiliaryTenantIDs: []string{"aux1", "aux2"},
	}
	want := arm.Settings{
		Cloud: "china", Endpoint: "https://arm.test", Audience: "https://aud.test/", AuthorityHost: "https://login.test/",
		MetadataEndpoint: "https://md.test/metadata/endpoints", Auth: "client_certificate", TenantID: "t", ClientID: "c",
		ClientSecret: "cs", ClientCertificatePath: "/cert.pem", ClientCertificatePassword: "cp", FederatedTokenFile: "/tok",
		Username: "u", Password: "pw", AuxiliaryTenantIDs: []string{"aux1", "aux2"},
	}
	if got := armSettings(p, envOf(nil)); !reflect.DeepEqual(got, want) {
		t.Errorf("armSettings = %#v\nwant %#v", got, want)
	}
	got := armSettings(config.Provider{Endpoint: "https://arm.test"}, envOf(map[string]string{
		"AZAPPLY_ARM_ENDPOINT": "https://override.test", "AZURE_CLIENT_ID": "env-client", "AZAPPLY_AUTH": "managed_identity"}))
	if got.Endpoint != "https://override.test" || got.ClientID != "env-client" || got.Auth != "managed_identity" {
		t.Errorf("with the environment: %v", got)
	}
}

func TestConnectEmulatorKeepsItsWorld(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	rg := "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo"
	for i, p := range []struct {
		provider config.Provider
		env      map[string]string
	}{
		{config.Provider{Endpoint: "emulator"}, nil},
		{config.Provider{}, map[string]string{"AZAPPLY_ARM_ENDPOINT": "emulator"}},
	} {
		conn, err := connectARM(ctx, p.provider, dir, envOf(p.env))
		if err != nil {
			t.Fatal(err)
		}
		if conn.cloud.Name != "emulator" {
			t.Fatalf("connected to %+v", conn.cloud)
		}
		if i == 0 {
			if _, err := conn.client.Put(ctx, rg, "2021-04-01", map[string]any{"location": "westus"}); err != nil {
				t.Fatal(err)
			}
		} else if _, err := conn.client.Get(ctx, rg, "2021-04-01"); err != nil {
			t.Fatalf("the second run does not see the first one's group: %v", err)
		}
		if err := conn.close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".azapply", "emulator.json")); err != nil {
		t.Error(err)
	}
}

func TestConnectCloud(t *testing.T) {
	tests := []struct {
		name         string
		provider     config.Provider
		wantEndpoint string
		wantErr      string
	}{
		{"china with a client secret", config.Provider{Cloud: "china", Auth: "client_secret", TenantID: "t", ClientID: "c", ClientSecret: "s"}, "https://management.chinacloudapi.cn", ""},
		{"custom endpoint", config.Provider{Endpoint: "https://arm.example.test", Auth: "client_secret", TenantID: "t", ClientID: "c", ClientSecret: "s"}, "https://arm.example.test", ""},
		{"unknown cloud", config.Provider{Cloud: "mars"}, "", `connecting to Azure Resource Manager: cloud "mars"`},
		{"plain http", config.Provider{Endpoint: "http://arm.example.test"}, "", "plain http"},
		{"missing secret settings", config.Provider{Auth: "client_secret"}, "", "needs tenant_id, client_id, client_secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := connectARM(context.Background(), tt.provider, t.TempDir(), envOf(nil))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if conn.cloud.Endpoint != tt.wantEndpoint {
				t.Errorf("endpoint %q, want %q", conn.cloud.Endpoint, tt.wantEndpoint)
			}
		})
	}
}
