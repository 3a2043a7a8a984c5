// Package azweb registers the few azure-native App Service resources
// streamsec needs, by type token, with typed arguments whose field names are
// the azure-native schema's property names. It exists only because the
// generated `web` module of pulumi-azure-native-sdk is not served by the Go
// module proxy; delete it and use github.com/pulumi/pulumi-azure-native-sdk/
// web/v2 when that module can be fetched.
package azweb

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Type tokens, as the azure-native provider names them.
const (
	TokenAppServicePlan       = "azure-native:web:AppServicePlan"
	TokenWebApp               = "azure-native:web:WebApp"
	TokenWebAppFtpAllowed     = "azure-native:web:WebAppFtpAllowed"
	TokenWebAppScmAllowed     = "azure-native:web:WebAppScmAllowed"
	TokenWebAppAuthSettingsV2 = "azure-native:web:WebAppAuthSettingsV2"
)

// SkuDescription is azure-native:web:SkuDescription.
type SkuDescription struct {
	Name     string `pulumi:"name"`
	Tier     string `pulumi:"tier,omitempty"`
	Capacity *int   `pulumi:"capacity,omitempty"`
}

// AppServicePlanArgs are the inputs of azure-native:web:AppServicePlan.
type AppServicePlanArgs struct {
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	Name              string             `pulumi:"name,omitempty"`
	Location          string             `pulumi:"location,omitempty"`
	Kind              string             `pulumi:"kind,omitempty"`
	Reserved          *bool              `pulumi:"reserved,omitempty"`
	ZoneRedundant     *bool              `pulumi:"zoneRedundant,omitempty"`
	Sku               *SkuDescription    `pulumi:"sku,omitempty"`
	Tags              map[string]string  `pulumi:"tags,omitempty"`
}

// AppServicePlan is the registered plan.
type AppServicePlan struct {
	pulumi.CustomResourceState
	Name pulumi.StringOutput `pulumi:"name"`
}

// NewAppServicePlan registers an App Service plan.
func NewAppServicePlan(ctx *pulumi.Context, name string, args *AppServicePlanArgs, opts ...pulumi.ResourceOption) (*AppServicePlan, error) {
	var r AppServicePlan
	if err := register(ctx, TokenAppServicePlan, name, args, &r, opts); err != nil {
		return nil, err
	}
	return &r, nil
}

// ManagedServiceIdentity is azure-native:web:ManagedServiceIdentity.
type ManagedServiceIdentity struct {
	Type string `pulumi:"type"`
}

// NameValuePair is one App Setting.
type NameValuePair struct {
	Name  string `pulumi:"name"`
	Value string `pulumi:"value"`
}

// IpSecurityRestriction is one access restriction rule.
type IpSecurityRestriction struct {
	Name        string                             `pulumi:"name,omitempty"`
	Description string                             `pulumi:"description,omitempty"`
	Priority    *int                               `pulumi:"priority,omitempty"`
	Action      string                             `pulumi:"action,omitempty"`
	Tag         string                             `pulumi:"tag,omitempty"`
	IpAddress   string                             `pulumi:"ipAddress,omitempty"`
	Headers     map[string]pulumi.StringArrayInput `pulumi:"headers,omitempty"`
}

// CorsSettings is azure-native:web:CorsSettings.
type CorsSettings struct {
	AllowedOrigins     []string `pulumi:"allowedOrigins"`
	SupportCredentials *bool    `pulumi:"supportCredentials,omitempty"`
}

