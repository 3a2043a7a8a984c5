// Package azureid forms Azure Resource Manager ids from a resource's type
// and inputs, the way Azure does for the resource types streamsec deploys
// (ARM REST reference: each type's PUT path). The engine uses it to look up
// a resource whose create a killed run left pending (did Azure make it?),
// and the stand-in provider (test/standin-provider) to answer as Azure
// would, so both follow one table.
package azureid

import "strings"

// shape is a type's id template: {key} is an input, {name} the resource's
// own name, {rg} its resource group's id, {sub} the subscription. nameKey
// is the input naming the resource itself ("" when the name comes from
// another input, as for a web app's config children).
type shape struct{ nameKey, path string }

func shapes() map[string]shape {
	return map[string]shape{
		"azure-native:resources:ResourceGroup":                 {"resourceGroupName", "/subscriptions/{sub}/resourceGroups/{name}"},
		"azure-native:web:AppServicePlan":                      {"name", "{rg}/providers/Microsoft.Web/serverfarms/{name}"},
		"azure-native:web:WebApp":                              {"name", "{rg}/providers/Microsoft.Web/sites/{name}"},
		"azure-native:web:WebAppFtpAllowed":                    {"", "{rg}/providers/Microsoft.Web/sites/{name:site}/basicPublishingCredentialsPolicies/ftp"},
		"azure-native:web:WebAppScmAllowed":                    {"", "{rg}/providers/Microsoft.Web/sites/{name:site}/basicPublishingCredentialsPolicies/scm"},
		"azure-native:web:WebAppAuthSettingsV2":                {"", "{rg}/providers/Microsoft.Web/sites/{name:site}/config/authsettingsV2"},
		"azure-native:web:WebAppSwiftVirtualNetworkConnection": {"", "{rg}/providers/Microsoft.Web/sites/{name:site}/networkConfig/virtualNetwork"},
		"azure-native:web:WebAppDiagnosticLogsConfiguration":   {"", "{rg}/providers/Microsoft.Web/sites/{name:site}/config/logs"},
		"azure-native:cdn:Profile":                             {"profileName", "{rg}/providers/Microsoft.Cdn/profiles/{name}"},
		"azure-native:cdn:AFDEndpoint":                         {"endpointName", "{rg}/providers/Microsoft.Cdn/profiles/{profileName}/afdEndpoints/{name}"},
		"azure-native:cdn:AFDOriginGroup":                      {"originGroupName", "{rg}/providers/Microsoft.Cdn/profiles/{profileName}/originGroups/{name}"},
		"azure-native:cdn:AFDOrigin":                           {"originName", "{rg}/providers/Microsoft.Cdn/profiles/{profileName}/originGroups/{originGroupName}/origins/{name}"},
		"azure-native:cdn:Route":                               {"routeName", "{rg}/providers/Microsoft.Cdn/profiles/{profileName}/afdEndpoints/{endpointName}/routes/{name}"},
		"azure-native:cdn:RuleSet":                             {"ruleSetName", "{rg}/providers/Microsoft.Cdn/profiles/{profileName}/ruleSets/{name}"},
		"azure-native:cdn:Rule":                                {"ruleName", "{rg}/providers/Microsoft.Cdn/profiles/{profileName}/ruleSets/{ruleSetName}/rules/{name}"},
		"azure-native:cdn:AFDCustomDomain":                     {"customDomainName", "{rg}/providers/Microsoft.Cdn/profiles/{profileName}/customDomains/{name}"},
		"azure-native:cdn:Secret":                              {"secretName", "{rg}/providers/Microsoft.Cdn/profiles/{profileName}/secrets/{name}"},
		"azure-native:cdn:SecurityPolicy":                      {"securityPolicyName", "{rg}/providers/Microsoft.Cdn/profiles/{profileName}/securityPolicies/{name}"},
		"azure-native:network:Policy":                          {"policyName", "{rg}/providers/Microsoft.Network/frontDoorWebApplicationFirewallPolicies/{name}"},
		"azure-native:network:VirtualNetwork":                  {"virtualNetworkName", "{rg}/providers/Microsoft.Network/virtualNetworks/{name}"},
		"azure-native:network:Subnet":                          {"subnetName", "{rg}/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets/{name}"},
		"azure-native:network:NetworkSecurityGroup":            {"networkSecurityGroupName", "{rg}/providers/Microsoft.Network/networkSecurityGroups/{name}"},
		"azure-native:network:PrivateEndpoint":                 {"privateEndpointName", "{rg}/providers/Microsoft.Network/privateEndpoints/{name}"},
		"azure-native:network:PrivateZone":                     {"privateZoneName", "{rg}/providers/Microsoft.Network/privateDnsZones/{name}"},
		"azure-native:network:VirtualNetworkLink":              {"virtualNetworkLinkName", "{rg}/providers/Microsoft.Network/privateDnsZones/{privateZoneName}/virtualNetworkLinks/{name}"},
		"azure-native:network:PrivateDnsZoneGroup":             {"privateDnsZoneGroupName", "{rg}/providers/Microsoft.Network/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups/{name}"},
		"azure-native:storage:StorageAccount":                  {"accountName", "{rg}/providers/Microsoft.Storage/storageAccounts/{name}"},
		"azure-native:storage:BlobContainer":                   {"containerName", "{rg}/providers/Microsoft.Storage/storageAccounts/{accountName}/blobServices/default/containers/{name}"},
		"azure-native:keyvault:Vault":                          {"vaultName", "{rg}/providers/Microsoft.KeyVault/vaults/{name}"},
		"azure-native:keyvault:Secret":                         {"secretName", "{rg}/providers/Microsoft.KeyVault/vaults/{vaultName}/secrets/{name}"},
		"azure-native:insights:DiagnosticSetting":              {"name", "{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{name}"},
		"azure-native:insights:Component":                      {"resourceName", "{rg}/providers/Microsoft.Insights/components/{name}"},
		"azure-native:operationalinsights:Workspace":           {"workspaceName", "{rg}/providers/Microsoft.OperationalInsights/workspaces/{name}"},
		"azure-native:authorization:RoleAssignment":            {"roleAssignmentName", "{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"},
		"azure-native:managedidentity:UserAssignedIdentity":    {"resourceName", "{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}"},
		"azure-native:resources:Deployment":                    {"deploymentName", "{rg}/providers/Microsoft.Resources/deployments/{name}"},
	}
}

