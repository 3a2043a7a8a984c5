package components

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/streamsec/streamsec/components/azweb"
	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/internal/streamlitopts"
	"github.com/streamsec/streamsec/templates/streamlit"
)

// AppServiceArgs configure the plan and the web app.
type AppServiceArgs struct {
	Spec              *spec.Spec
	ResourceGroupName pulumi.StringInput
	AppSubnetID       pulumi.StringInput
	// FrontDoorID is the profile's X-Azure-FDID value.
	FrontDoorID pulumi.StringInput
	// EndpointHost is the Front Door endpoint host name; https://<host> is
	// an allowed origin known only at deploy time.
	EndpointHost pulumi.StringInput
	// CookieSecretRef is the Key Vault reference App Setting value for the
	// Streamlit cookie secret, built from names known at preview.
	CookieSecretRef string
	// CookieSecret is the Key Vault secret resource; the web app waits for it.
	CookieSecret pulumi.Resource
}

// AppService is the Linux plan and the hardened web app.
type AppService struct {
	pulumi.ResourceState
	PlanID          pulumi.IDOutput
	AppID           pulumi.IDOutput
	AppName         pulumi.StringOutput
	DefaultHostName pulumi.StringOutput
	PrincipalID     pulumi.StringOutput
}

// Service tag and header that admit only this stack's Front Door.
const (
	FrontDoorServiceTag = "AzureFrontDoor.Backend"
	FrontDoorIDHeader   = "x-azure-fdid"
)

