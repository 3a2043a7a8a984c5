package inventory_test

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/streamsec/streamsec/internal/armmap"
	"github.com/streamsec/streamsec/internal/inventory"
)

func read(data []byte, params *inventory.ARMParameters) (inventory.Input, error) {
	return inventory.Read(bytes.NewReader(data), inventory.ReadOptions{Name: "in.json", ARM: armmap.Load, Parameters: params})
}

func utf16LE(b []byte) []byte {
	out := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(string(b))) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// The streamed reader gives what Load gives, in every encoding a file
// may come in.
func TestReadMatchesLoad(t *testing.T) {
	for _, f := range []string{"testdata/export.json", "testdata/preview.json", "../../policy-packs/rules/testdata/hardened.json"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := inventory.Load(data)
		if err != nil {
			t.Fatal(err)
		}
		for enc, in := range map[string][]byte{"utf-8": data, "utf-8 BOM": append([]byte{0xEF, 0xBB, 0xBF}, data...), "utf-16le BOM": utf16LE(data)} {
			got, err := read(in, nil)
			if err != nil || got.Kind != want.Kind || !reflect.DeepEqual(got.Resources, want.Resources) {
				t.Errorf("%s %s: %v, kind %s, %d resources; want %s, %d", f, enc, err, got.Kind, len(got.Resources), want.Kind, len(want.Resources))
			}
		}
	}
}

const site = `{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app", "name": "app", "type": "Microsoft.Web/sites", "properties": {"httpsOnly": true}}`

func TestReadShapes(t *testing.T) {
	tmpl := func(resources string) string {
		return `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0", "parameters": {"p": {"type": "string", "defaultValue": "x"}}, "resources": ` + resources + `}`
	}
	tests := []struct {
		name, in, kind string
		types          []string // azure-native types read, in order
		notJudged      int
	}{
		{"az list array", `[` + site + `]`, inventory.KindAzureListing, []string{"azure-native:web:WebApp"}, 0},
		{"az show object", site, inventory.KindAzureListing, []string{"azure-native:web:WebApp"}, 0},
		{"list response", `{"value": [` + site + `]}`, inventory.KindAzureListing, []string{"azure-native:web:WebApp"}, 0},
		{"appended outputs", `[` + site + `]` + "\n" + `[{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app/providers/Microsoft.Insights/diagnosticSettings/d", "type": "Microsoft.Insights/diagnosticSettings", "properties": {}}]`,
			inventory.KindAzureListing, []string{"azure-native:web:WebApp", "azure-native:insights:DiagnosticSetting"}, 0},
		{"one object then appended arrays", site + "\n" + `[{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app/basicPublishingCredentialsPolicies/ftp", "properties": {"allow": false}}]` + "\n" + `{"value": []}`,
			inventory.KindAzureListing, []string{"azure-native:web:WebApp", "azure-native:web:WebAppFtpAllowed"}, 0},
		{"unknown type", `[{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/db", "type": "Microsoft.Sql/servers"}]`, inventory.KindAzureListing, nil, 1},
		{"config child named logs", `[` + site + `, {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app/config/logs", "properties": {}}]`, inventory.KindAzureListing, []string{"azure-native:web:WebApp"}, 1},
		{"template nested children", tmpl(`[{"type": "Microsoft.Web/sites", "apiVersion": "2022-09-01", "name": "app", "resources": [{"type": "config", "apiVersion": "2022-09-01", "name": "web", "properties": {"minTlsVersion": "1.2"}}, {"type": "basicPublishingCredentialsPolicies", "apiVersion": "2022-09-01", "name": "ftp", "properties": {"allow": false}}]}]`),
			inventory.KindARMTemplate, []string{"azure-native:web:WebApp", "azure-native:web:WebAppFtpAllowed"}, 0},
		{"bicep symbolic names, existing skipped", `{"languageVersion": "2.0", "resources": {"kv": {"existing": true, "type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-02-01", "name": "kv"}, "app": {"type": "Microsoft.Web/sites", "apiVersion": "2022-09-01", "name": "app"}}}`,
			inventory.KindARMTemplate, []string{"azure-native:web:WebApp"}, 0},
		{"condition false", tmpl(`[{"condition": "[equals('x', 'y')]", "type": "Microsoft.Web/sites", "apiVersion": "2022-09-01", "name": "app"}]`), inventory.KindARMTemplate, nil, 0},
		{"copy loop", tmpl(`[{"copy": {"name": "c", "count": 3}, "type": "Microsoft.Network/privateEndpoints", "apiVersion": "2023-02-01", "name": "[concat('pe-', copyIndex())]"}]`),
			inventory.KindARMTemplate, []string{"azure-native:network:PrivateEndpoint", "azure-native:network:PrivateEndpoint", "azure-native:network:PrivateEndpoint"}, 0},
		{"module with inner scope", tmpl(`[{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "mod", "properties": {"expressionEvaluationOptions": {"scope": "inner"}, "mode": "Incremental", "parameters": {"site": {"value": "[concat(parameters('p'), '-app')]"}},
			"template": {"parameters": {"site": {"type": "string"}}, "resources": [{"type": "Microsoft.Web/sites", "apiVersion": "2022-09-01", "name": "[parameters('site')]", "properties": {"httpsOnly": true}}]}}}]`),
			inventory.KindARMTemplate, []string{"azure-native:web:WebApp"}, 0},
		{"plan is not a template", `{"resources": [{"urn": "urn:pulumi:a::b::azure-native:web:WebApp::app", "type": "azure-native:web:WebApp", "inputs": {}}]}`, inventory.KindPlan, []string{"azure-native:web:WebApp"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := read([]byte(tt.in), nil)
			if err != nil {
				t.Fatal(err)
			}
			var types []string
			for _, r := range in.Resources {
				types = append(types, r.Type)
			}
			if in.Kind != tt.kind || strings.Join(types, ",") != strings.Join(tt.types, ",") || len(in.NotJudged) != tt.notJudged {
				t.Errorf("kind %s types %v not judged %+v", in.Kind, types, in.NotJudged)
			}
		})
	}
}