// BaseToken drops an API version from a type token:
// azure-native:network/v20240201:Policy -> azure-native:network:Policy.
func BaseToken(tok string) string {
	parts := strings.Split(tok, ":")
	if len(parts) == 3 {
		mod, _, _ := strings.Cut(parts[1], "/")
		return parts[0] + ":" + mod + ":" + parts[2]
	}
	return tok
}

// Inputs reads a string input by key.
type Inputs func(key string) (string, bool)

// NameKey returns the input that names a resource of the type, and
// whether the type's id shape is known at all. An empty key with ok means
// the name comes from another input ({name:site}).
func NameKey(typ string) (key string, ok bool) {
	s, ok := shapes()[BaseToken(typ)]
	return s.nameKey, ok
}

// Known reports whether the type's id shape is in the table.
func Known(typ string) bool { _, ok := shapes()[BaseToken(typ)]; return ok }

// ID forms the id of a resource of type typ named name in subscription
// sub. For a type outside the table it uses Azure's generic shape
// {rg}/providers/Microsoft.<Module>/<kind>s/{name}; callers that must be
// exact check Known first. A template input that is missing stays as its
// key, so the id cannot match a real one by accident.
func ID(typ, name, sub string, in Inputs) string {
	base := BaseToken(typ)
	s, ok := shapes()[base]
	if !ok {
		parts := strings.Split(base, ":")
		mod, kind := "resources", "resource"
		if len(parts) == 3 {
			mod, kind = parts[1], parts[2]
		}
		s.path = "{rg}/providers/Microsoft." + upperFirst(mod) + "/" + lowerFirst(kind) + "s/{name}"
	}
	str := func(k string) string {
		if v, ok := in(k); ok {
			return v
		}
		return k
	}
	path := s.path
	var b strings.Builder
	for {
		i := strings.Index(path, "{")
		if i < 0 {
			b.WriteString(path)
			break
		}
		j := strings.Index(path[i:], "}")
		b.WriteString(path[:i])
		key := path[i+1 : i+j]
		path = path[i+j+1:]
		switch key {
		case "sub":
			b.WriteString(sub)
		case "rg":
			b.WriteString("/subscriptions/" + sub + "/resourceGroups/" + str("resourceGroupName"))
		case "name":
			b.WriteString(name)
		case "name:site":
			b.WriteString(str("name"))
		case "resourceUri", "scope":
			b.WriteString(strings.TrimSuffix(str(key), "/"))
		default:
			b.WriteString(str(key))
		}
	}
	return b.String()
}

// Subscription returns the subscription id in an ARM id, "" if none.
func Subscription(id string) string {
	rest, ok := strings.CutPrefix(id, "/subscriptions/")
	if !ok {
		return ""
	}
	sub, _, _ := strings.Cut(rest, "/")
	return sub
}

// ARMType returns the resource type an ARM id names, with its namespace
// ("Microsoft.Cdn/profiles" for .../providers/Microsoft.Cdn/profiles/fd,
// "Microsoft.Cdn/profiles/afdEndpoints" for an endpoint of it), or "" when
// id is not one. The part after the last /providers/ is read, so an
// extension resource's id names the extension, and a template's relative
// id ("Microsoft.Cdn/profiles/fd", a diagnostic setting's scope) reads too.
func ARMType(id string) string {
	rest := id
	if i := strings.LastIndex(strings.ToLower(id), "/providers/"); i >= 0 {
		rest = id[i+len("/providers/"):]
	}
	segs := strings.Split(strings.Trim(rest, "/"), "/")
	if len(segs) < 3 || len(segs)%2 == 0 || !strings.Contains(segs[0], ".") {
		return ""
	}
	types := []string{segs[0]}
	for k := 1; k < len(segs); k += 2 {
		if segs[k] == "" || segs[k+1] == "" {
			return ""
		}
		types = append(types, segs[k])
	}
	return strings.Join(types, "/")
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
