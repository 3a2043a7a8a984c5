package azschema

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/streamsec/streamsec/internal/inventory"
)

func load(t *testing.T) *Schema {
	t.Helper()
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// wafPolicy is the shape streamsec's WAF policy has, with the fixed
// BlockStreamWithoutOrigin condition.
func wafPolicy() map[string]any {
	return map[string]any{
		"resourceGroupName": "rg",
		"policyName":        "wafdev",
		"location":          "Global",
		"sku":               map[string]any{"name": "Premium_AzureFrontDoor"},
		"policySettings": map[string]any{
			"enabledState": "Enabled", "mode": "Prevention", "requestBodyCheck": "Enabled",
			"customBlockResponseStatusCode": float64(403),
		},
		"customRules": map[string]any{"rules": []any{
			map[string]any{
				"name": "BlockStreamWithoutOrigin", "priority": float64(20), "enabledState": "Enabled",
				"ruleType": "MatchRule", "action": "Block",
				"matchConditions": []any{
					map[string]any{"matchVariable": "RequestUri", "operator": "Contains", "matchValue": []any{"/_stcore/stream"}},
					map[string]any{"matchVariable": "RequestHeader", "selector": "Origin", "operator": "Any", "negateCondition": true, "matchValue": []any{}},
				},
			},
			map[string]any{
				"name": "RateLimitStream", "priority": float64(40), "ruleType": "RateLimitRule", "action": "Block",
				"rateLimitThreshold": float64(60), "rateLimitDurationInMinutes": float64(1),
				"groupBy":         []any{map[string]any{"variableName": "SocketAddr"}},
				"matchConditions": []any{map[string]any{"matchVariable": "RequestUri", "operator": "Contains", "matchValue": []any{"/_stcore/stream"}}},
			},
		}},
		"tags": map[string]any{"app": "x"},
	}
}

// edit returns a deep copy of v with f applied.
func edit(v map[string]any, f func(m map[string]any)) map[string]any {
	c := deepCopy(v).(map[string]any)
	f(c)
	return c
}

// deepCopy copies plain JSON values (the fixtures hold no markers).
func deepCopy(v any) any {
	buf, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out any
	if err := json.Unmarshal(buf, &out); err != nil {
		panic(err)
	}
	return out
}

func cond(m map[string]any, rule, c int) map[string]any {
	rules := m["customRules"].(map[string]any)["rules"].([]any)
	return rules[rule].(map[string]any)["matchConditions"].([]any)[c].(map[string]any)
}

func TestValidate(t *testing.T) {
	s := load(t)
	const waf = "azure-native:network/v20240201:Policy"
	const app = "azure-native:web:WebApp"
	webApp := map[string]any{
		"resourceGroupName": "rg", "name": "app", "httpsOnly": true,
		"siteConfig": map[string]any{"minTlsVersion": "1.2", "ftpsState": "Disabled", "http20Enabled": true},
	}
	tests := []struct {
		name   string
		token  string
		inputs map[string]any
		want   []string // "path: substring"; nil means clean
	}{
		{"waf policy as the program registers it", waf, wafPolicy(), nil},
		{"nested required matchValue missing", waf, edit(wafPolicy(), func(m map[string]any) { delete(cond(m, 0, 1), "matchValue") }),
			[]string{"customRules.rules.0.matchConditions.1.matchValue: required property is missing"}},
		{"null counts as missing", waf, edit(wafPolicy(), func(m map[string]any) { cond(m, 0, 1)["matchValue"] = nil }),
			[]string{"customRules.rules.0.matchConditions.1.matchValue: required"}},
		{"top-level required missing", waf, edit(wafPolicy(), func(m map[string]any) { delete(m, "resourceGroupName") }),
			[]string{"resourceGroupName: required"}},
		{"unknown satisfies required and skips checks", waf, edit(wafPolicy(), func(m map[string]any) {
			cond(m, 0, 1)["matchValue"] = inventory.Unknown
			m["policySettings"] = inventory.Unknown
		}), nil},
		{"secret value is not judged", app, edit(webApp, func(m map[string]any) {
			m["siteConfig"].(map[string]any)["appSettings"] = inventory.SecretMask
		}), nil},
		{"wrong type", waf, edit(wafPolicy(), func(m map[string]any) { cond(m, 0, 0)["matchValue"] = "/_stcore/stream" }),
			[]string{"customRules.rules.0.matchConditions.0.matchValue: must be a list, got a string"}},
		{"integer wanted", waf, edit(wafPolicy(), func(m map[string]any) {
			m["customRules"].(map[string]any)["rules"].([]any)[0].(map[string]any)["priority"] = 1.5
		}), []string{"customRules.rules.0.priority: must be an integer"}},
		{"limit: rate limit window at most 5", waf, edit(wafPolicy(), func(m map[string]any) {
			m["customRules"].(map[string]any)["rules"].([]any)[1].(map[string]any)["rateLimitDurationInMinutes"] = float64(6)
		}), []string{"customRules.rules.1.rateLimitDurationInMinutes: 6 is above the maximum 5"}},
		{"limit: rule name at most 128", waf, edit(wafPolicy(), func(m map[string]any) {
			m["customRules"].(map[string]any)["rules"].([]any)[0].(map[string]any)["name"] = strings.Repeat("a", 129)
		}), []string{"customRules.rules.0.name: is 129 characters, at most 128"}},
		{"pattern", waf, edit(wafPolicy(), func(m map[string]any) {
			m["policySettings"].(map[string]any)["customBlockResponseBody"] = "not base64!"
		}), []string{"policySettings.customBlockResponseBody: \"not base64!\" does not match the pattern"}},
		{"open enum takes other values", waf, edit(wafPolicy(), func(m map[string]any) {
			m["policySettings"].(map[string]any)["mode"] = "SomethingNew"
		}), nil},
		{"misspelled property", app, edit(webApp, func(m map[string]any) {
			sc := m["siteConfig"].(map[string]any)
			delete(sc, "minTlsVersion")
			sc["minTLSVersion"] = "1.2"
		}), []string{`siteConfig.minTLSVersion: unknown property (did you mean "minTlsVersion"?)`}},
		{"unknown top-level property", waf, edit(wafPolicy(), func(m map[string]any) { m["customRule"] = map[string]any{} }),
			[]string{"customRule: unknown property"}},
		{"all problems at once, sorted", waf, edit(wafPolicy(), func(m map[string]any) {
			delete(cond(m, 0, 1), "operator")
			delete(cond(m, 0, 0), "matchVariable")
		}), []string{"customRules.rules.0.matchConditions.0.matchVariable: required", "customRules.rules.0.matchConditions.1.operator: required"}},
		{"additionalProperties: true takes other keys", "azure-native:operationalinsights:Workspace", map[string]any{
			"resourceGroupName": "rg", "features": map[string]any{"disableLocalAuth": true, "someNewFlag": true},
		}, nil},
		{"declared members of an extensible object are still typed", "azure-native:operationalinsights:Workspace", map[string]any{
			"resourceGroupName": "rg", "features": map[string]any{"disableLocalAuth": "yes"},
		}, []string{"features.disableLocalAuth: must be a boolean"}},
		{"type not in the table", "azure-native:compute:VirtualMachine", map[string]any{}, []string{": type azure-native:compute:VirtualMachine is not in the schema table"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := s.Validate(tc.token, tc.inputs)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d problems %v, want %d %v", len(got), got, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i].String(), w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

func TestPolymorphicRuleConditions(t *testing.T) {
	s := load(t)
	rule := func(cond map[string]any) map[string]any {
		return map[string]any{
			"resourceGroupName": "rg", "profileName": "p", "ruleSetName": "rs", "ruleName": "r", "order": float64(1),
			"conditions": []any{cond},
			"actions": []any{map[string]any{"name": "ModifyResponseHeader", "parameters": map[string]any{
				"typeName": "DeliveryRuleHeaderActionParameters", "headerAction": "Overwrite", "headerName": "X-Frame-Options", "value": "DENY",
			}}},
		}
	}
	ok := map[string]any{"name": "RequestScheme", "parameters": map[string]any{
		"typeName": "DeliveryRuleRequestSchemeConditionParameters", "operator": "Equal", "matchValues": []any{"HTTP"},
	}}
	if got := s.Validate("azure-native:cdn:Rule", rule(ok)); len(got) != 0 {
		t.Fatalf("valid rule: %v", got)
	}
	bad := deepCopy(ok).(map[string]any)
	bad["name"] = "NoSuchCondition"
	got := s.Validate("azure-native:cdn:Rule", rule(bad))
	if len(got) != 1 || got[0].Path != "conditions.0.name" || !strings.Contains(got[0].Message, `"RequestScheme"`) {
		t.Fatalf("unknown condition name: %v", got)
	}
	missing := deepCopy(ok).(map[string]any)
	delete(missing["parameters"].(map[string]any), "operator")
	got = s.Validate("azure-native:cdn:Rule", rule(missing))
	if len(got) != 1 || got[0].Path != "conditions.0.parameters.operator" {
		t.Fatalf("missing nested required: %v", got)
	}
}

func TestLookups(t *testing.T) {
	s := load(t)
	tests := []struct {
		token, arm, api, name string
		byARM                 bool
		want                  string
	}{
		{token: "azure-native:web:WebApp", want: "azure-native:web:WebApp"},
		{token: "azure-native:storage/v20220901:StorageAccount", want: "azure-native:storage:StorageAccount"},
		{token: "azure-native:storage/v20230101:StorageAccount", want: ""},
		{token: "azure-native:network:Policy", want: ""}, // the default token is another API version
		{byARM: true, arm: "microsoft.web/SITES", api: "2022-09-01", want: "azure-native:web:WebApp"},
		{byARM: true, arm: "Microsoft.Web/sites", api: "2023-01-01", want: ""},
		{byARM: true, arm: "Microsoft.Web/sites/basicPublishingCredentialsPolicies", api: "2022-09-01", name: "scm", want: "azure-native:web:WebAppScmAllowed"},
		{byARM: true, arm: "Microsoft.Web/sites/config", api: "2021-02-01", name: "authsettingsV2", want: "azure-native:web:WebAppAuthSettingsV2"},
		{byARM: true, arm: "Microsoft.Web/sites/config", api: "2021-02-01", name: "appsettings", want: ""},
	}
	for _, tc := range tests {
		var got *Type
		var ok bool
		switch {
		case tc.byARM && tc.name != "":
			got, ok = s.ByARMName(tc.arm, tc.api, tc.name)
		case tc.byARM:
			got, ok = s.ByARM(tc.arm, tc.api)
		default:
			got, ok = s.Type(tc.token)
		}
		name := ""
		if ok {
			name = got.Token
		}
		if name != tc.want {
			t.Errorf("%+v: got %q, want %q", tc, name, tc.want)
		}
	}
}

// Every type names where it was read, and every property has an ARM
// location or is a URL parameter, so ARM bodies can be mapped back.
func TestTableIsComplete(t *testing.T) {
	s := load(t)
	if len(s.Types()) == 0 {
		t.Fatal("empty table")
	}
	for _, ty := range s.Types() {
		if ty.Source == "" || ty.APIVersion == "" {
			t.Errorf("%s: source %q, API version %q", ty.Token, ty.Source, ty.APIVersion)
		}
		if ty.ARMType != "" && ty.ARMName == "" && ty.ARMFixedName == "" {
			t.Errorf("%s: no ARM name input", ty.Token)
		}
		if ty.ARMName != "" && ty.Inputs.Properties[ty.ARMName] == nil {
			t.Errorf("%s: ARM name input %s is not an input", ty.Token, ty.ARMName)
		}
		for n, p := range ty.Inputs.Properties {
			if ty.ARMType != "" && p.In != "path" && len(p.ARM) == 0 {
				t.Errorf("%s.%s: no ARM location", ty.Token, n)
			}
		}
	}
}

func TestParseRejectsBadTables(t *testing.T) {
	for name, in := range map[string]string{
		"not json":                     `{`,
		"dangling ref":                 `{"types":[{"token":"a:b:C","inputs":{"type":"object","properties":{"x":{"ref":"nope"}}}}]}`,
		"no inputs":                    `{"types":[{"token":"a:b:C"}]}`,
		"duplicate type":               `{"types":[{"token":"a:b:C","inputs":{}},{"token":"a:b:C","inputs":{}}]}`,
		"bad pattern":                  `{"types":[{"token":"a:b:C","inputs":{"type":"object","properties":{"x":{"ref":"D"}}}}],"defs":{"D":{"type":"string","pattern":"a("}}}`,
		"dangling ref in a definition": `{"types":[],"defs":{"D":{"type":"object","properties":{"y":{"ref":"nope"}}}}}`,
	} {
		if _, err := parse([]byte(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
