package plan

import (
	"reflect"
	"sort"
	"testing"

	"github.com/pulumi/pulumi-azure-native-sdk/cdn/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/keyvault/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TestMockStateHoldsOnlyWhatAzureComputes: the mocks answer a resource with
// its Azure name and computed outputs, not a copy of its inputs, which the
// SDK would marshal and unmarshal once more for nothing (issue 16).
func TestMockStateHoldsOnlyWhatAzureComputes(t *testing.T) {
	m := &mocks{stack: "dev", project: Project}
	_, state, err := m.NewResource(pulumi.MockResourceArgs{
		TypeToken: "azure-native:web:WebApp", Name: "app", Custom: true,
		Inputs: resource.NewPropertyMapFromMap(map[string]any{
			"resourceGroupName": "rg", "httpsOnly": true,
			"identity": map[string]any{"type": "SystemAssigned"},
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range state {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	if want := []string{"defaultHostName", "identity", "name"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("state keys %v, want %v", keys, want)
	}
}

// TestOutputsEchoInputs: the program still reads every input back as an
// output, as from Azure, and the computed members of an object output come
// with the input's own.
func TestOutputsEchoInputs(t *testing.T) {
	type seen struct{ sku, tenant, vaultURI, identityType, principal string }
	got := make(chan seen, 1)
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		vault, err := keyvault.NewVault(ctx, "kv", &keyvault.VaultArgs{
			ResourceGroupName: pulumi.String("rg"), VaultName: pulumi.String("kvdev"),
			Properties: keyvault.VaultPropertiesArgs{
				TenantId: pulumi.String(MockTenantID),
				Sku:      keyvault.SkuArgs{Family: pulumi.String("A"), Name: keyvault.SkuNameStandard},
			},
		})
		if err != nil {
			return err
		}
		profile, err := cdn.NewProfile(ctx, "fd", &cdn.ProfileArgs{
			ResourceGroupName: pulumi.String("rg"),
			Sku:               cdn.SkuArgs{Name: pulumi.String("Premium_AzureFrontDoor")},
			Identity:          cdn.ManagedServiceIdentityArgs{Type: pulumi.String("SystemAssigned, UserAssigned")},
		})
		if err != nil {
			return err
		}
		pulumi.All(vault.Properties, profile.Sku, profile.Identity).ApplyT(func(xs []any) error {
			p := xs[0].(keyvault.VaultPropertiesResponse)
			id := xs[2].(*cdn.ManagedServiceIdentityResponse)
			got <- seen{p.Sku.Name + " " + *xs[1].(cdn.SkuResponse).Name, p.TenantId, p.VaultUri, id.Type, id.PrincipalId}
			return nil
		})
		return nil
	}, pulumi.WithMocks(Project, "dev", NewMocks("dev")), hermetic)
	if err != nil {
		t.Fatal(err)
	}
	var s seen
	select {
	case s = <-got:
	default:
		t.Fatal("the program never read the outputs")
	}
	if s.sku != "standard Premium_AzureFrontDoor" || s.tenant != MockTenantID || s.vaultURI != "https://kvdev.vault.azure.net/" {
		t.Errorf("skus %q, vault tenant %q, vaultUri %q", s.sku, s.tenant, s.vaultURI)
	}
	if s.identityType != "SystemAssigned, UserAssigned" || s.principal == "" {
		t.Errorf("profile identity: type %q, principalId %q", s.identityType, s.principal)
	}
}
