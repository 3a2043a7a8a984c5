package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/streamsec/streamsec/internal/inventory"
)

// Identities the mocks answer with. They are obviously fake so a plan can
// never be mistaken for a real deployment.
const (
	MockSubscriptionID = "00000000-0000-4000-8000-000000000001"
	MockTenantID       = "00000000-0000-4000-8000-000000000002"
	MockClientID       = "00000000-0000-4000-8000-000000000003"
)

// mocks answer the program's resource registrations and invokes the way
// Azure would (ids, host names, identities), and record every resource.
type mocks struct {
	stack   string
	project string

	// each, when set, is told of every record as it is made, until
	// stopTelling: a cancelled plan returns while the SDK's goroutines
	// still run, and its caller has moved on.
	each    func(inventory.Resource)
	telling sync.RWMutex
	stopped bool

	mu      sync.Mutex
	records []inventory.Resource
	err     error
}

var _ pulumi.MockResourceMonitor = (*mocks)(nil)

// Call answers invokes; the program only reads the client config.
func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	switch args.Token {
	case "azure-native:authorization:getClientConfig":
		return resource.NewPropertyMapFromMap(map[string]any{
			"clientId":       MockClientID,
			"objectId":       MockClientID,
			"subscriptionId": MockSubscriptionID,
			"tenantId":       MockTenantID,
		}), nil
	}
	return nil, fmt.Errorf("offline plan: no mock for invoke %s", args.Token)
}

// NewResource records the resource and returns its id and outputs.
func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	parent := ""
	if args.RegisterRPC != nil {
		parent = args.RegisterRPC.GetParent()
	}
	if resource.URN(parent).IsValid() && resource.URN(parent).QualifiedType() == resource.RootStackType {
		// The root stack is left out of the plan, so nothing points at it.
		parent = ""
	}
	urn := m.urn(parent, args.TypeToken, args.Name)
	rec := inventory.Resource{
		URN:    urn,
		Type:   args.TypeToken,
		Name:   args.Name,
		Parent: parent,
		Inputs: plainMap(args.Inputs),
	}
	m.mu.Lock()
	m.records = append(m.records, rec)
	m.mu.Unlock()
	m.tell(rec)
	if !args.Custom {
		return "", resource.PropertyMap{}, nil
	}
	name := azureName(args.TypeToken, args.Name, args.Inputs)
	id := m.armID(args.TypeToken, name, urn, args.Inputs)
	// Azure echoes the inputs; the state need not: outside a preview the
	// SDK resolves every output the provider does not return to its input
	// (a plan is never a preview: hermetic). Copying the inputs into the
	// state had the SDK marshal and unmarshal each of them once more for
	// nothing, a sixth of a plan's allocations (issue 16).
	state := resource.PropertyMap{"name": resource.NewProperty(name)}
	addComputed(state, args.Inputs, args.TypeToken, name, urn)
	return id, state, nil
}

func (m *mocks) tell(rec inventory.Resource) {
	if m.each == nil {
		return
	}
	m.telling.RLock()
	defer m.telling.RUnlock()
	if !m.stopped {
		m.each(rec)
	}
}

// stopTelling returns once no call of each is under way, and none follows.
func (m *mocks) stopTelling() {
	m.telling.Lock()
	m.stopped = true
	m.telling.Unlock()
}

// urn forms the URN the way Pulumi does (and the mock monitor does).
func (m *mocks) urn(parent, typ, name string) string {
	var parentType string
	if parent != "" {
		parentType = string(resource.URN(parent).QualifiedType())
	}
	return string(resource.NewURN(
		tokens.QName(m.stack), tokens.PackageName(m.project), tokens.Type(parentType), tokens.Type(typ), name))
}

// azureName is the resource's Azure name: the explicit name input when the
// program set one (profileName, vaultName, name...), else the logical name.
func azureName(token, logical string, in resource.PropertyMap) string {
	typ := token[strings.LastIndex(token, ":")+1:]
	typ = strings.TrimPrefix(typ, "AFD")
	keys := []string{lowerFirst(typ) + "Name", "name"}
	switch typ {
	case "StorageAccount":
		keys = append(keys, "accountName")
	case "BlobContainer":
		keys = append(keys, "containerName")
	case "Policy":
		keys = append(keys, "policyName")
	}
	for _, k := range keys {
		if v, ok := in[resource.PropertyKey(k)]; ok && v.IsString() && v.StringValue() != "" {
			return v.StringValue()
		}
	}
	return logical
}