// NewAppService registers the plan, the web app, the basic-credential
// policies and, with authMode entraId, App Service authentication.
func NewAppService(ctx *pulumi.Context, name string, args *AppServiceArgs, opts ...pulumi.ResourceOption) (*AppService, error) {
	c := &AppService{}
	if err := ctx.RegisterComponentResource(TypeAppService, name, c, opts...); err != nil {
		return nil, err
	}
	s := args.Spec
	capacity := s.InstanceCount
	plan, err := azweb.NewAppServicePlan(ctx, name+"-plan", &azweb.AppServicePlanArgs{
		ResourceGroupName: args.ResourceGroupName,
		Name:              s.ResourceName("plan"),
		Location:          s.Location,
		Kind:              "linux",
		Reserved:          new(true),
		Sku:               &azweb.SkuDescription{Name: s.AppServiceSku, Capacity: &capacity},
		Tags:              tagMap(s),
	}, child(c)...)
	if err != nil {
		return nil, fmt.Errorf("app service plan: %w", err)
	}

	settings, err := appSettings(s, args.EndpointHost, args.CookieSecretRef)
	if err != nil {
		return nil, err
	}
	// Only this stack's Front Door: the service tag plus its X-Azure-FDID.
	restrictions := func(prefix string) []azweb.IpSecurityRestriction {
		return []azweb.IpSecurityRestriction{{
			Name:        prefix + "AllowFrontDoor",
			Description: "Only this stack's Front Door profile (X-Azure-FDID)",
			Priority:    new(100),
			Action:      "Allow",
			Tag:         "ServiceTag",
			IpAddress:   FrontDoorServiceTag,
			Headers:     map[string]pulumi.StringArrayInput{FrontDoorIDHeader: pulumi.StringArray{args.FrontDoorID}},
		}}
	}
	// Premium reaches the app over Private Link, so the public endpoint
	// closes entirely; Standard can only use the public one, locked to
	// Front Door by the restrictions above.
	publicAccess := "Enabled"
	if s.Premium() {
		publicAccess = "Disabled"
	}
	app, err := azweb.NewWebApp(ctx, name+"-app", &azweb.WebAppArgs{
		ResourceGroupName:         args.ResourceGroupName,
		Name:                      s.ResourceName("app"),
		Location:                  s.Location,
		Kind:                      "app,linux",
		ServerFarmId:              plan.ID(),
		Reserved:                  new(true),
		HttpsOnly:                 new(true),
		ClientAffinityEnabled:     new(s.MultiInstance()),
		PublicNetworkAccess:       publicAccess,
		VirtualNetworkSubnetId:    args.AppSubnetID,
		VnetRouteAllEnabled:       new(true),
		KeyVaultReferenceIdentity: "SystemAssigned",
		Identity:                  &azweb.ManagedServiceIdentity{Type: "SystemAssigned"},
		SiteConfig: &azweb.SiteConfig{
			MinTlsVersion:                          "1.2",
			ScmMinTlsVersion:                       "1.2",
			FtpsState:                              "Disabled",
			Http20Enabled:                          new(true),
			WebSocketsEnabled:                      new(true),
			AlwaysOn:                               new(true),
			RemoteDebuggingEnabled:                 new(false),
			HttpLoggingEnabled:                     new(true),
			LinuxFxVersion:                         "PYTHON|" + s.PythonVersion,
			AppCommandLine:                         streamlit.StartupCommand(s),
			HealthCheckPath:                        s.HealthCheckPath,
			VnetRouteAllEnabled:                    new(true),
			AppSettings:                            settings,
			IpSecurityRestrictions:                 restrictions(""),
			IpSecurityRestrictionsDefaultAction:    "Deny",
			ScmIpSecurityRestrictions:              restrictions("Scm"),
			ScmIpSecurityRestrictionsDefaultAction: "Deny",
			ScmIpSecurityRestrictionsUseMain:       new(false),
		},
		Tags: tagMap(s),
	}, child(c, dependsOn(args.CookieSecret)...)...)
	if err != nil {
		return nil, fmt.Errorf("web app: %w", err)
	}
	// Basic (user/password) publishing credentials off: deployments use
	// Entra ID identities.
	creds := &azweb.PublishingCredentialsArgs{ResourceGroupName: args.ResourceGroupName, Name: app.Name, Allow: false}
	if _, err := azweb.NewWebAppFtpAllowed(ctx, name+"-ftp", creds, child(c)...); err != nil {
		return nil, fmt.Errorf("ftp publishing credentials: %w", err)
	}
	if _, err := azweb.NewWebAppScmAllowed(ctx, name+"-scm", creds, child(c)...); err != nil {
		return nil, fmt.Errorf("scm publishing credentials: %w", err)
	}
	if s.AuthMode == spec.AuthEntraID {
		if _, err := azweb.NewWebAppAuthSettingsV2(ctx, name+"-auth", authSettings(s, args.ResourceGroupName, app.Name), child(c)...); err != nil {
			return nil, fmt.Errorf("app service authentication: %w", err)
		}
	}

	c.PlanID, c.AppID, c.AppName = plan.ID(), app.ID(), app.Name
	c.DefaultHostName = checkedHostName(s, app.DefaultHostName)
	c.PrincipalID = app.PrincipalID()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"appId":           app.ID(),
		"appName":         app.Name,
		"defaultHostName": app.DefaultHostName,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// checkedHostName passes the app's default host name on to Front Door's
// origin. server.allowedHosts (1.61+) must name it before the app exists,
// so the renderer derives it from the app's explicit name (known at
// preview, so the packs judge a literal); the App Settings cannot wait for
// the app's own output. Should Azure name the app otherwise, the update
// stops here instead of routing Front Door to an app that refuses every
// socket.
func checkedHostName(s *spec.Spec, host pulumi.StringOutput) pulumi.StringOutput {
	if _, ok := streamlitopts.Lookup("server.allowedHosts", streamlitopts.MustParse(s.StreamlitVersion)); !ok {
		return host
	}
	want := streamlit.AppHostName(s)
	return host.ApplyT(func(h string) (string, error) {
		if !strings.EqualFold(h, want) {
			return "", fmt.Errorf("web app default host name %s differs from %s, the only host server.allowedHosts admits: every WebSocket through Front Door would be refused", h, want)
		}
		return h, nil
	}).(pulumi.StringOutput)
}

// authSettings is App Service authentication with Entra ID: every request,
// the WebSocket upgrade included, is authenticated before it reaches
// Streamlit (WS-AUTH-01). Browsers are sent to the sign-in page; API
// clients without a session get 401 from the same rule set.
func authSettings(s *spec.Spec, rg pulumi.StringInput, app pulumi.StringInput) *azweb.AuthSettingsV2Args {
	return &azweb.AuthSettingsV2Args{
		ResourceGroupName: rg,
		Name:              app,
		Platform:          &azweb.AuthPlatform{Enabled: true},
		GlobalValidation: &azweb.GlobalValidation{
			RequireAuthentication:       true,
			UnauthenticatedClientAction: "RedirectToLoginPage",
			RedirectToProvider:          "azureactivedirectory",
			// Front Door's health probe carries no session.
			ExcludedPaths: []string{s.HealthCheckPath},
		},
		HttpSettings: &azweb.HttpSettings{RequireHttps: true},
		IdentityProviders: &azweb.IdentityProviders{AzureActiveDirectory: &azweb.AzureActiveDirectory{
			Enabled: true,
			Registration: &azweb.AzureActiveDirectoryRegistration{
				ClientId:     s.AuthClientID,
				OpenIdIssuer: "https://login.microsoftonline.com/" + s.AuthTenantID + "/v2.0",
			},
			Validation: &azweb.AzureActiveDirectoryValidation{AllowedAudiences: []string{"api://" + s.AuthClientID}},
		}},
		Login: &azweb.Login{TokenStore: &azweb.TokenStore{Enabled: true}},
	}
}

// appSettings renders the STREAMLIT_* App Settings. Only a stack without a
// custom domain waits for Front Door to name its endpoint (its origin is an
// allowed one); otherwise every value is known at preview, so the policy
// packs can judge them before anything is created.
func appSettings(s *spec.Spec, endpointHost pulumi.StringInput, cookieSecretRef string) (pulumi.ArrayInput, error) {
	render := func(host string) (pulumi.Array, error) {
		rt := streamlit.Runtime{CookieSecretRef: cookieSecretRef}
		if host != "" {
			rt.ExtraOrigins = []string{"https://" + host}
		}
		list, err := streamlit.AppSettings(s, rt)
		if err != nil {
			return nil, fmt.Errorf("app settings: %w", err)
		}
		arr := pulumi.Array{}
		for _, st := range list {
			// A Key Vault reference names the secret without holding it, so it
			// stays readable (the policy checks its form); anything else
			// marked secret must never reach the settings in plain text.
			if st.Secret && !streamlit.IsKeyVaultReference(st.Value) {
				return nil, fmt.Errorf("app settings: %s would hold a secret in plain text", st.Name)
			}
			arr = append(arr, pulumi.Map{"name": pulumi.String(st.Name), "value": pulumi.String(st.Value)})
		}
		return arr, nil
	}
	if s.Domain != "" || endpointHost == nil {
		return render("")
	}
	// Only the values naming the endpoint host wait for it; every other
	// setting stays a literal the packs can judge at preview.
	const placeholder = "endpoint-host.streamsec.invalid"
	arr, err := render(placeholder)
	if err != nil {
		return nil, err
	}
	for i, el := range arr {
		m := el.(pulumi.Map)
		v := string(m["value"].(pulumi.String))
		if !strings.Contains(v, placeholder) {
			continue
		}
		arr[i] = pulumi.Map{"name": m["name"], "value": endpointHost.ToStringOutput().ApplyT(func(host string) string {
			return strings.ReplaceAll(v, placeholder, host)
		}).(pulumi.StringOutput)}
	}
	return arr, nil
}

// dependsOn is a DependsOn option for the resources that are set.
func dependsOn(rs ...pulumi.Resource) []pulumi.ResourceOption {
	var set []pulumi.Resource
	for _, r := range rs {
		if r != nil {
			set = append(set, r)
		}
	}
	if len(set) == 0 {
		return nil
	}
	return []pulumi.ResourceOption{pulumi.DependsOn(set)}
}
