package export

import (
	"strings"
)

// serviceOwned are the values each type's service computes: read-only
// values a configuration never declares. Paths are dotted; * stands for
// any member of an object or any element of an array. See the package
// documentation for where the entries come from.
var serviceOwned = map[string][]string{
	"Microsoft.ContainerRegistry/registries": {
		"sku.tier", "properties.loginServer", "properties.creationDate", "properties.dataEndpointHostNames",
		"properties.privateEndpointConnections", "properties.policies.retentionPolicy.lastUpdatedTime",
	},
	"Microsoft.Network/virtualNetworks": {"properties.resourceGuid"},
	"Microsoft.Network/virtualNetworks/subnets": {
		"properties.ipConfigurations", "properties.ipConfigurationProfiles", "properties.privateEndpoints",
		"properties.serviceAssociationLinks", "properties.resourceNavigationLinks", "properties.purpose",
	},
	"Microsoft.Network/networkSecurityGroups": {
		"properties.resourceGuid", "properties.defaultSecurityRules", "properties.subnets",
		"properties.networkInterfaces", "properties.flowLogs",
	},
	"Microsoft.Network/publicIPAddresses": {"properties.resourceGuid", "properties.ipAddress", "properties.ipConfiguration"},
	"Microsoft.Network/networkInterfaces": {
		"properties.resourceGuid", "properties.macAddress", "properties.virtualMachine", "properties.primary",
		"properties.hostedWorkloads", "properties.tapConfigurations", "properties.vnetEncryptionSupported",
		"properties.ipConfigurations.*.properties.primary", "properties.dnsSettings.appliedDnsServers",
		"properties.dnsSettings.internalDomainNameSuffix",
	},
	"Microsoft.Network/routeTables":      {"properties.resourceGuid", "properties.subnets"},
	"Microsoft.Network/natGateways":      {"properties.resourceGuid", "properties.subnets"},
	"Microsoft.Network/privateEndpoints": {"properties.networkInterfaces"},
	"Microsoft.Web/serverfarms": {
		"properties.geoRegion", "properties.numberOfWorkers", "properties.status", "properties.numberOfSites",
		"properties.resourceGroup", "properties.subscription", "properties.maximumNumberOfWorkers",
	},
	"Microsoft.Web/sites": {
		"properties.defaultHostName", "properties.hostNames", "properties.enabledHostNames",
		"properties.repositorySiteName", "properties.resourceGroup", "properties.lastModifiedTimeUtc",
		"properties.customDomainVerificationId", "properties.outboundIpAddresses",
		"properties.possibleOutboundIpAddresses", "properties.state", "properties.usageState",
		"properties.availabilityState", "properties.inboundIpAddress",
	},
	"Microsoft.OperationalInsights/workspaces": {"properties.customerId", "properties.createdDate", "properties.modifiedDate"},
	"Microsoft.Insights/components": {
		"properties.ApplicationId", "properties.AppId", "properties.InstrumentationKey", "properties.CreationDate",
		"properties.TenantId", "properties.ConnectionString", "properties.Name", "properties.HockeyAppToken",
	},
	"Microsoft.Authorization/roleAssignments": {
		"properties.scope", "properties.createdOn", "properties.updatedOn", "properties.createdBy", "properties.updatedBy",
	},
	"Microsoft.Storage/storageAccounts": {
		"sku.tier", "properties.primaryEndpoints", "properties.secondaryEndpoints", "properties.primaryLocation",
		"properties.secondaryLocation", "properties.statusOfPrimary", "properties.statusOfSecondary",
		"properties.creationTime", "properties.keyCreationTime", "properties.encryption.services.*.lastEnabledTime",
	},
	"Microsoft.Cache/redis": {
		"properties.accessKeys", "properties.hostName", "properties.port", "properties.sslPort",
		"properties.linkedServers", "properties.instances", "properties.privateEndpointConnections",
	},
	"Microsoft.KeyVault/vaults":         {"properties.vaultUri", "properties.hsmPoolResourceId", "properties.privateEndpointConnections"},
	"Microsoft.KeyVault/vaults/secrets": {"properties.secretUri", "properties.secretUriWithVersion"},
	"Microsoft.KeyVault/vaults/keys":    {"properties.keyUri", "properties.keyUriWithVersion"},
	"Microsoft.Sql/servers":             {"properties.fullyQualifiedDomainName", "properties.state"},
	"Microsoft.DBforPostgreSQL/flexibleServers": {
		"properties.fullyQualifiedDomainName", "properties.state",
	},
	"Microsoft.DocumentDB/databaseAccounts": {
		"properties.documentEndpoint", "properties.readLocations", "properties.writeLocations",
		"properties.instanceId", "properties.keysMetadata",
	},
	"Microsoft.ManagedIdentity/userAssignedIdentities": {"properties.principalId", "properties.clientId", "properties.tenantId"},
	"Microsoft.ContainerService/managedClusters":       {"properties.fqdn", "properties.azurePortalFQDN", "properties.powerState", "properties.currentKubernetesVersion"},
}

