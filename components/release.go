package components

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/resources/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/storage/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/streamsec/streamsec/internal/deploy"
	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/templates/streamlit"
)

// How the app's code reaches the web app (`streamsec deploy`):
//
//  1. the pipeline uploads the deterministic zip into the package store's
//     container with its own Entra ID identity (OIDC; the account refuses
//     shared keys and anonymous reads);
//  2. an ARM deployment (management plane, so the SCM site stays closed to
//     the internet) runs OneDeploy, Microsoft.Web/sites/extensions
//     "onedeploy" with packageUri: the platform pulls the zip itself from a
//     read-only user-delegation SAS valid for minutes (OneDeploy takes a
//     URL; Azure documents SAS for it, not managed identity);
//  3. App Service's build (Oryx, SCM_DO_BUILD_DURING_DEPLOYMENT=true)
//     installs requirements.txt, as Azure requires for Python (run from
//     package is not supported for Python apps).
//
// Sources: learn.microsoft.com app-service/deploy-zip.md ("Deploy to
// network-secured apps", "Enable build automation for zip deploy"),
// app-service/deploy-run-package.md (the Python note),
// azure.github.io/AppService 2021-03-01 "Deploying to Network-secured sites,
// Part 2".

// PackageContainerName is the package store's container.
const PackageContainerName = "app-packages"

// RoleTag marks what a storage account is for; the package store is the one
// account the pipeline reaches over the internet (see PackageStore).
const (
	RoleTag          = "streamsecRole"
	RolePackageStore = "app-packages"
)

// PackageStoreAccountName is the package store's account name: "pkg" first,
// so it never collides with the app's data account when names are cut.
func PackageStoreAccountName(s *spec.Spec) string { return "pkg" + s.CompactName("", 21) }

// DataAccountName is the app's private data account name.
func DataAccountName(s *spec.Spec) string { return s.CompactName("st", 24) }

// BlobEndpoint is an account's blob endpoint, known before the account
// exists (the name is deterministic), so App Settings naming it are judged
// at preview.
func BlobEndpoint(account string) string { return "https://" + account + ".blob.core.windows.net/" }

// AppSettingsForCode are the App Settings for the app's code: where its
// data is (the names azure-storage-blob is given, with the app's managed
// identity; no key) and App Service's build of requirements.txt.
func AppSettingsForCode(s *spec.Spec) []streamlit.Setting {
	return []streamlit.Setting{
		{Name: deploy.SettingBlobEndpoint, Value: BlobEndpoint(DataAccountName(s))},
		{Name: deploy.SettingContainer, Value: ContainerName},
		{Name: deploy.SettingBuild, Value: "true"},
	}
}

// PackageStoreArgs configure the package store.
type PackageStoreArgs struct {
	Spec              *spec.Spec
	ResourceGroupName pulumi.StringInput
	SubscriptionID    string
	// DeployerPrincipalID is the identity running the engine (the
	// pipeline's OIDC service principal); it may write packages.
	DeployerPrincipalID pulumi.StringInput
}

// PackageStore holds the app's deployment packages. Unlike the data account
// it accepts connections from the internet, because a pipeline's hosted
// runner has no fixed address and no line into the VNet; everything else is
// as hardened: Entra ID only (no shared key, so no SAS signed with a key and
// no connection string), no anonymous access, TLS 1.2, HTTPS only. The only
// secret-like value ever used with it is a user-delegation SAS valid for
// minutes, read-only, on one blob.
type PackageStore struct {
	pulumi.ResourceState
	AccountName pulumi.StringOutput
	Endpoint    string
}

