package components

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/streamsec/streamsec/internal/spec"
)

// NetworkArgs configure the stack's virtual network.
type NetworkArgs struct {
	Spec              *spec.Spec
	ResourceGroupName pulumi.StringInput
}

// Network is the VNet with the App Service integration subnet and the
// private-endpoint subnet.
type Network struct {
	pulumi.ResourceState
	VNetID                  pulumi.IDOutput
	AppSubnetID             pulumi.IDOutput
	PrivateEndpointSubnetID pulumi.IDOutput
}

// NewNetwork registers the VNet and its two subnets.
func NewNetwork(ctx *pulumi.Context, name string, args *NetworkArgs, opts ...pulumi.ResourceOption) (*Network, error) {
	c := &Network{}
	if err := ctx.RegisterComponentResource(TypeNetwork, name, c, opts...); err != nil {
		return nil, err
	}
	s := args.Spec
	vnetName := s.ResourceName("vnet")
	vnet, err := network.NewVirtualNetwork(ctx, name+"-vnet", &network.VirtualNetworkArgs{
		ResourceGroupName:  args.ResourceGroupName,
		VirtualNetworkName: pulumi.String(vnetName),
		Location:           pulumi.String(s.Location),
		AddressSpace:       &network.AddressSpaceArgs{AddressPrefixes: pulumi.StringArray{pulumi.String(s.VNetAddressSpace)}},
		Tags:               tags(s),
	}, child(c)...)
	if err != nil {
		return nil, fmt.Errorf("virtual network: %w", err)
	}
	app, err := network.NewSubnet(ctx, name+"-app", &network.SubnetArgs{
		ResourceGroupName:  args.ResourceGroupName,
		VirtualNetworkName: vnet.Name,
		SubnetName:         pulumi.String("app"),
		AddressPrefix:      pulumi.String(s.AppSubnet),
		// App Service regional VNet integration needs a subnet delegated
		// to server farms.
		Delegations: network.DelegationArray{&network.DelegationArgs{
			Name:        pulumi.String("appservice"),
			ServiceName: pulumi.String("Microsoft.Web/serverFarms"),
		}},
	}, child(c)...)
	if err != nil {
		return nil, fmt.Errorf("app subnet: %w", err)
	}
	pe, err := network.NewSubnet(ctx, name+"-pe", &network.SubnetArgs{
		ResourceGroupName:              args.ResourceGroupName,
		VirtualNetworkName:             vnet.Name,
		SubnetName:                     pulumi.String("private-endpoints"),
		AddressPrefix:                  pulumi.String(s.PrivateEndpointSubnet),
		PrivateEndpointNetworkPolicies: pulumi.String("Disabled"),
	}, child(c, pulumi.DependsOn([]pulumi.Resource{app}))...)
	if err != nil {
		return nil, fmt.Errorf("private endpoint subnet: %w", err)
	}
	c.VNetID, c.AppSubnetID, c.PrivateEndpointSubnetID = vnet.ID(), app.ID(), pe.ID()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"vnetId":                  vnet.ID(),
		"appSubnetId":             app.ID(),
		"privateEndpointSubnetId": pe.ID(),
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// privateLinkArgs describe one private endpoint with its DNS zone.
type privateLinkArgs struct {
	Spec              *spec.Spec
	ResourceGroupName pulumi.StringInput
	Name              string // logical name prefix
	Kind              string // short name for Azure names: kv, blob
	TargetID          pulumi.StringInput
	GroupID           string // blob, vault, sites
	Zone              string // privatelink.blob.core.windows.net
	SubnetID          pulumi.StringInput
	VNetID            pulumi.StringInput
}

// newPrivateLink registers a private endpoint into the private-endpoint
// subnet, the privatelink DNS zone linked to the VNet, and the zone group
// that writes the endpoint's A record, all parented to parent.
func newPrivateLink(ctx *pulumi.Context, parent pulumi.Resource, a privateLinkArgs) (*network.PrivateEndpoint, error) {
	s := a.Spec
	peName := s.ResourceName(a.Kind + "-pe")
	ep, err := network.NewPrivateEndpoint(ctx, a.Name+"-pe", &network.PrivateEndpointArgs{
		ResourceGroupName:   a.ResourceGroupName,
		PrivateEndpointName: pulumi.String(peName),
		Location:            pulumi.String(s.Location),
		Subnet:              &network.SubnetTypeArgs{Id: a.SubnetID},
		PrivateLinkServiceConnections: network.PrivateLinkServiceConnectionArray{&network.PrivateLinkServiceConnectionArgs{
			Name:                 pulumi.String(peName),
			PrivateLinkServiceId: a.TargetID,
			GroupIds:             pulumi.StringArray{pulumi.String(a.GroupID)},
		}},
		Tags: tags(s),
	}, child(parent)...)
	if err != nil {
		return nil, fmt.Errorf("%s private endpoint: %w", a.Kind, err)
	}
	zone, err := network.NewPrivateZone(ctx, a.Name+"-zone", &network.PrivateZoneArgs{
		ResourceGroupName: a.ResourceGroupName,
		PrivateZoneName:   pulumi.String(a.Zone),
		Location:          pulumi.String("Global"),
		Tags:              tags(s),
	}, child(parent)...)
	if err != nil {
		return nil, fmt.Errorf("%s private DNS zone: %w", a.Kind, err)
	}
	if _, err := network.NewVirtualNetworkLink(ctx, a.Name+"-zone-link", &network.VirtualNetworkLinkArgs{
		ResourceGroupName:      a.ResourceGroupName,
		PrivateZoneName:        zone.Name,
		VirtualNetworkLinkName: pulumi.String(s.ResourceName(a.Kind + "-link")),
		Location:               pulumi.String("Global"),
		RegistrationEnabled:    pulumi.Bool(false),
		VirtualNetwork:         &network.SubResourceArgs{Id: a.VNetID},
		Tags:                   tags(s),
	}, child(parent)...); err != nil {
		return nil, fmt.Errorf("%s private DNS zone link: %w", a.Kind, err)
	}
	if _, err := network.NewPrivateDnsZoneGroup(ctx, a.Name+"-zone-group", &network.PrivateDnsZoneGroupArgs{
		ResourceGroupName:       a.ResourceGroupName,
		PrivateEndpointName:     ep.Name,
		PrivateDnsZoneGroupName: pulumi.String("default"),
		PrivateDnsZoneConfigs: network.PrivateDnsZoneConfigArray{&network.PrivateDnsZoneConfigArgs{
			Name:             pulumi.String(a.Kind),
			PrivateDnsZoneId: zone.ID(),
		}},
	}, child(parent)...); err != nil {
		return nil, fmt.Errorf("%s private DNS zone group: %w", a.Kind, err)
	}
	return ep, nil
}
