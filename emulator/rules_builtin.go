package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// builtinRules are the realistic behaviours of the types the examples and
// tests use, drawn from the real responses in shared/arm-examples (and,
// where the examples are silent, from how the services are known to
// answer). Every other type gets only the generic read-only fields.
func builtinRules() map[string]*TypeRule {
	return map[string]*TypeRule{
		resourceGroupType: {NoETag: true, NoSystemData: true},

		"Microsoft.ContainerRegistry/registries": containerRegistryRule(),

		"Microsoft.Network/virtualNetworks": {
			RequireLocation: true,
			Defaults: map[string]any{"properties": map[string]any{
				"enableDdosProtection": false, "privateEndpointVNetPolicies": "Disabled",
			}},
			Children: map[string]string{"properties.subnets": "subnets", "properties.virtualNetworkPeerings": "virtualNetworkPeerings"},
			// "Azure Virtual Network now supports updates without subnet
			// property" (Azure Networking Blog, 2024): from 2023-09-01 a
			// PUT without properties.subnets keeps the subnets.
			KeepOmittedFrom: map[string]string{"properties.subnets": "2023-09-01"},
			Compute:         func(c *ComputeContext) { c.Stable("properties.resourceGuid", c.guid("resourceGuid")) },
		},
		"Microsoft.Network/virtualNetworks/subnets": {
			Defaults: map[string]any{"properties": map[string]any{
				"privateEndpointNetworkPolicies": "Disabled", "privateLinkServiceNetworkPolicies": "Enabled", "delegations": []any{},
			}},
			NoSystemData: true,
			InUse:        &InUseRule{Key: "subnet", Error: subnetInUse},
		},
		"Microsoft.Network/networkSecurityGroups": {
			RequireLocation: true,
			Children:        map[string]string{"properties.securityRules": "securityRules"},
			Compute: func(c *ComputeContext) {
				c.Stable("properties.resourceGuid", c.guid("resourceGuid"))
				c.Set("properties.defaultSecurityRules", defaultSecurityRules(c.ID))
			},
		},
		"Microsoft.Network/networkSecurityGroups/securityRules": {
			Defaults: map[string]any{"properties": map[string]any{
				"sourcePortRanges": []any{}, "destinationPortRanges": []any{},
				"sourceAddressPrefixes": []any{}, "destinationAddressPrefixes": []any{},
			}},
			// NRP answers these enumerations in its own casing.
			Recase: map[string]func(string) string{
				"properties.protocol":  canonical("Tcp", "Udp", "Icmp", "Esp", "Ah", "*"),
				"properties.access":    canonical("Allow", "Deny"),
				"properties.direction": canonical("Inbound", "Outbound"),
			},
			NoSystemData: true,
		},
		"Microsoft.Network/routeTables": {
			RequireLocation: true,
			Defaults:        map[string]any{"properties": map[string]any{"disableBgpRoutePropagation": false}},
			Children:        map[string]string{"properties.routes": "routes"},
			Compute:         func(c *ComputeContext) { c.Stable("properties.resourceGuid", c.guid("resourceGuid")) },
		},
		"Microsoft.Network/routeTables/routes": {
			Recase: map[string]func(string) string{
				"properties.nextHopType": canonical("VirtualNetworkGateway", "VnetLocal", "Internet", "VirtualAppliance", "None"),
			},
			NoSystemData: true,
		},
		"Microsoft.Network/publicIPAddresses": publicIPRule(),
		"Microsoft.Network/networkInterfaces": networkInterfaceRule(),

		"Microsoft.Web/serverfarms": appServicePlanRule(),
		"Microsoft.Web/sites":       webSiteRule(),

		"Microsoft.OperationalInsights/workspaces": logAnalyticsRule(),
		"Microsoft.Insights/components":            appInsightsRule(),

		"Microsoft.Authorization/roleAssignments": roleAssignmentRule(),
		"Microsoft.Storage/storageAccounts":       storageAccountRule(),

		// Types outside the examples' main path, given the top-level shape
		// the recorded responses have.
		"Microsoft.Batch/batchAccounts":                  {Defaults: map[string]any{"identity": map[string]any{"type": "None"}}},
		"Microsoft.Cache/redis":                          {Defaults: map[string]any{"tags": map[string]any{}}},
		"Microsoft.Compute/availabilitySets":             {Defaults: map[string]any{"sku": map[string]any{"name": "Classic"}}},
		"Microsoft.DataFactory/factories":                {Defaults: map[string]any{"tags": map[string]any{}}, Compute: func(c *ComputeContext) { c.Set("eTag", `"`+guidFrom(strings.ToLower(c.ID)+"|etag")+`"`) }},
		"Microsoft.Databricks/workspaces":                {Defaults: map[string]any{"tags": map[string]any{}, "sku": map[string]any{"name": "premium"}}},
		"Microsoft.DocumentDB/databaseAccounts":          {Defaults: map[string]any{"tags": map[string]any{}, "kind": "GlobalDocumentDB"}},
		"Microsoft.EventHub/namespaces":                  {Defaults: map[string]any{"tags": map[string]any{}, "sku": map[string]any{"name": "Standard", "tier": "Standard", "capacity": 1}}},
		"Microsoft.ServiceBus/namespaces":                {Defaults: map[string]any{"tags": map[string]any{}, "sku": map[string]any{"name": "Standard", "tier": "Standard"}}},
		"Microsoft.KeyVault/vaults":                      {Defaults: map[string]any{"tags": map[string]any{}}},
		"Microsoft.KeyVault/vaults/keys":                 {Compute: inheritLocation},
		"Microsoft.KeyVault/vaults/secrets":              {Compute: inheritLocation, WriteOnly: []string{"properties.value"}},
		"Microsoft.Sql/servers":                          {Defaults: map[string]any{"kind": "v12.0"}, WriteOnly: []string{"properties.administratorLoginPassword"}},
		"Microsoft.Sql/servers/databases":                {Defaults: map[string]any{"kind": "v12.0,user"}},
		"Microsoft.Storage/storageAccounts/blobServices": {Defaults: map[string]any{"sku": map[string]any{"name": "Standard_LRS", "tier": "Standard"}}},
		"Microsoft.DBforPostgreSQL/flexibleServers":      {WriteOnly: []string{"properties.administratorLoginPassword"}},
	}
}