// armPaths are the Azure resource id forms, by type token, below
// /subscriptions/<id>/resourceGroups/<rg>/providers/. {name} is the
// resource's Azure name, {key} the value of another input (its parent's
// name), so references between resources look exactly as Azure's.
var armPaths = map[string]string{
	"azure-native:network:VirtualNetwork":        "Microsoft.Network/virtualNetworks/{name}",
	"azure-native:network:Subnet":                "Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets/{name}",
	"azure-native:network:PrivateEndpoint":       "Microsoft.Network/privateEndpoints/{name}",
	"azure-native:network:PrivateZone":           "Microsoft.Network/privateDnsZones/{name}",
	"azure-native:network:VirtualNetworkLink":    "Microsoft.Network/privateDnsZones/{privateZoneName}/virtualNetworkLinks/{name}",
	"azure-native:network:PrivateDnsZoneGroup":   "Microsoft.Network/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups/{name}",
	"azure-native:network:Policy":                "Microsoft.Network/frontdoorWebApplicationFirewallPolicies/{name}",
	"azure-native:operationalinsights:Workspace": "Microsoft.OperationalInsights/workspaces/{name}",
	"azure-native:keyvault:Vault":                "Microsoft.KeyVault/vaults/{name}",
	"azure-native:keyvault:Secret":               "Microsoft.KeyVault/vaults/{vaultName}/secrets/{name}",
	"azure-native:storage:StorageAccount":        "Microsoft.Storage/storageAccounts/{name}",
	"azure-native:storage:BlobContainer":         "Microsoft.Storage/storageAccounts/{accountName}/blobServices/default/containers/{name}",
	"azure-native:cdn:Profile":                   "Microsoft.Cdn/profiles/{name}",
	"azure-native:cdn:AFDEndpoint":               "Microsoft.Cdn/profiles/{profileName}/afdEndpoints/{name}",
	"azure-native:cdn:AFDOriginGroup":            "Microsoft.Cdn/profiles/{profileName}/originGroups/{name}",
	"azure-native:cdn:AFDOrigin":                 "Microsoft.Cdn/profiles/{profileName}/originGroups/{originGroupName}/origins/{name}",
	"azure-native:cdn:Route":                     "Microsoft.Cdn/profiles/{profileName}/afdEndpoints/{endpointName}/routes/{name}",
	"azure-native:cdn:RuleSet":                   "Microsoft.Cdn/profiles/{profileName}/ruleSets/{name}",
	"azure-native:cdn:Rule":                      "Microsoft.Cdn/profiles/{profileName}/ruleSets/{ruleSetName}/rules/{name}",
	"azure-native:cdn:AFDCustomDomain":           "Microsoft.Cdn/profiles/{profileName}/customDomains/{name}",
	"azure-native:cdn:Secret":                    "Microsoft.Cdn/profiles/{profileName}/secrets/{name}",
	"azure-native:cdn:SecurityPolicy":            "Microsoft.Cdn/profiles/{profileName}/securityPolicies/{name}",
	"azure-native:web:AppServicePlan":            "Microsoft.Web/serverfarms/{name}",
	"azure-native:web:WebApp":                    "Microsoft.Web/sites/{name}",
	"azure-native:web:WebAppFtpAllowed":          "Microsoft.Web/sites/{name}/basicPublishingCredentialsPolicies/ftp",
	"azure-native:web:WebAppScmAllowed":          "Microsoft.Web/sites/{name}/basicPublishingCredentialsPolicies/scm",
	"azure-native:web:WebAppAuthSettingsV2":      "Microsoft.Web/sites/{name}/config/authsettingsV2",
}