// Details the rules depend on: site config folded into the site, names
// and scopes of children and extension resources, expressions.
func TestReadARMDetails(t *testing.T) {
	in, err := read([]byte(`{"contentVersion": "1.0.0.0", "parameters": {"site": {"type": "string"}, "pw": {"type": "securestring"}}, "resources": [
		{"type": "Microsoft.Web/sites", "apiVersion": "2022-09-01", "name": "[parameters('site')]", "properties": {"siteConfig": {"alwaysOn": true}}},
		{"type": "Microsoft.Web/sites/config", "apiVersion": "2022-09-01", "name": "[format('{0}/web', parameters('site'))]", "properties": {"minTlsVersion": "1.2"}},
		{"type": "Microsoft.Web/sites/config", "apiVersion": "2022-09-01", "name": "[format('{0}/appsettings', parameters('site'))]", "properties": {"B": "2", "A": "[parameters('pw')]"}},
		{"type": "Microsoft.Web/sites/providers/diagnosticSettings", "apiVersion": "2021-05-01-preview", "name": "app/Microsoft.Insights/d", "properties": {"workspaceId": "w"}}
	]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Resources) != 2 {
		t.Fatalf("%+v", in.Resources)
	}
	app, diag := in.Resources[0], in.Resources[1]
	got, _ := json.Marshal(app.Inputs)
	want := `{"name":"04da6b54-80e4-46f7-96ec-b56ff0331ba9","resourceGroupName":"04da6b54-80e4-46f7-96ec-b56ff0331ba9","siteConfig":{"alwaysOn":true,"appSettings":[{"name":"A","value":"[secret]"},{"name":"B","value":"2"}],"minTlsVersion":"1.2"}}`
	if string(got) != want {
		t.Errorf("site inputs\n got %s\nwant %s", got, want)
	}
	if diag.Inputs["resourceUri"] != "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Web/sites/app" || diag.Inputs["name"] != "d" || diag.Type != "azure-native:insights:DiagnosticSetting" {
		t.Errorf("diagnostic setting %+v", diag)
	}
}

// Bad input names every problem at once.
func TestReadErrors(t *testing.T) {
	params := &inventory.ARMParameters{Name: "p.json", Values: map[string]any{"nope": "x"}}
	tests := []struct {
		name, in string
		params   *inventory.ARMParameters
		want     []string
	}{
		{"empty", "", nil, []string{"input is empty"}},
		{"yaml", "a: b", nil, []string{"not a JSON object"}},
		{"truncated export", `{"deployment": {"resources": [{"urn": "u", "type": "t"}`, nil, []string{"truncated"}},
		{"trailing data", `{"resources": []} x`, nil, []string{"data after the end"}},
		{"export resource without urn", `{"deployment": {"resources": [{"type": "t"}, {"urn": "u"}]}}`, nil, []string{"resources[0]: missing urn", "resources[1]: missing type"}},
		{"bad az ids", `[{"id": "/nope"}, 3]`, nil, []string{`[0].id: "/nope" is not an Azure resource id`, "[1]: want a resource object"}},
		{"template mistakes", `{"contentVersion": "1", "resources": [{"type": "[parameters('t')]", "name": "a"}, {"type": "Microsoft.Web/sites", "name": "a/b"}, {"type": "Microsoft.Web/sites", "name": "[parameters('x')]"}]}`, nil,
			[]string{"resources[0].type", "resources[1].name", `has 2 segments`, "resources[2].name: parameters('x'): the template declares no such parameter"}},
		{"parameters file", `{"contentVersion": "1", "parameters": {"need": {"type": "string"}}, "resources": [{"type": "Microsoft.Web/sites", "name": "[parameters('need')]"}]}`, params,
			[]string{`"nope" is not declared`, `parameter "need" has no value in p.json`}},
		{"latin-1", "[{\"name\": \"caf\xe9\"}]", nil, []string{"not UTF-8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := read([]byte(tt.in), tt.params)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%v\ndoes not say %q", err, w)
				}
			}
		})
	}
}

func TestParseARMParameters(t *testing.T) {
	p, err := inventory.ParseARMParameters([]byte(`{"$schema": "x", "contentVersion": "1.0.0.0", "parameters": {"a": {"value": 1}, "s": {"reference": {"keyVault": {"id": "k"}, "secretName": "n"}}}}`), "p.json")
	if err != nil || p.Values["a"] != 1.0 || len(p.Values) != 2 {
		t.Errorf("%+v %v", p, err)
	}
	for in, want := range map[string]string{
		`[1]`:                               "not a JSON object",
		`{"parameters": {"a": 1, "b": {}}}`: "parameters.a: want",
	} {
		if _, err := inventory.ParseARMParameters([]byte(in), "p.json"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", in, err)
		}
	}
}

func FuzzRead(f *testing.F) {
	for _, s := range []string{site, `[` + site + `]`, `{"deployment": {"resources": [{"urn": "u", "type": "t", "inputs": {"a": 1}}]}}`,
		`{"contentVersion": "1", "parameters": {"p": {"type": "string"}}, "variables": {"v": "[parameters('p')]"}, "resources": [{"type": "Microsoft.Web/sites", "apiVersion": "2022-09-01", "name": "[variables('v')]", "copy": {"count": 2}, "resources": [{"type": "config", "name": "web"}]}]}`} {
		f.Add([]byte(s))
	}
	params := &inventory.ARMParameters{Name: "p", Values: map[string]any{"p": "x"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		read(data, nil) // must not panic
		read(data, params)
	})
}