// SiteConfig is the subset of azure-native:web:SiteConfig streamsec sets.
type SiteConfig struct {
	MinTlsVersion                          string                  `pulumi:"minTlsVersion,omitempty"`
	ScmMinTlsVersion                       string                  `pulumi:"scmMinTlsVersion,omitempty"`
	FtpsState                              string                  `pulumi:"ftpsState,omitempty"`
	Http20Enabled                          *bool                   `pulumi:"http20Enabled,omitempty"`
	WebSocketsEnabled                      *bool                   `pulumi:"webSocketsEnabled,omitempty"`
	AlwaysOn                               *bool                   `pulumi:"alwaysOn,omitempty"`
	RemoteDebuggingEnabled                 *bool                   `pulumi:"remoteDebuggingEnabled,omitempty"`
	HttpLoggingEnabled                     *bool                   `pulumi:"httpLoggingEnabled,omitempty"`
	LinuxFxVersion                         string                  `pulumi:"linuxFxVersion,omitempty"`
	AppCommandLine                         string                  `pulumi:"appCommandLine,omitempty"`
	HealthCheckPath                        string                  `pulumi:"healthCheckPath,omitempty"`
	NumberOfWorkers                        *int                    `pulumi:"numberOfWorkers,omitempty"`
	VnetRouteAllEnabled                    *bool                   `pulumi:"vnetRouteAllEnabled,omitempty"`
	AppSettings                            pulumi.ArrayInput       `pulumi:"appSettings,omitempty"`
	Cors                                   *CorsSettings           `pulumi:"cors,omitempty"`
	IpSecurityRestrictions                 []IpSecurityRestriction `pulumi:"ipSecurityRestrictions,omitempty"`
	IpSecurityRestrictionsDefaultAction    string                  `pulumi:"ipSecurityRestrictionsDefaultAction,omitempty"`
	ScmIpSecurityRestrictions              []IpSecurityRestriction `pulumi:"scmIpSecurityRestrictions,omitempty"`
	ScmIpSecurityRestrictionsDefaultAction string                  `pulumi:"scmIpSecurityRestrictionsDefaultAction,omitempty"`
	ScmIpSecurityRestrictionsUseMain       *bool                   `pulumi:"scmIpSecurityRestrictionsUseMain,omitempty"`
}

// WebAppArgs are the inputs of azure-native:web:WebApp.
type WebAppArgs struct {
	ResourceGroupName         pulumi.StringInput      `pulumi:"resourceGroupName"`
	Name                      string                  `pulumi:"name,omitempty"`
	Location                  string                  `pulumi:"location,omitempty"`
	Kind                      string                  `pulumi:"kind,omitempty"`
	ServerFarmId              pulumi.StringInput      `pulumi:"serverFarmId,omitempty"`
	Reserved                  *bool                   `pulumi:"reserved,omitempty"`
	HttpsOnly                 *bool                   `pulumi:"httpsOnly,omitempty"`
	ClientAffinityEnabled     *bool                   `pulumi:"clientAffinityEnabled,omitempty"`
	ClientCertEnabled         *bool                   `pulumi:"clientCertEnabled,omitempty"`
	PublicNetworkAccess       string                  `pulumi:"publicNetworkAccess,omitempty"`
	VirtualNetworkSubnetId    pulumi.StringInput      `pulumi:"virtualNetworkSubnetId,omitempty"`
	VnetRouteAllEnabled       *bool                   `pulumi:"vnetRouteAllEnabled,omitempty"`
	KeyVaultReferenceIdentity string                  `pulumi:"keyVaultReferenceIdentity,omitempty"`
	Identity                  *ManagedServiceIdentity `pulumi:"identity,omitempty"`
	SiteConfig                *SiteConfig             `pulumi:"siteConfig,omitempty"`
	Tags                      map[string]string       `pulumi:"tags,omitempty"`
}

// WebApp is the registered app with the outputs streamsec reads.
type WebApp struct {
	pulumi.CustomResourceState
	Name            pulumi.StringOutput `pulumi:"name"`
	DefaultHostName pulumi.StringOutput `pulumi:"defaultHostName"`
	Identity        pulumi.MapOutput    `pulumi:"identity"`
}

// PrincipalID is the app's system-assigned identity.
func (w *WebApp) PrincipalID() pulumi.StringOutput {
	return w.Identity.ApplyT(func(m map[string]any) string {
		s, _ := m["principalId"].(string)
		return s
	}).(pulumi.StringOutput)
}

