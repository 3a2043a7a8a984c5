// Package components holds the Pulumi ComponentResources that make up a
// hardened Streamlit stack on Azure: App Service behind Front Door with WAF,
// private Storage and Key Vault, and logging. HardenedStack composes them
// from a validated *spec.Spec; every setting comes from the Spec, CONTROLS.md
// says why each one is there.
package components

import (
	"maps"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/streamsec/streamsec/internal/spec"
)

// ProviderVersion pins the azure-native provider plugin for every resource,
// so a real `pulumi up` fetches one plugin whatever SDK module version
// registered the resource (cdn comes from an older SDK module).
const ProviderVersion = "2.92.3"

// Component type tokens.
const (
	TypeHardenedStack = "streamsec:components:HardenedStack"
	TypeNetwork       = "streamsec:components:Network"
	TypeMonitoring    = "streamsec:components:Monitoring"
	TypeDiagnostics   = "streamsec:components:Diagnostics"
	TypeKeyVault      = "streamsec:components:KeyVault"
	TypeStorage       = "streamsec:components:Storage"
	TypeFrontDoor     = "streamsec:components:FrontDoor"
	TypeWAF           = "streamsec:components:WAF"
	TypeAppService    = "streamsec:components:AppService"
	TypeAccess        = "streamsec:components:Access"
	TypeEdgeRouting   = "streamsec:components:EdgeRouting"
	TypePackageStore  = "streamsec:components:PackageStore"
	TypeAppRelease    = "streamsec:components:AppRelease"
)

// Built-in Azure role definition ids.
const (
	roleStorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
	roleKeyVaultSecretsUser        = "4633458b-17de-408a-b874-0445c86b69e6"
)

// StreamPath is Streamlit's WebSocket endpoint.
const StreamPath = "/_stcore/stream"

// child returns the options every azure-native child gets: its component
// parent and the pinned provider version.
func child(parent pulumi.Resource, extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return append([]pulumi.ResourceOption{pulumi.Parent(parent), pulumi.Version(ProviderVersion)}, extra...)
}

// tagMap is the Spec's tags plus what streamsec adds to every resource.
func tagMap(s *spec.Spec) map[string]string {
	all := map[string]string{}
	maps.Copy(all, s.Tags)
	all["environment"] = s.Stack
	all["managedBy"] = "streamsec"
	return all
}

// tags is tagMap as a Pulumi input.
func tags(s *spec.Spec) pulumi.StringMap { return pulumi.ToStringMap(tagMap(s)) }

// roleDefinitionID is the subscription-scoped id of a built-in role.
func roleDefinitionID(subscriptionID, role string) string {
	return "/subscriptions/" + subscriptionID + "/providers/Microsoft.Authorization/roleDefinitions/" + role
}
