package rules

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/streamsec/streamsec/internal/deploy"
	"github.com/streamsec/streamsec/internal/inventory"
)

// Rules for how the app's code and data are reached: the package store the
// pipeline uploads to, private containers, App Settings that name storage
// without credentials, and the OneDeploy deployment (see
// components/release.go for the mechanism and where Azure documents it).

const (
	typeBlobContainer = "azure-native:storage:BlobContainer"
	typeDeployment    = "azure-native:resources:Deployment"
	// The package store is tagged with its role; the tag decides which
	// network requirement applies, never whether one applies.
	packageStoreTagPath = "tags.streamsecRole"
	packageStoreRole    = "app-packages"
)

// isPackageStore reports whether a storage account declares itself the
// app's package store.
func isPackageStore(r inventory.Resource) bool {
	v, st := prop(r, packageStoreTagPath)
	return st == stKnown && strings.EqualFold(text(v), packageStoreRole)
}

// withoutPackageStores drops the package store accounts from rs.
func withoutPackageStores(rs []inventory.Resource) []inventory.Resource {
	out := make([]inventory.Resource, 0, len(rs))
	for _, r := range rs {
		if baseType(r.Type) == typeStorage && isPackageStore(r) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// packageStoreExposure judges the one account a hosted runner reaches over
// the internet: it must accept Entra ID only (no shared key, so no key-signed
// SAS or connection string; OAuth by default; no anonymous reads).
func packageStoreExposure(r inventory.Resource) []Finding {
	var out []Finding
	out = append(out, expectBool(r, "allowSharedKeyAccess", false)...)
	out = append(out, expectBool(r, "allowBlobPublicAccess", false)...)
	out = append(out, expectBool(r, "defaultToOAuthAuthentication", true)...)
	for i := range out {
		out[i].Message = "package store (tag streamsecRole=app-packages) is reachable from the internet, so it must be Entra ID only: " + out[i].Message
	}
	return out
}

// credentialValue matches storage credentials inside a setting value.
var credentialValue = regexp.MustCompile(`(?i)(AccountKey=|SharedAccessSignature=|SharedAccessKey=|[?&]sig=)`)

// credentialName matches setting names that by convention hold storage
// credentials.
var credentialName = regexp.MustCompile(`(?i)(STORAGE.*(KEY|CONNECTION_?STRING|SAS)|^AzureWebJobsStorage$)`)

func deployRules() []Rule {
	web := []string{typeWebApp}
	return []Rule{
		{
			ID: "storage-container-private", Title: "Blob containers are private",
			Description: "publicAccess None (absent means Azure's default, None): app data and app packages are read with Entra ID identities only.",
			Controls:    []string{"WS-EXP-01"}, AzurePolicyIDs: []string{apBlobPublic},
			Enforcement: Mandatory, Types: []string{typeBlobContainer}, Pack: PackBaseline,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectNotOneOf(r, "publicAccess", "None", "Blob", "Container")
			},
		},
		{
			ID: "appservice-no-storage-credentials", Title: "App Settings hold no storage keys, SAS or connection strings",
			Description: "The app reaches Storage with its managed identity (DefaultAzureCredential); an account key, SAS or connection string in App Settings is a long-lived secret readable by anyone who can read the site config.",
			Controls:    []string{"WS-NET-02"},
			Enforcement: Mandatory, Types: web, Pack: PackBaseline,
			Check: checkNoStorageCredentials,
		},
		{
			ID: "appservice-storage-settings", Title: "The app is told where its storage is",
			Description: deploy.SettingBlobEndpoint + " (an https blob endpoint, no query) and " + deploy.SettingContainer + " name the account and container the app passes to azure-storage-blob with its managed identity.",
			Controls:    []string{"WS-NET-02"},
			Enforcement: Advisory, Types: web, Pack: PackBaseline,
			Check: checkStorageSettings,
		},
		{
			ID: "appservice-python-build", Title: "App Service builds the Python package",
			Description: deploy.SettingBuild + " true (App Service's build installs requirements.txt, so the pinned Streamlit is what runs) and no " + deploy.SettingRunFromPackage + " (run from package is not supported for Python apps).",
			Controls:    []string{"WS-PATCH-01"},
			Enforcement: Advisory, Types: web, Pack: PackBaseline,
			Check: checkPythonBuild,
		},
		{
			ID: "deployment-package-uri-secret", Title: "The package URI of a OneDeploy is a secure parameter",
			Description: "An ARM deployment running Microsoft.Web/sites/extensions onedeploy takes packageUri as a securestring parameter with a secret value, so its read SAS never shows in the deployment history, a plan or a log.",
			Controls:    []string{"WS-NET-02"},
			Enforcement: Mandatory, Types: []string{typeDeployment}, Pack: PackBaseline,
			Check: checkOneDeployParameters,
		},
	}
}

func checkNoStorageCredentials(r inventory.Resource, _ Config) []Finding {
	v, st := prop(r, appSettingsPath)
	switch st {
	case stMissing:
		return nil
	case stUnknown, stSecret:
		return []Finding{{Property: appSettingsPath, Message: unknownMsg(appSettingsPath)}}
	}
	var out []Finding
	for i, e := range list(v) {
		p := fmt.Sprintf("%s.%d", appSettingsPath, i)
		entry := obj(e)
		name, nst := propOf(entry, "name")
		if nst == stUnknown {
			out = append(out, Finding{Property: p + ".name", Message: unknownMsg(p + ".name")})
			continue
		}
		if credentialName.MatchString(text(name)) {
			out = append(out, Finding{Property: p + ".name", Message: fmt.Sprintf("App Setting %s holds a storage credential by its name: use the app's managed identity and %s/%s instead", text(name), deploy.SettingBlobEndpoint, deploy.SettingContainer)})
			continue
		}
		val, vst := propOf(entry, "value")
		switch vst {
		case stUnknown:
			// A credential is typically computed (a key read at apply), so
			// an unknown value fails closed, except Streamlit's own options:
			// those are Streamlit's config, judged value by value by the
			// streamlit-* rules (the origin lists wait for Front Door's
			// host), and no storage client reads them.
			if !strings.HasPrefix(strings.ToUpper(text(name)), "STREAMLIT_") {
				out = append(out, Finding{Property: p + ".value", Message: text(name) + ": " + unknownMsg(p+".value")})
			}
		case stKnown:
			if credentialValue.MatchString(text(val)) {
				out = append(out, Finding{Property: p + ".value", Message: fmt.Sprintf("App Setting %s holds a storage key, SAS or connection string: use the app's managed identity", text(name))})
			}
		}
	}
	return out
}

func checkStorageSettings(r inventory.Resource, _ Config) []Finding {
	var out []Finding
	endpoint, p, st := appSetting(r, deploy.SettingBlobEndpoint)
	switch st {
	case stKnown:
		u, err := url.Parse(endpoint)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.User != nil {
			out = append(out, Finding{Property: p, Message: fmt.Sprintf("%s %q: want an https blob endpoint such as https://<account>.blob.core.windows.net/, with no query (a SAS) or credentials", deploy.SettingBlobEndpoint, endpoint)})
		}
	case stMissing:
		out = append(out, Finding{Property: p, Message: deploy.SettingBlobEndpoint + " is not set: the app cannot find its storage account"})
	default:
		out = append(out, unresolvedSetting(deploy.SettingBlobEndpoint, p, st)...)
	}
	container, p, st := appSetting(r, deploy.SettingContainer)
	switch {
	case st == stKnown && strings.TrimSpace(container) == "":
		out = append(out, Finding{Property: p, Message: deploy.SettingContainer + " is empty"})
	case st == stMissing:
		out = append(out, Finding{Property: p, Message: deploy.SettingContainer + " is not set: the app cannot find its container"})
	case st != stKnown:
		out = append(out, unresolvedSetting(deploy.SettingContainer, p, st)...)
	}
	return out
}

func checkPythonBuild(r inventory.Resource, _ Config) []Finding {
	fx, st := prop(r, "siteConfig.linuxFxVersion")
	if st == stKnown && !strings.HasPrefix(strings.ToUpper(text(fx)), "PYTHON|") {
		return nil // not a Python app: the rule's requirement does not arise
	}
	if st == stUnknown {
		return []Finding{{Property: "siteConfig.linuxFxVersion", Message: unknownMsg("siteConfig.linuxFxVersion")}}
	}
	if st == stMissing {
		return []Finding{{Property: "siteConfig.linuxFxVersion", Message: "siteConfig.linuxFxVersion is not set: cannot tell the runtime, so the build setting cannot be judged"}}
	}
	var out []Finding
	v, p, vst := appSetting(r, deploy.SettingBuild)
	switch {
	case vst == stKnown && !strings.EqualFold(strings.TrimSpace(v), "true") && v != "1":
		out = append(out, Finding{Property: p, Message: fmt.Sprintf("%s is %q: want true, so App Service installs requirements.txt", deploy.SettingBuild, v)})
	case vst == stMissing:
		out = append(out, Finding{Property: p, Message: deploy.SettingBuild + " is not set: a zip deployment would not install requirements.txt; want true"})
	case vst != stKnown:
		out = append(out, unresolvedSetting(deploy.SettingBuild, p, vst)...)
	}
	if _, p, rst := appSetting(r, deploy.SettingRunFromPackage); rst != stMissing {
		out = append(out, Finding{Property: p, Message: deploy.SettingRunFromPackage + " is set: run from package is not supported for Python apps (no build, read-only wwwroot); deploy with OneDeploy and the build instead"})
	}
	return out
}

// checkOneDeployParameters judges deployments whose template runs OneDeploy;
// other deployments are out of its scope.
func checkOneDeployParameters(r inventory.Resource, _ Config) []Finding {
	tmpl, st := prop(r, "properties.template")
	switch st {
	case stMissing:
		return nil // a templateLink deployment: nothing inline to judge here
	case stUnknown, stSecret:
		return []Finding{{Property: "properties.template", Message: unknownMsg("properties.template")}}
	}
	if !runsOneDeploy(tmpl) {
		return nil
	}
	var out []Finding
	if typ, tst := propOf(tmpl, "parameters.packageUri.type"); tst != stKnown || !strings.EqualFold(text(typ), "securestring") {
		out = append(out, Finding{Property: "properties.template.parameters.packageUri.type", Message: "the OneDeploy template's packageUri parameter must be of type securestring, so the deployment history never shows the SAS"})
	}
	switch _, vst := prop(r, "properties.parameters.packageUri.value"); vst {
	case stSecret, stUnknown:
	case stMissing:
		out = append(out, Finding{Property: "properties.parameters.packageUri.value", Message: "the OneDeploy deployment passes no packageUri"})
	default:
		out = append(out, Finding{Property: "properties.parameters.packageUri.value", Message: "packageUri is a plain value: mark it secret so the SAS stays out of the state, plans and logs"})
	}
	return out
}

// runsOneDeploy reports whether an ARM template deploys
// Microsoft.Web/sites/extensions named .../onedeploy.
func runsOneDeploy(tmpl any) bool {
	for _, res := range list(obj(tmpl)["resources"]) {
		m := obj(res)
		if strings.EqualFold(text(m["type"]), "Microsoft.Web/sites/extensions") && containsFold(text(m["name"]), "onedeploy") {
			return true
		}
	}
	return false
}