// serviceWriteOnly are the values each type's service takes on a write and
// never returns: export cannot know them, and names them in a comment.
var serviceWriteOnly = map[string][]string{
	"Microsoft.KeyVault/vaults/secrets":         {"properties.value"},
	"Microsoft.Sql/servers":                     {"properties.administratorLoginPassword"},
	"Microsoft.DBforPostgreSQL/flexibleServers": {"properties.administratorLoginPassword"},
	"Microsoft.Web/sites":                       {"properties.siteConfig.appSettings", "properties.siteConfig.connectionStrings"},
	"Microsoft.Compute/virtualMachines":         {"properties.osProfile.adminPassword"},
}

// bookkeeping reports whether the member key at path is ARM's bookkeeping:
// id, name and type at the top, etag, systemData and provisioningState at
// any depth.
func bookkeeping(path []string, key string) bool {
	if len(path) == 0 {
		switch strings.ToLower(key) {
		case "id", "name", "type":
			return true
		}
	}
	switch strings.ToLower(key) {
	case "etag", "systemdata", "provisioningstate":
		return true
	}
	return false
}

// ruleFor returns a table's paths for typ, split into segments.
func ruleFor(table map[string][]string, typ string) [][]string {
	var out [][]string
	for t, paths := range table {
		if !strings.EqualFold(t, typ) {
			continue
		}
		for _, p := range paths {
			out = append(out, strings.Split(p, "."))
		}
	}
	return out
}

// matches reports whether path (member names, * for array elements) is
// one of the rule paths.
func matches(rules [][]string, path []string) bool {
	for _, r := range rules {
		if len(r) != len(path) {
			continue
		}
		ok := true
		for i := range r {
			if r[i] != "*" && !strings.EqualFold(r[i], path[i]) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// withoutServiceOwned is body without ARM's bookkeeping and the values the
// type's service computes.
func withoutServiceOwned(typ string, body map[string]any) map[string]any {
	rules := ruleFor(serviceOwned, typ)
	out, _ := prune(body, nil, func(path []string, key string) bool {
		return bookkeeping(path, key) || matches(rules, append(path[:len(path):len(path)], key))
	}).(map[string]any)
	return out
}

// prune copies v without the object members drop names (path is where the
// member's object lies; array elements appear in it as *). An object
// member that pruning empties ({"provisioningState": ...} becomes {}) is
// left out too: it held only what the service owns.
func prune(v any, path []string, drop func(path []string, key string) bool) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if drop(path, k) {
				continue
			}
			pe := prune(e, append(path[:len(path):len(path)], k), drop)
			if m, ok := pe.(map[string]any); ok && len(m) == 0 && len(e.(map[string]any)) > 0 {
				continue
			}
			out[k] = pe
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = prune(e, append(path[:len(path):len(path)], "*"), drop)
		}
		return out
	}
	return v
}