// NewPackageStore registers the account, its private container and the
// deploying identity's role on that container only.
func NewPackageStore(ctx *pulumi.Context, name string, args *PackageStoreArgs, opts ...pulumi.ResourceOption) (*PackageStore, error) {
	c := &PackageStore{}
	if err := ctx.RegisterComponentResource(TypePackageStore, name, c, opts...); err != nil {
		return nil, err
	}
	s := args.Spec
	accountTags := tagMap(s)
	accountTags[RoleTag] = RolePackageStore
	accountName := PackageStoreAccountName(s)
	accountArgs := hardenedAccount(s, args.ResourceGroupName, accountName, pulumi.ToStringMap(accountTags))
	// A hosted runner has no fixed address: the account answers the
	// internet, and only Entra ID identities it authorises.
	accountArgs.PublicNetworkAccess = pulumi.String("Enabled")
	account, err := storage.NewStorageAccount(ctx, name+"-account", accountArgs, child(c)...)
	if err != nil {
		return nil, fmt.Errorf("package store account: %w", err)
	}
	container, err := storage.NewBlobContainer(ctx, name+"-container", &storage.BlobContainerArgs{
		ResourceGroupName: args.ResourceGroupName,
		AccountName:       account.Name,
		ContainerName:     pulumi.String(PackageContainerName),
		PublicAccess:      storage.PublicAccessNone,
	}, child(c)...)
	if err != nil {
		return nil, fmt.Errorf("package container: %w", err)
	}
	if _, err := authorization.NewRoleAssignment(ctx, name+"-deployer-blob-contributor", &authorization.RoleAssignmentArgs{
		Scope:            pulumi.Sprintf("%s/blobServices/default/containers/%s", account.ID(), PackageContainerName),
		PrincipalId:      args.DeployerPrincipalID,
		RoleDefinitionId: pulumi.String(roleDefinitionID(args.SubscriptionID, roleStorageBlobDataContributor)),
		Description:      pulumi.String("streamsec: the deploying identity uploads app packages (and signs short-lived read URIs for them)"),
	}, child(c, pulumi.DependsOn([]pulumi.Resource{container}))...); err != nil {
		return nil, fmt.Errorf("package store role assignment: %w", err)
	}
	c.AccountName, c.Endpoint = account.Name, BlobEndpoint(accountName)
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"accountName": account.Name,
		"endpoint":    pulumi.String(c.Endpoint),
		"container":   pulumi.String(PackageContainerName),
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// Release is the app package a run ships or keeps.
type Release struct {
	// Digest is the zip's "sha256:<hex>".
	Digest string
	// Blob is the package's name in the package container.
	Blob string
	// PackageURI is the read URI the platform pulls from. Empty keeps the
	// deployment already in the state as it is (its URI is not needed
	// again: the same digest is never shipped twice).
	PackageURI string
}

// Short is the first 12 hex digits of the digest, for names.
func (r *Release) Short() string {
	h := strings.TrimPrefix(r.Digest, "sha256:")
	if len(h) > 12 {
		h = h[:12]
	}
	return h
}

// AppReleaseArgs name the web app a release goes to.
type AppReleaseArgs struct {
	Spec              *spec.Spec
	ResourceGroupName pulumi.StringInput
	AppName           pulumi.StringInput
	Release           *Release
	// App is the web app; the deployment waits for it.
	App pulumi.Resource
}

// AppRelease is one shipped package: the ARM deployment that runs OneDeploy.
type AppRelease struct {
	pulumi.ResourceState
}

// OneDeployTemplate is the ARM template that asks App Service to pull and
// deploy a zip (Microsoft.Web/sites/extensions "onedeploy", properties
// packageUri and type, as in app-service/deploy-zip.md).
func OneDeployTemplate() map[string]any {
	return map[string]any{
		"$schema":        "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
		"contentVersion": "1.0.0.0",
		"parameters": map[string]any{
			"siteName":   map[string]any{"type": "string"},
			"packageUri": map[string]any{"type": "securestring"},
		},
		"resources": []any{map[string]any{
			"type":       "Microsoft.Web/sites/extensions",
			"apiVersion": "2022-09-01",
			"name":       "[format('{0}/onedeploy', parameters('siteName'))]",
			"properties": map[string]any{
				"packageUri": "[parameters('packageUri')]",
				"type":       "zip",
			},
		}},
	}
}

// NewAppRelease registers the OneDeploy deployment for args.Release. Its
// logical name carries the digest: a new package is a new deployment, the
// same package is the same resource with the same inputs, so deploying it
// again changes nothing.
func NewAppRelease(ctx *pulumi.Context, name string, args *AppReleaseArgs, opts ...pulumi.ResourceOption) (*AppRelease, error) {
	c := &AppRelease{}
	if err := ctx.RegisterComponentResource(TypeAppRelease, name, c, opts...); err != nil {
		return nil, err
	}
	r := args.Release
	short := r.Short()
	if _, err := resources.NewDeployment(ctx, name+"-onedeploy-"+short, &resources.DeploymentArgs{
		ResourceGroupName: args.ResourceGroupName,
		DeploymentName:    pulumi.String("streamsec-app-" + short),
		Properties: &resources.DeploymentPropertiesArgs{
			Mode:     resources.DeploymentModeIncremental,
			Template: pulumi.Any(OneDeployTemplate()),
			Parameters: resources.DeploymentParameterMap{
				"siteName":   &resources.DeploymentParameterArgs{Value: args.AppName},
				"packageUri": &resources.DeploymentParameterArgs{Value: pulumi.ToSecret(pulumi.String(r.PackageURI))},
			},
		},
		Tags: pulumi.StringMap{"appPackage": pulumi.String(r.Digest), "managedBy": pulumi.String("streamsec")},
	}, child(c, append(dependsOn(args.App),
		// The URI is signed for minutes and used once, at create; a
		// later run keeps the deployment without signing a new one.
		pulumi.IgnoreChanges([]string{"properties.parameters.packageUri"}))...)...); err != nil {
		return nil, fmt.Errorf("app package deployment: %w", err)
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"digest": pulumi.String(r.Digest)}); err != nil {
		return nil, err
	}
	return c, nil
}
