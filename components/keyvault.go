package components

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/keyvault/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/streamsec/streamsec/internal/spec"
)

// CookieSecretName is the Key Vault secret holding Streamlit's cookie secret.
const CookieSecretName = "streamlit-cookie-secret"

// PlaceholderCookieSecret stands in for the cookie secret when the Spec has
// no readable value (the offline plan of a stack whose value is encrypted).
// It is still passed as a secret; a real deployment refuses to run without
// the real value (spec.RequireSecrets).
const PlaceholderCookieSecret = "streamsec-offline-plan-placeholder-not-a-secret"

// KeyVaultArgs configure the stack's vault.
type KeyVaultArgs struct {
	Spec                    *spec.Spec
	ResourceGroupName       pulumi.StringInput
	TenantID                string
	PrivateEndpointSubnetID pulumi.StringInput
	VNetID                  pulumi.StringInput
}

// KeyVault is the vault (RBAC, purge protection, private), its private
// endpoint and the Streamlit cookie secret.
type KeyVault struct {
	pulumi.ResourceState
	VaultID   pulumi.IDOutput
	VaultName pulumi.StringOutput
	VaultURI  pulumi.StringOutput
	// CookieSecretURI is the secret's versionless URI, for the App Service
	// Key Vault reference (latest version wins on rotation).
	CookieSecretURI pulumi.StringOutput
	// CookieSecretRef is the App Setting value that makes App Service read
	// the cookie secret from the vault. It uses the vault and secret names,
	// which are known at preview (a URI from the vault's outputs is not, and
	// the policy packs fail closed on unknown values).
	CookieSecretRef string
	// CookieSecret is the secret resource, for dependency ordering.
	CookieSecret pulumi.Resource
}

// NewKeyVault registers the vault, its private endpoint and the cookie secret.
func NewKeyVault(ctx *pulumi.Context, name string, args *KeyVaultArgs, opts ...pulumi.ResourceOption) (*KeyVault, error) {
	c := &KeyVault{}
	if err := ctx.RegisterComponentResource(TypeKeyVault, name, c, opts...); err != nil {
		return nil, err
	}
	s := args.Spec
	// Front Door reads a customer certificate from the vault over the
	// public endpoint as a trusted Microsoft service; otherwise nothing
	// outside the VNet needs the vault at all.
	publicAccess := "Disabled"
	if s.CertificateSource == spec.CertificateKeyVault {
		publicAccess = "Enabled"
	}
	vaultName := s.CompactName("kv", 24)
	vault, err := keyvault.NewVault(ctx, name+"-vault", &keyvault.VaultArgs{
		ResourceGroupName: args.ResourceGroupName,
		VaultName:         pulumi.String(vaultName),
		Location:          pulumi.String(s.Location),
		Properties: &keyvault.VaultPropertiesArgs{
			TenantId:                  pulumi.String(args.TenantID),
			Sku:                       &keyvault.SkuArgs{Family: pulumi.String("A"), Name: keyvault.SkuNameStandard},
			EnableRbacAuthorization:   pulumi.Bool(true),
			EnablePurgeProtection:     pulumi.Bool(true),
			EnableSoftDelete:          pulumi.Bool(true),
			SoftDeleteRetentionInDays: pulumi.Int(90),
			PublicNetworkAccess:       pulumi.String(publicAccess),
			NetworkAcls: &keyvault.NetworkRuleSetArgs{
				DefaultAction: pulumi.String("Deny"),
				Bypass:        pulumi.String("AzureServices"),
			},
		},
		Tags: tags(s),
	}, child(c)...)
	if err != nil {
		return nil, fmt.Errorf("key vault: %w", err)
	}
	if _, err := newPrivateLink(ctx, c, privateLinkArgs{
		Spec: s, ResourceGroupName: args.ResourceGroupName, Name: name, Kind: "kv",
		TargetID: vault.ID(), GroupID: "vault", Zone: "privatelink.vaultcore.azure.net",
		SubnetID: args.PrivateEndpointSubnetID, VNetID: args.VNetID,
	}); err != nil {
		return nil, err
	}

	value := s.CookieSecret.Value()
	if value == "" {
		value = PlaceholderCookieSecret
	}
	secret, err := keyvault.NewSecret(ctx, name+"-cookie-secret", &keyvault.SecretArgs{
		ResourceGroupName: args.ResourceGroupName,
		VaultName:         vault.Name,
		SecretName:        pulumi.String(CookieSecretName),
		Properties: &keyvault.SecretPropertiesArgs{
			Value:       pulumi.ToSecret(pulumi.String(value)).(pulumi.StringOutput),
			ContentType: pulumi.String("text/plain; streamlit server.cookieSecret"),
		},
		Tags: tags(s),
	}, child(c, pulumi.AdditionalSecretOutputs([]string{"properties"}))...)
	if err != nil {
		return nil, fmt.Errorf("cookie secret: %w", err)
	}

	vaultURI := vault.Properties.VaultUri()
	c.VaultID, c.VaultName, c.VaultURI = vault.ID(), vault.Name, vaultURI
	c.CookieSecret = secret
	c.CookieSecretRef = fmt.Sprintf("@Microsoft.KeyVault(VaultName=%s;SecretName=%s)", vaultName, CookieSecretName)
	// Built from the vault URI rather than read from the secret's outputs,
	// which carry the secret value and so are secret as a whole.
	c.CookieSecretURI = pulumi.All(vaultURI, secret.Name).ApplyT(func(v []any) string {
		return strings.TrimSuffix(v[0].(string), "/") + "/secrets/" + CookieSecretName
	}).(pulumi.StringOutput)
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"vaultId":         vault.ID(),
		"vaultName":       vault.Name,
		"vaultUri":        vaultURI,
		"cookieSecretUri": c.CookieSecretURI,
	}); err != nil {
		return nil, err
	}
	return c, nil
}
