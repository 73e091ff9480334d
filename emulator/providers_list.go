package emulator

import (
	"sort"
	"strings"
)

// resourceTypes are the resourceTypes a provider registration lists for
// namespace ns, each with the api-versions it accepts, newest first, and
// the namespace as the table spells it ("" when the table has none of its
// types). The versions come from Options.APIVersions where it names a
// type, else from registeredVersions.
func (s *Server) resourceTypes(ns string) (canonical string, types []any) {
	versions := map[string][]string{}
	for typ, vs := range registeredVersions() {
		versions[strings.ToLower(typ)] = vs
	}
	for typ, vs := range s.opts.APIVersions {
		versions[strings.ToLower(typ)] = vs
	}
	types = []any{}
	for _, typ := range sortedKeys(registeredVersions(), s.opts.APIVersions) {
		prefix, rest, ok := strings.Cut(typ, "/")
		if !ok || !strings.EqualFold(prefix, ns) {
			continue
		}
		canonical = prefix
		vs := append([]string(nil), versions[strings.ToLower(typ)]...)
		sort.Sort(sort.Reverse(sort.StringSlice(vs)))
		types = append(types, map[string]any{"resourceType": rest, "locations": []any{}, "apiVersions": vs})
	}
	return canonical, types
}

// sortedKeys is the union of the maps' keys, without case duplicates, sorted.
func sortedKeys(ms ...map[string][]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		for k := range m {
			if !seen[strings.ToLower(k)] {
				seen[strings.ToLower(k)] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// registeredVersions are the api-versions the emulator's provider
// registrations list per type: the stable versions that the ARM example
// corpus and azapply's examples use, and a preview newer than all of them
// (as ARM lists previews beside the stable versions), so that a client
// choosing among them is tested on both. Every version is accepted unless
// Options.APIVersions says otherwise.
func registeredVersions() map[string][]string {
	return map[string][]string{
		"Microsoft.ApiManagement/service":                                               {"2025-05-01-preview", "2024-05-01"},
		"Microsoft.App/containerApps":                                                   {"2026-01-01-preview", "2025-01-01"},
		"Microsoft.App/managedEnvironments":                                             {"2026-01-01-preview", "2025-01-01"},
		"Microsoft.Authorization/policyAssignments":                                     {"2024-04-01-preview", "2023-04-01"},
		"Microsoft.Authorization/roleAssignments":                                       {"2023-04-01-preview", "2022-04-01"},
		"Microsoft.Batch/batchAccounts":                                                 {"2025-07-01-preview", "2024-07-01"},
		"Microsoft.Cache/redis":                                                         {"2025-11-01-preview", "2024-11-01"},
		"Microsoft.Cache/redis/firewallRules":                                           {"2025-11-01-preview", "2024-11-01"},
		"Microsoft.CognitiveServices/accounts":                                          {"2025-10-01-preview", "2024-10-01"},
		"Microsoft.CognitiveServices/accounts/deployments":                              {"2025-10-01-preview", "2024-10-01"},
		"Microsoft.Compute/availabilitySets":                                            {"2025-11-01-preview", "2024-11-01"},
		"Microsoft.Compute/disks":                                                       {"2025-03-02-preview", "2024-03-02"},
		"Microsoft.Compute/snapshots":                                                   {"2025-03-02-preview", "2024-03-02"},
		"Microsoft.Compute/sshPublicKeys":                                               {"2025-11-01-preview", "2024-11-01"},
		"Microsoft.Compute/virtualMachineScaleSets":                                     {"2025-11-01-preview", "2024-11-01"},
		"Microsoft.Compute/virtualMachines":                                             {"2025-11-01-preview", "2024-11-01"},
		"Microsoft.ContainerInstance/containerGroups":                                   {"2024-10-01-preview", "2023-05-01"},
		"Microsoft.ContainerRegistry/registries":                                        {"2024-07-01-preview", "2023-07-01", "2019-05-01"},
		"Microsoft.ContainerService/managedClusters":                                    {"2026-01-01-preview", "2025-01-01"},
		"Microsoft.ContainerService/managedClusters/agentPools":                         {"2026-01-01-preview", "2025-01-01"},
		"Microsoft.DBforPostgreSQL/flexibleServers":                                     {"2025-08-01-preview", "2024-08-01"},
		"Microsoft.DBforPostgreSQL/flexibleServers/databases":                           {"2025-08-01-preview", "2024-08-01"},
		"Microsoft.DBforPostgreSQL/flexibleServers/firewallRules":                       {"2025-08-01-preview", "2024-08-01"},
		"Microsoft.DataFactory/factories":                                               {"2019-06-01-preview", "2018-06-01"},
		"Microsoft.Databricks/workspaces":                                               {"2025-05-01-preview", "2024-05-01"},
		"Microsoft.DocumentDB/databaseAccounts":                                         {"2025-11-15-preview", "2024-11-15"},
		"Microsoft.DocumentDB/databaseAccounts/sqlDatabases":                            {"2025-11-15-preview", "2024-11-15"},
		"Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers":                 {"2025-11-15-preview", "2024-11-15"},
		"Microsoft.EventGrid/topics":                                                    {"2026-02-15-preview", "2025-02-15"},
		"Microsoft.EventHub/namespaces":                                                 {"2025-01-01-preview", "2024-01-01"},
		"Microsoft.EventHub/namespaces/eventhubs":                                       {"2025-01-01-preview", "2024-01-01"},
		"Microsoft.Insights/components":                                                 {"2021-02-02-preview", "2020-02-02"},
		"Microsoft.Insights/metricAlerts":                                               {"2019-03-01-preview", "2018-03-01"},
		"Microsoft.KeyVault/vaults":                                                     {"2025-11-01-preview", "2024-11-01"},
		"Microsoft.KeyVault/vaults/keys":                                                {"2025-11-01-preview", "2024-11-01"},
		"Microsoft.KeyVault/vaults/secrets":                                             {"2025-11-01-preview", "2024-11-01"},
		"Microsoft.Kusto/clusters":                                                      {"2025-04-13-preview", "2024-04-13"},
		"Microsoft.Logic/workflows":                                                     {"2020-05-01-preview", "2019-05-01"},
		"Microsoft.ManagedIdentity/userAssignedIdentities":                              {"2024-01-31-preview", "2023-01-31"},
		"Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials": {"2024-01-31-preview", "2023-01-31"},
		"Microsoft.Management/managementGroups":                                         {"2024-04-01-preview", "2023-04-01"},
		"Microsoft.Network/applicationGateways":                                         {"2025-07-01-preview", "2024-07-01"},
		"Microsoft.Network/applicationSecurityGroups":                                   {"2025-07-01-preview", "2024-07-01"},
		"Microsoft.Network/bastionHosts":                                                {"2025-07-01-preview", "2024-07-01"},
		"Microsoft.Network/ddosProtectionPlans":                                         {"2025-07-01-preview", "2024-07-01"},
		"Microsoft.Network/dnsZones":                                                    {"2019-05-01-preview", "2018-05-01"},
		"Microsoft.Network/dnsZones/A":                                                  {"2019-05-01-preview", "2018-05-01"},
		"Microsoft.Network/dnsZones/CNAME":                                              {"2019-05-01-preview", "2018-05-01"},
		"Microsoft.Network/ipGroups":                                                    {"2025-07-01-preview", "2024-07-01"},
		"Microsoft.Network/loadBalancers":                                               {"2025-07-01-preview", "2024-07-01"},
		"Microsoft.Network/natGateways":                                                 {"2025-07-01-preview", "2024-07-01"},
		"Microsoft.Network/networkInterfaces":                                           {"2025-07-01-preview", "2024-07-01"},
		"Microsoft.Network/networkSecurityGroups":                                       {"2025-07-01-preview", "2024-07-01", "2023-09-01"},
		"Microsoft.Network/networkSecurityGroups/securityRules":                         {"2025-07-01-preview", "2024-07-01", "2023-09-01"},
		"Microsoft.Network/privateDnsZones":                                             {"2025-06-01-preview", "2024-06-01"},
		"Microsoft.Network/privateDnsZones/A":                                           {"2025-06-01-preview", "2024-06-01"},
		"Microsoft.Network/privateDnsZones/virtualNetworkLinks":                         {"2025-06-01-preview", "2024-06-01"},
		"Microsoft.Network/privateEndpoints":                                            {"2025-07-01-preview", "2024-07-01"},
		"Microsoft.Network/publicIPAddresses":                                           {"2025-07-01-preview", "2024-07-01"},
		"Microsoft.Network/publicIPPrefixes":                                            {"2025-07-01-preview", "2024-07-01"},
		"Microsoft.Network/routeTables":                                                 {"2025-07-01-preview", "2024-07-01"},
		"Microsoft.Network/routeTables/routes":                                          {"2025-07-01-preview", "2024-07-01"},
		"Microsoft.Network/virtualNetworks":                                             {"2025-07-01-preview", "2024-07-01", "2023-09-01"},
		"Microsoft.Network/virtualNetworks/subnets":                                     {"2025-07-01-preview", "2024-07-01", "2023-09-01"},
		"Microsoft.Network/virtualNetworks/virtualNetworkPeerings":                      {"2025-07-01-preview", "2024-07-01"},
		"Microsoft.OperationalInsights/workspaces":                                      {"2024-09-01-preview", "2023-09-01"},
		"Microsoft.OperationalInsights/workspaces/tables":                               {"2024-09-01-preview", "2023-09-01"},
		"Microsoft.Resources/resourceGroups":                                            {"2022-04-01-preview", "2021-04-01"},
		"Microsoft.Search/searchServices":                                               {"2024-11-01-preview", "2023-11-01"},
		"Microsoft.ServiceBus/namespaces":                                               {"2025-01-01-preview", "2024-01-01"},
		"Microsoft.ServiceBus/namespaces/queues":                                        {"2025-01-01-preview", "2024-01-01"},
		"Microsoft.ServiceBus/namespaces/topics":                                        {"2025-01-01-preview", "2024-01-01"},
		"Microsoft.ServiceBus/namespaces/topics/subscriptions/rules":                    {"2025-01-01-preview", "2024-01-01"},
		"Microsoft.ServiceBus/namespaces/topics/subscriptions":                          {"2025-01-01-preview", "2024-01-01"},
		"Microsoft.Sql/servers":                                                         {"2024-08-01-preview", "2023-08-01"},
		"Microsoft.Sql/servers/databases":                                               {"2024-08-01-preview", "2023-08-01"},
		"Microsoft.Sql/servers/firewallRules":                                           {"2024-08-01-preview", "2023-08-01"},
		"Microsoft.Storage/storageAccounts":                                             {"2026-01-01-preview", "2025-01-01", "2023-05-01", "2019-06-01"},
		"Microsoft.Storage/storageAccounts/blobServices":                                {"2026-01-01-preview", "2025-01-01"},
		"Microsoft.Storage/storageAccounts/blobServices/containers":                     {"2026-01-01-preview", "2025-01-01"},
		"Microsoft.Storage/storageAccounts/fileServices/shares":                         {"2026-01-01-preview", "2025-01-01"},
		"Microsoft.Storage/storageAccounts/fileServices":                                {"2026-01-01-preview", "2025-01-01"},
		"Microsoft.Storage/storageAccounts/queueServices/queues":                        {"2026-01-01-preview", "2025-01-01"},
		"Microsoft.Storage/storageAccounts/queueServices":                               {"2026-01-01-preview", "2025-01-01"},
		"Microsoft.Web/serverfarms":                                                     {"2025-04-01-preview", "2024-04-01"},
		"Microsoft.Web/sites":                                                           {"2025-04-01-preview", "2024-04-01"},
		"Microsoft.Web/staticSites":                                                     {"2025-04-01-preview", "2024-04-01"},
	}
}
