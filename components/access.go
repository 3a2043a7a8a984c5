package components

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/streamsec/streamsec/internal/spec"
)

// AccessArgs name the identities that read the Key Vault.
type AccessArgs struct {
	Spec           *spec.Spec
	SubscriptionID string
	VaultID        pulumi.StringInput
	// AppPrincipalID resolves the cookie secret's Key Vault reference.
	AppPrincipalID pulumi.StringInput
	// FrontDoorPrincipalID reads the customer certificate (only with
	// certificateSource keyVault).
	FrontDoorPrincipalID pulumi.StringInput
}

// Access holds the Key Vault role assignments. It is separate from the
// KeyVault component because the identities exist only after the vault
// (the app needs the secret URI first).
type Access struct {
	pulumi.ResourceState
	// Ready lists the assignments the certificate secret must wait for.
	Ready []pulumi.Resource
}

// NewAccess registers the role assignments.
func NewAccess(ctx *pulumi.Context, name string, args *AccessArgs, opts ...pulumi.ResourceOption) (*Access, error) {
	c := &Access{}
	if err := ctx.RegisterComponentResource(TypeAccess, name, c, opts...); err != nil {
		return nil, err
	}
	app, err := authorization.NewRoleAssignment(ctx, name+"-app-kv-secrets", &authorization.RoleAssignmentArgs{
		Scope:            args.VaultID,
		PrincipalId:      args.AppPrincipalID,
		PrincipalType:    pulumi.String("ServicePrincipal"),
		RoleDefinitionId: pulumi.String(roleDefinitionID(args.SubscriptionID, roleKeyVaultSecretsUser)),
		Description:      pulumi.String("streamsec: web app resolves the cookie secret Key Vault reference"),
	}, child(c)...)
	if err != nil {
		return nil, fmt.Errorf("app key vault role: %w", err)
	}
	c.Ready = append(c.Ready, app)
	if args.Spec.CertificateSource == spec.CertificateKeyVault {
		fd, err := authorization.NewRoleAssignment(ctx, name+"-frontdoor-kv-secrets", &authorization.RoleAssignmentArgs{
			Scope:            args.VaultID,
			PrincipalId:      args.FrontDoorPrincipalID,
			PrincipalType:    pulumi.String("ServicePrincipal"),
			RoleDefinitionId: pulumi.String(roleDefinitionID(args.SubscriptionID, roleKeyVaultSecretsUser)),
			Description:      pulumi.String("streamsec: Front Door reads the custom domain certificate"),
		}, child(c)...)
		if err != nil {
			return nil, fmt.Errorf("front door key vault role: %w", err)
		}
		c.Ready = append(c.Ready, fd)
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{}); err != nil {
		return nil, err
	}
	return c, nil
}
