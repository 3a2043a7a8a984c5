package components

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/resources/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/streamsec/streamsec/internal/spec"
)

// HardenedStackArgs is the environment to build.
type HardenedStackArgs struct {
	Spec *spec.Spec
	// Release is the app package to ship or keep; nil before the first
	// `streamsec deploy`.
	Release *Release
}

// HardenedStack is the whole environment. Its outputs are what a person or
// a pipeline needs next: where the app answers and what to deploy to.
type HardenedStack struct {
	pulumi.ResourceState
	PublicURL             pulumi.StringOutput
	FrontDoorEndpointHost pulumi.StringOutput
	AppHostName           pulumi.StringOutput
	FrontDoorID           pulumi.StringOutput
	ResourceGroupName     pulumi.StringOutput
	KeyVaultName          pulumi.StringOutput
	StorageAccountName    pulumi.StringOutput
	AppName               pulumi.StringOutput
	PackageStoreEndpoint  string
	// AppPackage is the digest of the app package deployed ("" before the
	// first `streamsec deploy`).
	AppPackage string
}

// Outputs returns the stack outputs by name.
func (h *HardenedStack) Outputs() pulumi.Map {
	return pulumi.Map{
		"publicUrl":             h.PublicURL,
		"frontDoorEndpointHost": h.FrontDoorEndpointHost,
		"appHostName":           h.AppHostName,
		"frontDoorId":           h.FrontDoorID,
		"resourceGroupName":     h.ResourceGroupName,
		"keyVaultName":          h.KeyVaultName,
		"storageAccountName":    h.StorageAccountName,
		"appName":               h.AppName,
		"packageStoreEndpoint":  pulumi.String(h.PackageStoreEndpoint),
		"packageContainer":      pulumi.String(PackageContainerName),
		"appPackage":            pulumi.String(h.AppPackage),
	}
}