// guid returns a generator of a GUID derived from the resource's ID and
// salt: stable for a resource, different between resources.
func (c *ComputeContext) guid(salt string) func() any {
	return func() any { return guidFrom(strings.ToLower(c.ID) + "|" + salt) }
}

func guidFrom(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	h := hex.EncodeToString(sum[:16])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// timestamp returns a generator of the write's time, for Stable.
func (c *ComputeContext) timestamp() func() any {
	return func() any { return c.Now.Format(time.RFC3339Nano) }
}

// canonical re-cases a value to the first of values it equals ignoring
// case, and leaves any other value alone.
func canonical(values ...string) func(string) string {
	return func(s string) string {
		for _, v := range values {
			if strings.EqualFold(s, v) {
				return v
			}
		}
		return s
	}
}

// setDefault sets path when it is absent: the value stays one the client
// may set.
func (c *ComputeContext) setDefault(path string, v any) {
	if _, ok := c.Get(path); !ok {
		c.rewrite(path, v)
	}
}

// inheritLocation answers with the parent's location, as Key Vault keys
// and secrets do.
func inheritLocation(c *ComputeContext) {
	if loc, ok := c.Parent["location"].(string); ok {
		c.rewrite("location", loc)
	}
}

func containerRegistryRule() *TypeRule {
	return &TypeRule{
		RequireLocation: true,
		Defaults: map[string]any{
			"sku": map[string]any{"name": "Basic"},
			"properties": map[string]any{
				"adminUserEnabled": false,
				"networkRuleSet":   map[string]any{"defaultAction": "Allow", "ipRules": []any{}},
				"policies": map[string]any{
					"quarantinePolicy": map[string]any{"status": "disabled"},
					"trustPolicy":      map[string]any{"type": "Notary", "status": "disabled"},
					"retentionPolicy":  map[string]any{"days": 7, "status": "disabled"},
					"exportPolicy":     map[string]any{"status": "enabled"},
				},
				"encryption":                 map[string]any{"status": "disabled"},
				"dataEndpointEnabled":        false,
				"dataEndpointHostNames":      []any{},
				"privateEndpointConnections": []any{},
				"publicNetworkAccess":        "Enabled",
				"networkRuleBypassOptions":   "AzureServices",
				"zoneRedundancy":             "Disabled",
				"anonymousPullEnabled":       false,
			},
		},
		// Microsoft.ContainerRegistry/registries' properties in the REST
		// reference (2023-07-01 and later).
		Properties: []string{"adminUserEnabled", "networkRuleSet", "policies", "encryption", "dataEndpointEnabled",
			"dataEndpointHostNames", "privateEndpointConnections", "publicNetworkAccess", "networkRuleBypassOptions",
			"zoneRedundancy", "anonymousPullEnabled", "loginServer", "creationDate", "provisioningState", "status",
			"metadataSearch", "roleAssignmentMode", "autoGeneratedDomainNameLabelScope", "networkRuleBypassAllowedForTasks"},
		Recase: map[string]func(string) string{"sku.name": canonical("Basic", "Standard", "Premium", "Classic")},
		Compute: func(c *ComputeContext) {
			c.Set("properties.loginServer", strings.ToLower(c.Name)+".azurecr.io")
			c.Stable("properties.creationDate", c.timestamp())
			c.Stable("properties.policies.retentionPolicy.lastUpdatedTime", c.timestamp())
			c.Set("sku.tier", c.String("sku.name"))
		},
		Actions: map[string]Action{
			"listcredentials":      acrCredentials,
			"regeneratecredential": acrRegenerate,
		},
	}
}

func acrCredentials(c *ActionContext) (int, any, *ErrorDetail) {
	if on, _ := getPath(c.Resource, "properties.adminUserEnabled"); on != true {
		return http.StatusBadRequest, nil, &ErrorDetail{Code: "AdminUserDisabled",
			Message: "The admin user is disabled on registry '" + c.Name + "': set properties.adminUserEnabled to true first."}
	}
	return http.StatusOK, map[string]any{"username": c.Name, "passwords": []any{
		map[string]any{"name": "password", "value": c.Key("password")},
		map[string]any{"name": "password2", "value": c.Key("password2")},
	}}, nil
}

func acrRegenerate(c *ActionContext) (int, any, *ErrorDetail) {
	name, _ := c.Request["name"].(string)
	if name != "password" && name != "password2" {
		return http.StatusBadRequest, nil, &ErrorDetail{Code: "InvalidRequestContent",
			Message: `regenerateCredential needs a body {"name": "password"} or {"name": "password2"}.`}
	}
	c.Regenerate(name)
	return acrCredentials(c)
}

func defaultSecurityRules(nsgID string) []any {
	type r struct {
		name, desc, src, dst, access string
		prio                         int
		dir                          string
	}
	rules := []r{
		{"AllowVnetInBound", "Allow inbound traffic from all VMs in VNET", "VirtualNetwork", "VirtualNetwork", "Allow", 65000, "Inbound"},
		{"AllowAzureLoadBalancerInBound", "Allow inbound traffic from azure load balancer", "AzureLoadBalancer", "*", "Allow", 65001, "Inbound"},
		{"DenyAllInBound", "Deny all inbound traffic", "*", "*", "Deny", 65500, "Inbound"},
		{"AllowVnetOutBound", "Allow outbound traffic from all VMs to all VMs in VNET", "VirtualNetwork", "VirtualNetwork", "Allow", 65000, "Outbound"},
		{"AllowInternetOutBound", "Allow outbound traffic from all VMs to Internet", "*", "Internet", "Allow", 65001, "Outbound"},
		{"DenyAllOutBound", "Deny all outbound traffic", "*", "*", "Deny", 65500, "Outbound"},
	}
	out := make([]any, 0, len(rules))
	for _, x := range rules {
		out = append(out, map[string]any{
			"name": x.name, "id": nsgID + "/defaultSecurityRules/" + x.name,
			"type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
			"properties": map[string]any{
				"provisioningState": "Succeeded", "description": x.desc, "protocol": "*",
				"sourcePortRange": "*", "destinationPortRange": "*",
				"sourceAddressPrefix": x.src, "destinationAddressPrefix": x.dst,
				"access": x.access, "priority": x.prio, "direction": x.dir,
				"sourcePortRanges": []any{}, "destinationPortRanges": []any{},
				"sourceAddressPrefixes": []any{}, "destinationAddressPrefixes": []any{},
			},
		})
	}
	return out
}

// fakeIP derives a stable public-looking IPv4 address from seed.
func fakeIP(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return fmt.Sprintf("20.%d.%d.%d", sum[0], sum[1], 1+sum[2]%254)
}

func publicIPRule() *TypeRule {
	return &TypeRule{
		RequireLocation: true,
		Defaults: map[string]any{
			"sku": map[string]any{"name": "Basic", "tier": "Regional"},
			"properties": map[string]any{
				"publicIPAddressVersion": "IPv4", "idleTimeoutInMinutes": 4, "ipTags": []any{},
			},
		},
		Recase: map[string]func(string) string{
			"properties.publicIPAllocationMethod": canonical("Static", "Dynamic"),
			"properties.publicIPAddressVersion":   canonical("IPv4", "IPv6"),
			"sku.name":                            canonical("Basic", "Standard"),
			"sku.tier":                            canonical("Regional", "Global"),
		},
		Compute: func(c *ComputeContext) {
			c.Stable("properties.resourceGuid", c.guid("resourceGuid"))
			if strings.EqualFold(c.String("sku.name"), "Standard") {
				c.setDefault("properties.publicIPAllocationMethod", "Static")
			} else {
				c.setDefault("properties.publicIPAllocationMethod", "Dynamic")
			}
			if c.String("properties.publicIPAllocationMethod") == "Static" {
				c.Set("properties.ipAddress", fakeIP(strings.ToLower(c.ID)))
			}
		},
	}
}

func networkInterfaceRule() *TypeRule {
	return &TypeRule{
		RequireLocation: true,
		Defaults: map[string]any{"properties": map[string]any{
			"dnsSettings":                 map[string]any{"dnsServers": []any{}, "appliedDnsServers": []any{}},
			"enableAcceleratedNetworking": false, "enableIPForwarding": false, "disableTcpStateTracking": false,
			"vnetEncryptionSupported": false, "nicType": "Standard", "auxiliaryMode": "None", "auxiliarySku": "None",
		}},
		Recase: map[string]func(string) string{
			"properties.ipConfigurations[].properties.privateIPAllocationMethod": canonical("Static", "Dynamic"),
		},
		Compute: func(c *ComputeContext) {
			c.Stable("properties.resourceGuid", c.guid("resourceGuid"))
			cfgs, _ := c.Get("properties.ipConfigurations")
			arr, _ := cfgs.([]any)
			for i, e := range arr {
				m, ok := e.(map[string]any)
				if !ok {
					continue
				}
				name, _ := m["name"].(string)
				m["id"] = c.ID + "/ipConfigurations/" + name
				m["type"] = "Microsoft.Network/networkInterfaces/ipConfigurations"
				props, _ := m["properties"].(map[string]any)
				if props == nil {
					props = map[string]any{}
					m["properties"] = props
				}
				mergeUnder(props, map[string]any{"privateIPAllocationMethod": "Dynamic", "privateIPAddressVersion": "IPv4", "primary": i == 0})
				props["provisioningState"] = "Succeeded"
				if props["privateIPAllocationMethod"] == "Dynamic" {
					props["privateIPAddress"] = fmt.Sprintf("10.0.0.%d", 4+i)
				}
			}
		},
	}
}

// displayLocations are the names App Service answers with instead of the
// short form it was sent.
var displayLocations = map[string]string{
	"westus": "West US", "westus2": "West US 2", "westus3": "West US 3", "eastus": "East US", "eastus2": "East US 2",
	"centralus": "Central US", "northcentralus": "North Central US", "southcentralus": "South Central US",
	"westeurope": "West Europe", "northeurope": "North Europe", "uksouth": "UK South", "ukwest": "UK West",
	"francecentral": "France Central", "germanywestcentral": "Germany West Central", "swedencentral": "Sweden Central",
	"japaneast": "Japan East", "japanwest": "Japan West", "australiaeast": "Australia East",
	"australiasoutheast": "Australia Southeast", "southeastasia": "Southeast Asia", "eastasia": "East Asia",
	"canadacentral": "Canada Central", "brazilsouth": "Brazil South", "centralindia": "Central India",
}

func displayLocation(c *ComputeContext) {
	if loc, ok := displayLocations[c.String("location")]; ok {
		c.rewrite("location", loc)
	}
}

var skuTiers = map[string]string{"F": "Free", "D": "Shared", "B": "Basic", "S": "Standard", "P": "Premium", "I": "Isolated", "Y": "Dynamic", "EP": "ElasticPremium", "WS": "WorkflowStandard"}

var skuName = regexp.MustCompile(`^([A-Za-z]+)(\d+)([A-Za-z]\d+)?$`)

func appServicePlanRule() *TypeRule {
	return &TypeRule{
		RequireLocation: true,
		Defaults: map[string]any{
			"kind": "app",
			"properties": map[string]any{
				"status": "Ready", "maximumNumberOfWorkers": 30, "numberOfSites": 0, "isSpot": false,
				"reserved": false, "isXenon": false, "hyperV": false, "targetWorkerCount": 0, "targetWorkerSizeId": 0,
				"perSiteScaling": false, "elasticScaleEnabled": false, "zoneRedundant": false,
			},
		},
		Recase: map[string]func(string) string{"sku.name": strings.ToUpper},
		Compute: func(c *ComputeContext) {
			displayLocation(c)
			c.Set("properties.geoRegion", c.String("location"))
			name := c.String("sku.name")
			if m := skuName.FindStringSubmatch(name); m != nil {
				prefix := strings.ToUpper(m[1])
				if tier, ok := skuTiers[prefix]; ok {
					if m[3] != "" {
						tier += strings.ToUpper(m[3])
					}
					c.setDefault("sku.tier", tier)
				}
				c.setDefault("sku.size", name)
				c.setDefault("sku.family", prefix+strings.ToLower(m[3]))
			}
			if _, ok := c.Get("sku"); ok {
				c.setDefault("sku.capacity", 1)
			}
			c.Set("properties.numberOfWorkers", c.numberOr("sku.capacity", 1))
		},
	}
}

// numberOr reads a number at path, or def.
func (c *ComputeContext) numberOr(path string, def float64) float64 {
	v, _ := c.Get(path)
	switch n := v.(type) {
	case float64:
		return n
	case int:
		return float64(n)
	}
	return def
}

func webSiteRule() *TypeRule {
	return &TypeRule{
		RequireLocation: true,
		Defaults: map[string]any{
			"kind": "app",
			"properties": map[string]any{
				"state": "Running", "enabled": true, "usageState": "Normal", "availabilityState": "Normal",
				"reserved": false, "isXenon": false, "hyperV": false, "scmSiteAlsoStopped": false,
				"clientAffinityEnabled": true, "clientCertEnabled": false, "clientCertMode": "Required",
				"hostNamesDisabled": false, "httpsOnly": false, "redundancyMode": "None", "publicNetworkAccess": "Enabled",
				"storageAccountRequired": false, "keyVaultReferenceIdentity": "SystemAssigned", "containerSize": 0,
				"dailyMemoryTimeQuota": 0, "vnetRouteAllEnabled": false, "vnetImagePullEnabled": false, "vnetContentShareEnabled": false,
				"siteConfig": map[string]any{
					"numberOfWorkers": 1, "netFrameworkVersion": "v4.0", "alwaysOn": false, "http20Enabled": false,
					"minTlsVersion": "1.2", "scmMinTlsVersion": "1.2", "ftpsState": "FtpsOnly", "use32BitWorkerProcess": true,
					"linuxFxVersion": "", "webSocketsEnabled": false, "managedPipelineMode": "Integrated", "loadBalancing": "LeastRequests",
				},
			},
		},
		// App settings and connection strings are accepted on PUT and only
		// come back from POST .../config/appsettings/list.
		WriteOnly: []string{"properties.siteConfig.appSettings", "properties.siteConfig.connectionStrings"},
		Compute: func(c *ComputeContext) {
			displayLocation(c)
			host := strings.ToLower(c.Name) + ".azurewebsites.net"
			scm := strings.ToLower(c.Name) + ".scm.azurewebsites.net"
			c.Set("properties.defaultHostName", host)
			c.Set("properties.hostNames", []any{host})
			c.Set("properties.enabledHostNames", []any{host, scm})
			c.rewrite("properties.hostNameSslStates", []any{
				map[string]any{"name": host, "sslState": "Disabled", "hostType": "Standard"},
				map[string]any{"name": scm, "sslState": "Disabled", "hostType": "Repository"},
			})
			c.Set("properties.repositorySiteName", c.Name)
			c.Set("properties.resourceGroup", c.ResourceGroup)
			c.Set("properties.lastModifiedTimeUtc", c.Now.Format("2006-01-02T15:04:05.000Z"))
			c.Stable("properties.customDomainVerificationId", func() any {
				return strings.ToUpper(strings.ReplaceAll(guidFrom(strings.ToLower(c.ID)+"|cdv")+guidFrom(strings.ToLower(c.ID)+"|cdv2"), "-", ""))
			})
			ip := fakeIP(strings.ToLower(c.ID) + "|out")
			c.Set("properties.outboundIpAddresses", ip)
			c.Set("properties.possibleOutboundIpAddresses", ip+","+fakeIP(strings.ToLower(c.ID)+"|out2"))
		},
	}
}

func logAnalyticsRule() *TypeRule {
	return &TypeRule{
		RequireLocation: true,
		Defaults: map[string]any{"properties": map[string]any{
			"sku": map[string]any{"name": "PerGB2018"}, "retentionInDays": 30,
			"publicNetworkAccessForIngestion": "Enabled", "publicNetworkAccessForQuery": "Enabled",
			"features":         map[string]any{"enableLogAccessUsingOnlyResourcePermissions": true, "legacy": 0, "searchVersion": 1},
			"workspaceCapping": map[string]any{"dailyQuotaGb": -1.0, "dataIngestionStatus": "RespectQuota"},
		}},
		Recase: map[string]func(string) string{"properties.sku.name": canonical("PerGB2018", "Free", "Standalone", "PerNode", "Standard", "Premium", "CapacityReservation", "LACluster")},
		Compute: func(c *ComputeContext) {
			// Log Analytics answers with its ID in lower case (the recorded
			// response does), while the name keeps the client's casing.
			c.rewrite("id", strings.ToLower(c.ID))
			c.Stable("properties.customerId", c.guid("customerId"))
			c.Stable("properties.createdDate", c.timestamp())
			c.Set("properties.modifiedDate", c.Now.Format(time.RFC3339Nano))
		},
		Actions: map[string]Action{"sharedkeys": func(c *ActionContext) (int, any, *ErrorDetail) {
			return http.StatusOK, map[string]any{"primarySharedKey": c.Key("primary"), "secondarySharedKey": c.Key("secondary")}, nil
		}},
	}
}

func appInsightsRule() *TypeRule {
	return &TypeRule{
		RequireLocation: true,
		KeepLocation:    true,
		Defaults: map[string]any{
			"tags": map[string]any{}, "kind": "web",
			"properties": map[string]any{
				"Application_Type": "web", "Request_Source": "rest", "RetentionInDays": 90, "SamplingPercentage": nil,
				"DisableIpMasking": false, "publicNetworkAccessForIngestion": "Enabled", "publicNetworkAccessForQuery": "Enabled",
				"HockeyAppId": "", "HockeyAppToken": "",
			},
		},
		Compute: func(c *ComputeContext) {
			c.Set("properties.ApplicationId", c.Name)
			c.Stable("properties.AppId", c.guid("appId"))
			c.Stable("properties.InstrumentationKey", c.guid("ikey"))
			c.Stable("properties.CreationDate", c.timestamp())
			c.Set("properties.TenantId", c.Subscription)
			region := NormalizeLocation(c.String("location"))
			c.Set("properties.ConnectionString", "InstrumentationKey="+c.String("properties.InstrumentationKey")+
				";IngestionEndpoint=https://"+region+"-0.in.applicationinsights.azure.com/;LiveEndpoint=https://"+region+".livediagnostics.monitor.azure.com/")
			if _, ok := c.Get("properties.WorkspaceResourceId"); ok {
				c.rewrite("properties.IngestionMode", "LogAnalytics")
			} else {
				c.setDefault("properties.IngestionMode", "ApplicationInsights")
			}
		},
	}
}

var subscriptionScopedRoleDef = regexp.MustCompile(`(?i)^/subscriptions/[^/]+(/providers/Microsoft\.Authorization/roleDefinitions/[^/]+)$`)

func roleAssignmentRule() *TypeRule {
	return &TypeRule{
		ProvisioningState: "-",
		NoETag:            true,
		Validate: func(c *ComputeContext) *ErrorDetail {
			if c.String("properties.roleDefinitionId") == "" || c.String("properties.principalId") == "" {
				return &ErrorDetail{Code: "InvalidRoleAssignmentRequest", Message: "properties.roleDefinitionId and properties.principalId are required."}
			}
			if c.Old == nil {
				return nil
			}
			for _, p := range []string{"properties.principalId", "properties.roleDefinitionId"} {
				oldV, _ := getPath(c.Old, p)
				o, _ := oldV.(string)
				if o != "" && !strings.EqualFold(roleDefTail(o), roleDefTail(c.String(p))) {
					return &ErrorDetail{Code: "RoleAssignmentUpdateNotPermitted",
						Message: "Tenant ID, application ID, principal ID, and scope are not allowed to be updated: delete the role assignment and create a new one."}
				}
			}
			return nil
		},
		Compute: func(c *ComputeContext) {
			// The recorded response re-scopes the role definition ID to the
			// tenant form.
			if m := subscriptionScopedRoleDef.FindStringSubmatch(c.String("properties.roleDefinitionId")); m != nil {
				c.rewrite("properties.roleDefinitionId", m[1])
			}
			scope := c.ID
			if i := strings.LastIndex(strings.ToLower(scope), "/providers/microsoft.authorization/roleassignments/"); i >= 0 {
				scope = scope[:i]
			}
			c.Set("properties.scope", scope)
			c.setDefault("properties.principalType", "User")
			c.Stable("properties.createdOn", c.timestamp())
			c.Set("properties.updatedOn", c.Now.Format(time.RFC3339Nano))
			c.Stable("properties.createdBy", func() any { return guidFrom("creator") })
			c.Set("properties.updatedBy", guidFrom("creator"))
		},
	}
}

func roleDefTail(id string) string {
	if m := subscriptionScopedRoleDef.FindStringSubmatch(id); m != nil {
		return m[1]
	}
	return id
}

var storageName = regexp.MustCompile(`^[a-z0-9]{3,24}$`)

func storageAccountRule() *TypeRule {
	return &TypeRule{
		RequireLocation: true,
		Defaults: map[string]any{
			"kind": "StorageV2",
			"properties": map[string]any{
				"allowBlobPublicAccess": false, "allowSharedKeyAccess": true, "minimumTlsVersion": "TLS1_2",
				"supportsHttpsTrafficOnly": true, "allowCrossTenantReplication": false, "defaultToOAuthAuthentication": false,
				"networkAcls": map[string]any{"bypass": "AzureServices", "virtualNetworkRules": []any{}, "ipRules": []any{}, "defaultAction": "Allow"},
				"encryption": map[string]any{
					"services": map[string]any{
						"blob": map[string]any{"keyType": "Account", "enabled": true},
						"file": map[string]any{"keyType": "Account", "enabled": true},
					},
					"keySource": "Microsoft.Storage",
				},
			},
		},
		Recase: map[string]func(string) string{
			"kind":     canonical("Storage", "StorageV2", "BlobStorage", "FileStorage", "BlockBlobStorage"),
			"sku.name": canonical("Standard_LRS", "Standard_GRS", "Standard_RAGRS", "Standard_ZRS", "Premium_LRS", "Premium_ZRS", "Standard_GZRS", "Standard_RAGZRS"),
		},
		Validate: func(c *ComputeContext) *ErrorDetail {
			if !storageName.MatchString(c.Name) {
				return &ErrorDetail{Code: "AccountNameInvalid", Message: c.Name +
					" is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only."}
			}
			return nil
		},
		Compute: func(c *ComputeContext) {
			if c.String("kind") == "StorageV2" || c.String("kind") == "BlobStorage" {
				c.setDefault("properties.accessTier", "Hot")
			}
			if sku := c.String("sku.name"); sku != "" {
				tier, _, _ := strings.Cut(sku, "_")
				c.Set("sku.tier", tier)
			}
			n := strings.ToLower(c.Name)
			eps := map[string]any{}
			for _, svc := range []string{"blob", "queue", "table", "file", "web", "dfs"} {
				eps[svc] = "https://" + n + "." + svc + ".core.windows.net/"
			}
			c.Set("properties.primaryEndpoints", eps)
			c.Set("properties.primaryLocation", c.String("location"))
			c.Set("properties.statusOfPrimary", "available")
			if strings.Contains(c.String("sku.name"), "GRS") || strings.Contains(c.String("sku.name"), "GZRS") {
				c.Set("properties.statusOfSecondary", "available")
			}
			c.Stable("properties.creationTime", c.timestamp())
			c.Stable("properties.keyCreationTime", func() any {
				ts := c.Now.Format(time.RFC3339Nano)
				return map[string]any{"key1": ts, "key2": ts}
			})
			for _, svc := range []string{"blob", "file"} {
				if _, ok := c.Get("properties.encryption.services." + svc); ok {
					c.Stable("properties.encryption.services."+svc+".lastEnabledTime", c.timestamp())
				}
			}
		},
	}
}