// armID builds the resource's Azure id.
func (m *mocks) armID(token, name, urn string, in resource.PropertyMap) string {
	sub := "/subscriptions/" + MockSubscriptionID
	str := func(key string) string {
		if v, ok := in[resource.PropertyKey(key)]; ok && v.IsString() {
			return v.StringValue()
		}
		return "unknown"
	}
	base := inventory.BaseType(token)
	switch base {
	case "azure-native:resources:ResourceGroup":
		return sub + "/resourceGroups/" + name
	case "azure-native:authorization:RoleAssignment":
		return str("scope") + "/providers/Microsoft.Authorization/roleAssignments/" + guid("roleAssignment", urn)
	case "azure-native:insights:DiagnosticSetting":
		return str("resourceUri") + "/providers/Microsoft.Insights/diagnosticSettings/" + name
	}
	path, ok := armPaths[base]
	if !ok {
		parts := strings.Split(base, ":")
		path = "Mock." + parts[1] + "/" + lowerFirst(parts[2]) + "s/{name}"
	}
	path = strings.ReplaceAll(path, "{name}", name)
	for {
		i := strings.Index(path, "{")
		if i < 0 {
			break
		}
		j := strings.Index(path[i:], "}")
		if j < 0 {
			break
		}
		path = path[:i] + str(path[i+1:i+j]) + path[i+j+1:]
	}
	return sub + "/resourceGroups/" + str("resourceGroupName") + "/providers/" + path
}

// addComputed sets the outputs Azure computes that the program reads; an
// object output that also holds inputs (identity, vault properties) is the
// input with the computed members added.
func addComputed(state, in resource.PropertyMap, token, name, urn string) {
	switch inventory.BaseType(token) {
	case "azure-native:web:WebApp":
		state["defaultHostName"] = resource.NewProperty(name + ".azurewebsites.net")
		state["identity"] = identity(in, urn)
	case "azure-native:cdn:Profile":
		state["frontDoorId"] = resource.NewProperty(guid("frontDoorId", urn))
		state["identity"] = identity(in, urn)
	case "azure-native:cdn:AFDEndpoint":
		state["hostName"] = resource.NewProperty(name + "-" + hash(urn, 16) + ".z01.azurefd.net")
	case "azure-native:keyvault:Vault":
		props := objectOf(in["properties"])
		props["vaultUri"] = resource.NewProperty("https://" + name + ".vault.azure.net/")
		state["properties"] = resource.NewProperty(props)
	case "azure-native:keyvault:Secret":
		vault := "vault"
		if v, ok := in["vaultName"]; ok && v.IsString() {
			vault = v.StringValue()
		}
		// The outputs never carry the value back.
		state["properties"] = resource.NewProperty(resource.PropertyMap{
			"secretUri":            resource.NewProperty("https://" + vault + ".vault.azure.net/secrets/" + name),
			"secretUriWithVersion": resource.NewProperty("https://" + vault + ".vault.azure.net/secrets/" + name + "/" + hash(urn, 32)),
		})
	case "azure-native:storage:StorageAccount":
		state["primaryEndpoints"] = resource.NewProperty(resource.PropertyMap{
			"blob": resource.NewProperty("https://" + name + ".blob.core.windows.net/"),
		})
	}
}

func identity(in resource.PropertyMap, urn string) resource.PropertyValue {
	id := objectOf(in["identity"])
	if _, ok := id["type"]; !ok {
		id["type"] = resource.NewProperty("SystemAssigned")
	}
	id["principalId"] = resource.NewProperty(guid("principalId", urn))
	id["tenantId"] = resource.NewProperty(MockTenantID)
	return resource.NewProperty(id)
}

func objectOf(v resource.PropertyValue) resource.PropertyMap {
	if v.IsObject() {
		return v.ObjectValue().Copy()
	}
	return resource.PropertyMap{}
}

// guid derives a stable GUID-shaped value, so plans are reproducible.
func guid(kind, urn string) string {
	h := hash(kind+"\x00"+urn, 32)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-8" + h[17:20] + "-" + h[20:32]
}

func hash(s string, n int) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:n]
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// NewMocks returns a fresh mock monitor answering like Azure for one stack,
// for tests that run the program themselves (program.Run with config).
func NewMocks(stack string) pulumi.MockResourceMonitor {
	return &mocks{stack: stack, project: Project}
}