// NewHardenedStack registers every building block for args.Spec.
func NewHardenedStack(ctx *pulumi.Context, name string, args *HardenedStackArgs, opts ...pulumi.ResourceOption) (*HardenedStack, error) {
	if args == nil || args.Spec == nil {
		return nil, errors.New("hardened stack: no spec")
	}
	s := args.Spec
	// Components only ever see a valid Spec: a hand-built one is checked
	// here too, so no unvalidated value reaches Azure.
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("hardened stack: %w", err)
	}
	c := &HardenedStack{}
	if err := ctx.RegisterComponentResource(TypeHardenedStack, name, c, opts...); err != nil {
		return nil, err
	}
	client, err := authorization.GetClientConfig(ctx, pulumi.Version(ProviderVersion), pulumi.Parent(c))
	if err != nil {
		return nil, fmt.Errorf("read Azure client config: %w", err)
	}

	rg, err := resources.NewResourceGroup(ctx, name+"-rg", &resources.ResourceGroupArgs{
		ResourceGroupName: pulumi.String(s.ResourceName("rg")),
		Location:          pulumi.String(s.Location),
		Tags:              tags(s),
	}, child(c)...)
	if err != nil {
		return nil, fmt.Errorf("resource group: %w", err)
	}
	rgName := rg.Name
	in := pulumi.Parent(c)

	net, err := NewNetwork(ctx, name+"-network", &NetworkArgs{Spec: s, ResourceGroupName: rgName}, in)
	if err != nil {
		return nil, err
	}
	mon, err := NewMonitoring(ctx, name+"-monitoring", &MonitoringArgs{Spec: s, ResourceGroupName: rgName}, in)
	if err != nil {
		return nil, err
	}
	kv, err := NewKeyVault(ctx, name+"-keyvault", &KeyVaultArgs{
		Spec: s, ResourceGroupName: rgName, TenantID: client.TenantId,
		PrivateEndpointSubnetID: net.PrivateEndpointSubnetID, VNetID: net.VNetID,
	}, in)
	if err != nil {
		return nil, err
	}
	fd, err := NewFrontDoor(ctx, name+"-frontdoor", &FrontDoorArgs{Spec: s, ResourceGroupName: rgName}, in)
	if err != nil {
		return nil, err
	}
	// Browsers use the endpoint host when there is no custom domain; it is
	// only known once Front Door names it.
	var extraOrigins pulumi.StringArrayInput
	if s.Domain == "" {
		extraOrigins = fd.EndpointHost.ApplyT(func(h string) []string { return []string{"https://" + h} }).(pulumi.StringArrayOutput)
	}
	endpointHost := fd.EndpointHost
	if s.Domain != "" {
		endpointHost = pulumi.String("").ToStringOutput()
	}
	waf, err := NewWAF(ctx, name+"-waf", &WAFArgs{Spec: s, ResourceGroupName: rgName, ExtraOrigins: extraOrigins}, in)
	if err != nil {
		return nil, err
	}
	app, err := NewAppService(ctx, name+"-appservice", &AppServiceArgs{
		Spec: s, ResourceGroupName: rgName, AppSubnetID: net.AppSubnetID,
		FrontDoorID: fd.FrontDoorID, EndpointHost: endpointHost, CookieSecretRef: kv.CookieSecretRef, CookieSecret: kv.CookieSecret,
		Settings: AppSettingsForCode(s),
	}, in)
	if err != nil {
		return nil, err
	}
	st, err := NewStorage(ctx, name+"-storage", &StorageArgs{
		Spec: s, ResourceGroupName: rgName, SubscriptionID: client.SubscriptionId,
		PrivateEndpointSubnetID: net.PrivateEndpointSubnetID, VNetID: net.VNetID, AppPrincipalID: app.PrincipalID,
	}, in)
	if err != nil {
		return nil, err
	}
	pkgs, err := NewPackageStore(ctx, name+"-packages", &PackageStoreArgs{
		Spec: s, ResourceGroupName: rgName, SubscriptionID: client.SubscriptionId, DeployerPrincipalID: pulumi.String(client.ObjectId),
	}, in)
	if err != nil {
		return nil, err
	}
	if args.Release != nil {
		if _, err := NewAppRelease(ctx, name+"-release", &AppReleaseArgs{
			Spec: s, ResourceGroupName: rgName, AppName: app.AppName, Release: args.Release, App: app.App,
		}, in); err != nil {
			return nil, err
		}
		c.AppPackage = args.Release.Digest
	}
	access, err := NewAccess(ctx, name+"-access", &AccessArgs{
		Spec: s, SubscriptionID: client.SubscriptionId, VaultID: kv.VaultID,
		AppPrincipalID: app.PrincipalID, FrontDoorPrincipalID: fd.PrincipalID,
	}, in)
	if err != nil {
		return nil, err
	}
	if _, err := NewEdgeRouting(ctx, name+"-routing", &EdgeRoutingArgs{
		Spec: s, ResourceGroupName: rgName, ProfileName: fd.ProfileName,
		EndpointName: fd.EndpointName, EndpointID: fd.EndpointID, WAFPolicyID: waf.PolicyID,
		AppID: app.AppID, AppHostName: app.DefaultHostName, VaultID: kv.VaultID,
		CertificateReady: access.Ready,
	}, in); err != nil {
		return nil, err
	}
	if _, err := NewDiagnostics(ctx, name+"-diagnostics", &DiagnosticsArgs{
		WorkspaceID: mon.WorkspaceID,
		Targets: []DiagnosticTarget{
			{Name: "frontdoor", ResourceURI: fd.ProfileID, Categories: FrontDoorLogCategories},
			{Name: "app", ResourceURI: app.AppID, Categories: WebAppLogCategories},
			{Name: "keyvault", ResourceURI: kv.VaultID, Categories: KeyVaultLogCategories},
			{Name: "blob", ResourceURI: pulumi.Sprintf("%s/blobServices/default", st.AccountID), Categories: BlobLogCategories},
		},
	}, in); err != nil {
		return nil, err
	}

	if s.Domain != "" {
		c.PublicURL = pulumi.String("https://" + s.Domain).ToStringOutput()
	} else {
		c.PublicURL = pulumi.Sprintf("https://%s", fd.EndpointHost)
	}
	c.FrontDoorEndpointHost = fd.EndpointHost
	c.AppHostName = app.DefaultHostName
	c.FrontDoorID = fd.FrontDoorID
	c.ResourceGroupName = rgName
	c.KeyVaultName = kv.VaultName
	c.StorageAccountName = st.AccountName
	c.AppName = app.AppName
	c.PackageStoreEndpoint = pkgs.Endpoint
	if err := ctx.RegisterResourceOutputs(c, c.Outputs()); err != nil {
		return nil, err
	}
	return c, nil
}