// NewWebApp registers a web app.
func NewWebApp(ctx *pulumi.Context, name string, args *WebAppArgs, opts ...pulumi.ResourceOption) (*WebApp, error) {
	var r WebApp
	if err := register(ctx, TokenWebApp, name, args, &r, opts); err != nil {
		return nil, err
	}
	return &r, nil
}

// PublishingCredentialsArgs are the inputs of WebAppFtpAllowed and
// WebAppScmAllowed (basic publishing credentials policies).
type PublishingCredentialsArgs struct {
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	Name              pulumi.StringInput `pulumi:"name"`
	Allow             bool               `pulumi:"allow"`
}

// PublishingCredentialsPolicy is a registered WebAppFtpAllowed or
// WebAppScmAllowed.
type PublishingCredentialsPolicy struct {
	pulumi.CustomResourceState
}

// NewWebAppFtpAllowed registers the FTP basic-credentials policy.
func NewWebAppFtpAllowed(ctx *pulumi.Context, name string, args *PublishingCredentialsArgs, opts ...pulumi.ResourceOption) (*PublishingCredentialsPolicy, error) {
	var r PublishingCredentialsPolicy
	if err := register(ctx, TokenWebAppFtpAllowed, name, args, &r, opts); err != nil {
		return nil, err
	}
	return &r, nil
}

// NewWebAppScmAllowed registers the SCM (Kudu) basic-credentials policy.
func NewWebAppScmAllowed(ctx *pulumi.Context, name string, args *PublishingCredentialsArgs, opts ...pulumi.ResourceOption) (*PublishingCredentialsPolicy, error) {
	var r PublishingCredentialsPolicy
	if err := register(ctx, TokenWebAppScmAllowed, name, args, &r, opts); err != nil {
		return nil, err
	}
	return &r, nil
}

// AuthPlatform is azure-native:web:AuthPlatform.
type AuthPlatform struct {
	Enabled bool `pulumi:"enabled"`
}

// GlobalValidation is azure-native:web:GlobalValidation.
type GlobalValidation struct {
	RequireAuthentication       bool     `pulumi:"requireAuthentication"`
	UnauthenticatedClientAction string   `pulumi:"unauthenticatedClientAction,omitempty"`
	RedirectToProvider          string   `pulumi:"redirectToProvider,omitempty"`
	ExcludedPaths               []string `pulumi:"excludedPaths,omitempty"`
}

// HttpSettings is azure-native:web:HttpSettings.
type HttpSettings struct {
	RequireHttps bool `pulumi:"requireHttps"`
}

// AzureActiveDirectoryRegistration is azure-native:web:AzureActiveDirectoryRegistration.
type AzureActiveDirectoryRegistration struct {
	ClientId     string `pulumi:"clientId"`
	OpenIdIssuer string `pulumi:"openIdIssuer"`
}

// AzureActiveDirectoryValidation is azure-native:web:AzureActiveDirectoryValidation.
type AzureActiveDirectoryValidation struct {
	AllowedAudiences []string `pulumi:"allowedAudiences,omitempty"`
}

// AzureActiveDirectory is azure-native:web:AzureActiveDirectory.
type AzureActiveDirectory struct {
	Enabled      bool                              `pulumi:"enabled"`
	Registration *AzureActiveDirectoryRegistration `pulumi:"registration,omitempty"`
	Validation   *AzureActiveDirectoryValidation   `pulumi:"validation,omitempty"`
}

// IdentityProviders is azure-native:web:IdentityProviders.
type IdentityProviders struct {
	AzureActiveDirectory *AzureActiveDirectory `pulumi:"azureActiveDirectory,omitempty"`
}

// TokenStore is azure-native:web:TokenStore.
type TokenStore struct {
	Enabled bool `pulumi:"enabled"`
}

