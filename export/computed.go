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
		"properties.geoReplicationStats", "properties.accountMigrationInProgress", "properties.isSkuConversionBlocked",
		"properties.blobRestoreStatus", "properties.failoverInProgress", "properties.lastGeoFailoverTime",
		"properties.privateEndpointConnections",
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
	"Microsoft.DocumentDB/databaseAccounts/sqlDatabases": {
		"properties.resource._rid", "properties.resource._ts", "properties.resource._etag",
		"properties.resource._self", "properties.resource._colls", "properties.resource._users",
	},
	"Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers": {
		"properties.resource._rid", "properties.resource._ts", "properties.resource._etag", "properties.resource._self",
	},
	"Microsoft.EventHub/namespaces": {
		"properties.createdAt", "properties.updatedAt", "properties.serviceBusEndpoint", "properties.metricId", "properties.status",
	},
	"Microsoft.EventHub/namespaces/eventhubs": {"properties.createdAt", "properties.updatedAt", "properties.partitionIds"},
	"Microsoft.ServiceBus/namespaces": {
		"properties.createdAt", "properties.updatedAt", "properties.serviceBusEndpoint", "properties.metricId", "properties.status",
	},
	"Microsoft.ServiceBus/namespaces/queues": {
		"properties.accessedAt", "properties.createdAt", "properties.updatedAt", "properties.messageCount",
		"properties.sizeInBytes", "properties.countDetails",
	},
	"Microsoft.ServiceBus/namespaces/topics": {
		"properties.accessedAt", "properties.createdAt", "properties.updatedAt", "properties.sizeInBytes",
		"properties.subscriptionCount", "properties.countDetails",
	},
	"Microsoft.Network/dnsZones": {
		"properties.maxNumberOfRecordSets", "properties.maxNumberOfRecordsPerRecordSet", "properties.numberOfRecordSets", "properties.nameServers",
	},
	"Microsoft.Network/dnsZones/A":     {"properties.fqdn"},
	"Microsoft.Network/dnsZones/CNAME": {"properties.fqdn"},
	"Microsoft.Network/privateDnsZones": {
		"properties.maxNumberOfRecordSets", "properties.numberOfRecordSets", "properties.maxNumberOfVirtualNetworkLinks",
		"properties.numberOfVirtualNetworkLinks", "properties.maxNumberOfVirtualNetworkLinksWithRegistration",
		"properties.numberOfVirtualNetworkLinksWithRegistration",
	},
	"Microsoft.Network/privateDnsZones/A":                   {"properties.fqdn", "properties.isAutoRegistered"},
	"Microsoft.Network/privateDnsZones/virtualNetworkLinks": {"properties.virtualNetworkLinkState"},
	"Microsoft.Network/virtualNetworks/virtualNetworkPeerings": {
		"properties.peeringState", "properties.peeringSyncLevel", "properties.remoteBgpCommunities",
	},
	"Microsoft.Network/ipGroups":            {"properties.firewalls", "properties.firewallPolicies"},
	"Microsoft.Network/ddosProtectionPlans": {"properties.publicIPAddresses", "properties.virtualNetworks"},
	"Microsoft.Network/publicIPPrefixes":    {"properties.ipPrefix", "properties.publicIPAddresses", "properties.loadBalancerFrontendIpConfiguration"},
	"Microsoft.Network/bastionHosts":        {"properties.dnsName"},
	"Microsoft.EventGrid/topics":            {"properties.endpoint", "properties.metricResourceId"},
	"Microsoft.CognitiveServices/accounts": {
		"properties.endpoint", "properties.endpoints", "properties.internalId", "properties.dateCreated", "properties.capabilities",
	},
	"Microsoft.Sql/servers/databases": {
		"properties.creationDate", "properties.currentServiceObjectiveName", "properties.currentSku", "properties.databaseId",
		"properties.defaultSecondaryLocation", "properties.earliestRestoreDate", "properties.status",
		"properties.currentBackupStorageRedundancy", "properties.failoverGroupId", "properties.pausedDate", "properties.resumedDate",
	},
	"Microsoft.Storage/storageAccounts/blobServices/containers": {
		"properties.hasImmutabilityPolicy", "properties.hasLegalHold", "properties.immutabilityPolicy", "properties.legalHold",
		"properties.lastModifiedTime", "properties.leaseStatus", "properties.leaseState", "properties.leaseDuration",
		"properties.deleted", "properties.deletedTime", "properties.remainingRetentionDays", "properties.version",
	},
	"Microsoft.Storage/storageAccounts/fileServices/shares": {
		"properties.lastModifiedTime", "properties.shareUsageBytes", "properties.deleted", "properties.deletedTime",
		"properties.remainingRetentionDays", "properties.version", "properties.leaseStatus", "properties.leaseState",
	},
	"Microsoft.Compute/disks": {
		"managedBy", "properties.timeCreated", "properties.uniqueId", "properties.diskState", "properties.diskSizeBytes",
		"properties.LastOwnershipUpdateTime",
	},
	"Microsoft.Compute/virtualMachines":                     {"managedBy", "properties.vmId", "properties.instanceView", "properties.timeCreated"},
	"Microsoft.Compute/virtualMachineScaleSets":             {"properties.uniqueId", "properties.timeCreated"},
	"Microsoft.ContainerService/managedClusters/agentPools": {"properties.currentOrchestratorVersion", "properties.nodeImageVersion"},
	"Microsoft.Logic/workflows": {
		"properties.createdTime", "properties.changedTime", "properties.version", "properties.accessEndpoint", "properties.endpointsConfiguration",
	},
	"Microsoft.DataFactory/factories": {"properties.createTime", "properties.version"},
	"Microsoft.Databricks/workspaces": {
		"properties.createdDateTime", "properties.createdBy", "properties.updatedBy", "properties.workspaceId", "properties.workspaceUrl",
	},
	"Microsoft.ApiManagement/service": {
		"properties.createdAtUtc", "properties.gatewayUrl", "properties.gatewayRegionalUrl", "properties.portalUrl",
		"properties.managementApiUrl", "properties.scmUrl", "properties.developerPortalUrl", "properties.publicIPAddresses",
		"properties.privateIPAddresses", "properties.platformVersion", "properties.targetProvisioningState",
	},
	"Microsoft.App/containerApps": {
		"properties.latestReadyRevisionName", "properties.latestRevisionName", "properties.latestRevisionFqdn",
		"properties.outboundIpAddresses", "properties.eventStreamEndpoint", "properties.customDomainVerificationId",
		"properties.runningStatus", "properties.configuration.ingress.fqdn",
	},
	"Microsoft.App/managedEnvironments": {
		"properties.defaultDomain", "properties.staticIp", "properties.deploymentErrors", "properties.eventStreamEndpoint",
		"properties.customDomainConfiguration.customDomainVerificationId",
	},
	"Microsoft.Kusto/clusters":        {"properties.uri", "properties.dataIngestionUri", "properties.state", "properties.stateReason"},
	"Microsoft.Search/searchServices": {"properties.status", "properties.statusDetails", "properties.privateEndpointConnections", "properties.sharedPrivateLinkResources"},
	"Microsoft.Batch/batchAccounts": {
		"properties.accountEndpoint", "properties.nodeManagementEndpoint", "properties.dedicatedCoreQuota",
		"properties.lowPriorityCoreQuota", "properties.dedicatedCoreQuotaPerVMFamily", "properties.poolQuota",
		"properties.activeJobAndJobScheduleQuota", "properties.autoStorage.lastKeySync", "properties.privateEndpointConnections",
	},
	"Microsoft.ContainerService/managedClusters": {
		"properties.fqdn", "properties.azurePortalFQDN", "properties.privateFQDN", "properties.currentKubernetesVersion",
		"properties.maxAgentPools", "properties.agentPoolProfiles.*.currentOrchestratorVersion",
		"properties.agentPoolProfiles.*.nodeImageVersion",
	},
}

// everyType are the values the service computes whatever the type: the
// identities ARM makes for a managed identity, and the GUID the network
// provider gives each of its resources.
var everyType = []string{
	"identity.principalId", "identity.tenantId",
	"identity.userAssignedIdentities.*.principalId", "identity.userAssignedIdentities.*.clientId",
	"properties.resourceGuid",
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
	for _, p := range everyType {
		rules = append(rules, strings.Split(p, "."))
	}
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
			// A user-assigned identity is declared by its key alone ({}).
			assigned := len(path) > 0 && strings.EqualFold(path[len(path)-1], "userAssignedIdentities")
			if m, ok := pe.(map[string]any); ok && len(m) == 0 && len(e.(map[string]any)) > 0 && !assigned {
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
