package components

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/cdn/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/streamsec/streamsec/internal/spec"
)

// FrontDoorArgs configure the Front Door profile and endpoint.
type FrontDoorArgs struct {
	Spec              *spec.Spec
	ResourceGroupName pulumi.StringInput
}

// FrontDoor is the Front Door Standard/Premium profile with its managed
// identity, and the endpoint browsers reach.
type FrontDoor struct {
	pulumi.ResourceState
	ProfileID   pulumi.IDOutput
	ProfileName pulumi.StringOutput
	// FrontDoorID is the profile's id Front Door sends in X-Azure-FDID; the
	// App Service access restrictions admit only this value.
	FrontDoorID  pulumi.StringOutput
	PrincipalID  pulumi.StringOutput
	EndpointID   pulumi.IDOutput
	EndpointName pulumi.StringOutput
	EndpointHost pulumi.StringOutput
}

// NewFrontDoor registers the profile and the endpoint.
func NewFrontDoor(ctx *pulumi.Context, name string, args *FrontDoorArgs, opts ...pulumi.ResourceOption) (*FrontDoor, error) {
	c := &FrontDoor{}
	if err := ctx.RegisterComponentResource(TypeFrontDoor, name, c, opts...); err != nil {
		return nil, err
	}
	s := args.Spec
	profile, err := cdn.NewProfile(ctx, name+"-profile", &cdn.ProfileArgs{
		ResourceGroupName: args.ResourceGroupName,
		ProfileName:       pulumi.String(s.ResourceName("afd")),
		Location:          pulumi.String("Global"),
		Sku:               &cdn.SkuArgs{Name: pulumi.String(s.FrontDoorSku)},
		// The identity reads the customer certificate from Key Vault.
		Identity:                     &cdn.ManagedServiceIdentityArgs{Type: pulumi.String("SystemAssigned")},
		OriginResponseTimeoutSeconds: pulumi.Int(60),
		Tags:                         tags(s),
	}, child(c)...)
	if err != nil {
		return nil, fmt.Errorf("front door profile: %w", err)
	}
	endpoint, err := cdn.NewAFDEndpoint(ctx, name+"-endpoint", &cdn.AFDEndpointArgs{
		ResourceGroupName: args.ResourceGroupName,
		ProfileName:       profile.Name,
		EndpointName:      pulumi.String(s.ResourceName("fde")),
		Location:          pulumi.String("Global"),
		EnabledState:      pulumi.String("Enabled"),
		Tags:              tags(s),
	}, child(c)...)
	if err != nil {
		return nil, fmt.Errorf("front door endpoint: %w", err)
	}
	c.ProfileID, c.ProfileName, c.FrontDoorID = profile.ID(), profile.Name, profile.FrontDoorId
	c.PrincipalID = profile.Identity.ApplyT(func(id *cdn.ManagedServiceIdentityResponse) string {
		if id == nil || id.PrincipalId == "" {
			return ""
		}
		return id.PrincipalId
	}).(pulumi.StringOutput)
	c.EndpointID, c.EndpointName, c.EndpointHost = endpoint.ID(), endpoint.Name, endpoint.HostName
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"profileId":    profile.ID(),
		"frontDoorId":  profile.FrontDoorId,
		"endpointHost": endpoint.HostName,
	}); err != nil {
		return nil, err
	}
	return c, nil
}