// Login is azure-native:web:Login.
type Login struct {
	TokenStore *TokenStore `pulumi:"tokenStore,omitempty"`
}

// AuthSettingsV2Args are the inputs of azure-native:web:WebAppAuthSettingsV2.
type AuthSettingsV2Args struct {
	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	Name              pulumi.StringInput `pulumi:"name"`
	Platform          *AuthPlatform      `pulumi:"platform,omitempty"`
	GlobalValidation  *GlobalValidation  `pulumi:"globalValidation,omitempty"`
	HttpSettings      *HttpSettings      `pulumi:"httpSettings,omitempty"`
	IdentityProviders *IdentityProviders `pulumi:"identityProviders,omitempty"`
	Login             *Login             `pulumi:"login,omitempty"`
}

// AuthSettingsV2 is the registered authentication configuration.
type AuthSettingsV2 struct {
	pulumi.CustomResourceState
}

// NewWebAppAuthSettingsV2 registers App Service authentication for an app.
func NewWebAppAuthSettingsV2(ctx *pulumi.Context, name string, args *AuthSettingsV2Args, opts ...pulumi.ResourceOption) (*AuthSettingsV2, error) {
	var r AuthSettingsV2
	if err := register(ctx, TokenWebAppAuthSettingsV2, name, args, &r, opts); err != nil {
		return nil, err
	}
	return &r, nil
}

func register(ctx *pulumi.Context, token, name string, args any, state pulumi.CustomResource, opts []pulumi.ResourceOption) error {
	if args == nil || reflect.ValueOf(args).IsNil() {
		return fmt.Errorf("%s %s: missing args", token, name)
	}
	in, ok := ToInput(args).(pulumi.Map)
	if !ok {
		return fmt.Errorf("%s %s: args must be a struct", token, name)
	}
	if err := ctx.RegisterResource(token, name, in, state, opts...); err != nil {
		return fmt.Errorf("register %s %s: %w", token, name, err)
	}
	return nil
}

// ToInput turns a typed args value into Pulumi inputs: structs become maps
// keyed by their `pulumi` tags (omitempty fields left out when zero),
// pointers are followed, slices and maps convert element-wise, and values
// that already are pulumi.Input pass through (outputs keep their
// dependencies and secrecy).
func ToInput(v any) pulumi.Input {
	return toInput(reflect.ValueOf(v))
}

var inputType = reflect.TypeOf((*pulumi.Input)(nil)).Elem()

func toInput(v reflect.Value) pulumi.Input {
	if !v.IsValid() {
		return nil
	}
	if v.Type().Implements(inputType) && v.Kind() != reflect.Pointer {
		if v.Kind() == reflect.Interface && v.IsNil() {
			return nil
		}
		return v.Interface().(pulumi.Input)
	}
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return toInput(v.Elem())
	case reflect.Struct:
		m := pulumi.Map{}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag, ok := f.Tag.Lookup("pulumi")
			if !ok || !f.IsExported() {
				continue
			}
			key, opt, _ := strings.Cut(tag, ",")
			fv := v.Field(i)
			if opt == "omitempty" && fv.IsZero() {
				continue
			}
			if in := toInput(fv); in != nil {
				m[key] = in
			}
		}
		return m
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		a := make(pulumi.Array, 0, v.Len())
		for i := 0; i < v.Len(); i++ {
			a = append(a, toInput(v.Index(i)))
		}
		return a
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		m := pulumi.Map{}
		iter := v.MapRange()
		for iter.Next() {
			m[fmt.Sprint(iter.Key().Interface())] = toInput(iter.Value())
		}
		return m
	case reflect.String:
		return pulumi.String(v.String())
	case reflect.Bool:
		return pulumi.Bool(v.Bool())
	case reflect.Int, reflect.Int32, reflect.Int64:
		return pulumi.Int(int(v.Int()))
	case reflect.Float64, reflect.Float32:
		return pulumi.Float64(v.Float())
	}
	return nil
}
