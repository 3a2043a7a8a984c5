package components

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/storage/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/streamsec/streamsec/internal/spec"
)

// StorageArgs configure the app's private storage account.
type StorageArgs struct {
	Spec                    *spec.Spec
	ResourceGroupName       pulumi.StringInput
	SubscriptionID          string
	PrivateEndpointSubnetID pulumi.StringInput
	VNetID                  pulumi.StringInput
	// AppPrincipalID is the web app's managed identity, given data access.
	AppPrincipalID pulumi.StringInput
}

// Storage is a storage account reachable only through its private endpoint,
// with no shared keys, so the app uses its managed identity.
type Storage struct {
	pulumi.ResourceState
	AccountID   pulumi.IDOutput
	AccountName pulumi.StringOutput
}

// ContainerName is the blob container the app writes to.
const ContainerName = "app-data"

// NewStorage registers the account, a container, its private endpoint and
// the app's role assignment.
func NewStorage(ctx *pulumi.Context, name string, args *StorageArgs, opts ...pulumi.ResourceOption) (*Storage, error) {
	c := &Storage{}
	if err := ctx.RegisterComponentResource(TypeStorage, name, c, opts...); err != nil {
		return nil, err
	}
	s := args.Spec
	accountArgs := hardenedAccount(s, args.ResourceGroupName, DataAccountName(s), tags(s))
	accountArgs.PublicNetworkAccess = pulumi.String("Disabled")
	accountArgs.NetworkRuleSet = &storage.NetworkRuleSetArgs{
		DefaultAction: storage.DefaultActionDeny,
		Bypass:        pulumi.String("None"),
	}
	account, err := storage.NewStorageAccount(ctx, name+"-account", accountArgs, child(c)...)
	if err != nil {
		return nil, fmt.Errorf("storage account: %w", err)
	}
	if _, err := storage.NewBlobContainer(ctx, name+"-container", &storage.BlobContainerArgs{
		ResourceGroupName: args.ResourceGroupName,
		AccountName:       account.Name,
		ContainerName:     pulumi.String(ContainerName),
		PublicAccess:      storage.PublicAccessNone,
	}, child(c)...); err != nil {
		return nil, fmt.Errorf("blob container: %w", err)
	}
	if _, err := newPrivateLink(ctx, c, privateLinkArgs{
		Spec: s, ResourceGroupName: args.ResourceGroupName, Name: name, Kind: "blob",
		TargetID: account.ID(), GroupID: "blob", Zone: "privatelink.blob.core.windows.net",
		SubnetID: args.PrivateEndpointSubnetID, VNetID: args.VNetID,
	}); err != nil {
		return nil, err
	}
	if _, err := authorization.NewRoleAssignment(ctx, name+"-app-blob-contributor", &authorization.RoleAssignmentArgs{
		Scope:            account.ID(),
		PrincipalId:      args.AppPrincipalID,
		PrincipalType:    pulumi.String("ServicePrincipal"),
		RoleDefinitionId: pulumi.String(roleDefinitionID(args.SubscriptionID, roleStorageBlobDataContributor)),
		Description:      pulumi.String("streamsec: web app identity reads and writes app data"),
	}, child(c)...); err != nil {
		return nil, fmt.Errorf("storage role assignment: %w", err)
	}
	c.AccountID, c.AccountName = account.ID(), account.Name
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"accountId":   account.ID(),
		"accountName": account.Name,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// hardenedAccount is what every storage account of the stack shares: Entra
// ID only (no shared key, OAuth by default), no anonymous access, TLS 1.2,
// HTTPS only, no cross-tenant replication. Callers set the network access.
func hardenedAccount(s *spec.Spec, rg pulumi.StringInput, accountName string, tags pulumi.StringMap) *storage.StorageAccountArgs {
	return &storage.StorageAccountArgs{
		ResourceGroupName:            rg,
		AccountName:                  pulumi.String(accountName),
		Location:                     pulumi.String(s.Location),
		Kind:                         pulumi.String("StorageV2"),
		Sku:                          &storage.SkuArgs{Name: pulumi.String("Standard_ZRS")},
		MinimumTlsVersion:            pulumi.String("TLS1_2"),
		EnableHttpsTrafficOnly:       pulumi.Bool(true),
		AllowBlobPublicAccess:        pulumi.Bool(false),
		AllowSharedKeyAccess:         pulumi.Bool(false),
		AllowCrossTenantReplication:  pulumi.Bool(false),
		DefaultToOAuthAuthentication: pulumi.Bool(true),
		Tags:                         tags,
	}
}
