package main

// What the stand-in enforces for azure-native:resources:Deployment (an ARM
// template deployment), so it is at least as strict as Azure for the
// OneDeploy deployment `streamsec deploy` registers. Rules read from:
//   - azure-rest-api-specs, resources.json (2024-03-01): DeploymentProperties
//     requires mode (Incremental | Complete); template and templateLink are
//     alternatives, parameters and parametersLink too;
//   - ARM template validation (learn.microsoft.com azure-resource-manager/
//     templates/parameters, common-deployment-errors): a parameter passed
//     but not declared, or declared without defaultValue and not passed,
//     fails validation before anything is deployed;
//   - App Service OneDeploy (app-service/deploy-zip.md): the platform
//     fetches packageUri itself; a URI it cannot read, or that is not a zip
//     package, fails the deployment. The stand-in fetches it too (in tests
//     it points at Azurite on 127.0.0.1) and opens the zip.

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

const typeDeployment = "azure-native:resources:Deployment"

// plain unwraps secrets and outputs to the value inside.
func plain(v resource.PropertyValue) resource.PropertyValue {
	for {
		switch {
		case v.IsSecret():
			v = v.SecretValue().Element
		case v.IsOutput():
			v = v.OutputValue().Element
		default:
			return v
		}
	}
}

func obj(v resource.PropertyValue) resource.PropertyMap {
	v = plain(v)
	if v.IsObject() {
		return v.ObjectValue()
	}
	return nil
}

// checkDeployment returns the failures ARM would report for a deployment's
// inputs. Unknown values (preview) are not judged.
func checkDeployment(in resource.PropertyMap) []*pulumirpc.CheckFailure {
	var out []*pulumirpc.CheckFailure
	fail := func(prop, format string, args ...any) {
		out = append(out, &pulumirpc.CheckFailure{Property: prop, Reason: fmt.Sprintf(format, args...)})
	}
	if rg := plain(in["resourceGroupName"]); !rg.IsComputed() && (!rg.IsString() || rg.StringValue() == "") {
		fail("resourceGroupName", "missing required property 'resourceGroupName'")
	}
	props := obj(in["properties"])
	if props == nil {
		if !plain(in["properties"]).IsComputed() {
			fail("properties", "missing required property 'properties'")
		}
		return out
	}
	if m := plain(props["mode"]); !m.IsComputed() && (!m.IsString() || (m.StringValue() != "Incremental" && m.StringValue() != "Complete")) {
		fail("properties.mode", "mode must be Incremental or Complete")
	}
	tmpl := obj(props["template"])
	_, hasLink := props["templateLink"]
	if (tmpl == nil) == !hasLink && !plain(props["template"]).IsComputed() {
		fail("properties.template", "exactly one of template and templateLink is required")
	}
	if tmpl == nil {
		return out
	}
	declared := obj(tmpl["parameters"])
	given := obj(props["parameters"])
	for _, k := range given.StableKeys() {
		if _, ok := declared[k]; !ok {
			fail("properties.parameters."+string(k), "InvalidTemplate: parameter %q is not declared in the template", k)
		}
	}
	for _, k := range declared.StableKeys() {
		if _, ok := given[k]; ok {
			continue
		}
		if _, def := obj(declared[k])["defaultValue"]; !def {
			fail("properties.parameters."+string(k), "InvalidTemplate: the value for the template parameter %q is not provided", k)
		}
	}
	return out
}

// oneDeployURI returns the packageUri a deployment's template hands to
// Microsoft.Web/sites/extensions onedeploy, if it runs one.
func oneDeployURI(in resource.PropertyMap) (string, bool) {
	props := obj(in["properties"])
	tmpl := obj(props["template"])
	resList := plain(tmpl["resources"])
	if !resList.IsArray() {
		return "", false
	}
	for _, r := range resList.ArrayValue() {
		m := obj(r)
		typ, name := plain(m["type"]), plain(m["name"])
		if !typ.IsString() || !strings.EqualFold(typ.StringValue(), "Microsoft.Web/sites/extensions") || !name.IsString() || !strings.Contains(strings.ToLower(name.StringValue()), "onedeploy") {
			continue
		}
		expr := plain(obj(m["properties"])["packageUri"])
		if !expr.IsString() {
			return "", true
		}
		uri := expr.StringValue()
		// [parameters('x')] is resolved from the deployment's parameters.
		if p, ok := strings.CutPrefix(uri, "[parameters('"); ok {
			p = strings.TrimSuffix(p, "')]")
			v := plain(obj(obj(props["parameters"])[resource.PropertyKey(p)])["value"])
			if v.IsString() {
				return v.StringValue(), true
			}
			return "", true
		}
		return uri, true
	}
	return "", false
}

// fetchPackage does what OneDeploy does first: read the package from its
// URI and open it as a zip.
func fetchPackage(ctx context.Context, uri string) error {
	u, err := url.Parse(uri)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("onedeploy packageUri %q is not an http(s) URL the platform can fetch", redact(uri))
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("onedeploy: fetch %s: %v", redact(uri), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 2<<30))
	if err != nil {
		return fmt.Errorf("onedeploy: read %s: %v", redact(uri), err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("onedeploy: fetch %s: HTTP %d", redact(uri), resp.StatusCode)
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		return fmt.Errorf("onedeploy: %s is not a zip package: %v", redact(uri), err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return fmt.Errorf("onedeploy: %s is an empty zip", redact(uri))
	}
	return nil
}

// redact drops the query (a SAS) from a URI for messages.
func redact(uri string) string {
	if i := strings.IndexByte(uri, '?'); i >= 0 {
		return uri[:i] + "?[redacted]"
	}
	return uri
}
