package azureid

import (
	"strings"
	"testing"
)

func TestID(t *testing.T) {
	const sub = "sub-1"
	in := func(m map[string]string) Inputs {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	cases := []struct {
		typ, name string
		inputs    map[string]string
		want      string
	}{
		{"azure-native:resources:ResourceGroup", "rg", nil, "/subscriptions/sub-1/resourceGroups/rg"},
		{"azure-native:cdn/v20240201:AFDEndpoint", "ep", map[string]string{"resourceGroupName": "rg", "profileName": "fd"},
			"/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Cdn/profiles/fd/afdEndpoints/ep"},
		{"azure-native:insights:DiagnosticSetting", "diag", map[string]string{"resourceUri": "/subscriptions/sub-1/x/"},
			"/subscriptions/sub-1/x/providers/Microsoft.Insights/diagnosticSettings/diag"},
		// A missing template input stays as its key: never a real id.
		{"azure-native:keyvault:Secret", "s", map[string]string{"resourceGroupName": "rg"},
			"/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/vaultName/secrets/s"},
		// Outside the table: Azure's generic shape.
		{"azure-native:compute:VirtualMachine", "vm", map[string]string{"resourceGroupName": "rg"},
			"/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm"},
	}
	for _, c := range cases {
		if got := ID(c.typ, c.name, sub, in(c.inputs)); got != c.want {
			t.Errorf("%s: %s, want %s", c.typ, got, c.want)
		}
	}
	if Known("azure-native:compute:VirtualMachine") || !Known("azure-native:web/v20240401:WebApp") {
		t.Error("Known")
	}
	if k, ok := NameKey("azure-native:web:WebAppFtpAllowed"); !ok || k != "" {
		t.Errorf("NameKey of a site child: %q %v", k, ok)
	}
}

func TestEveryShapeFills(t *testing.T) {
	all := func(string) (string, bool) { return "v", true }
	for typ := range shapes() {
		if id := ID(typ, "n", "s", all); strings.ContainsAny(id, "{}") || !strings.Contains(id, "/") {
			t.Errorf("%s: %s", typ, id)
		}
	}
}

func TestSubscription(t *testing.T) {
	for id, want := range map[string]string{
		"/subscriptions/abc/resourceGroups/rg": "abc", "/subscriptions/abc": "abc", "rg": "", "": "",
	} {
		if got := Subscription(id); got != want {
			t.Errorf("%q: %q, want %q", id, got, want)
		}
	}
}

func TestARMType(t *testing.T) {
	for id, want := range map[string]string{
		"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Cdn/profiles/fd":                                                 "Microsoft.Cdn/profiles",
		"/subscriptions/s/resourceGroups/rg/providers/microsoft.cdn/profiles/fd/afdEndpoints/ep":                                 "microsoft.cdn/profiles/afdEndpoints",
		"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app/providers/Microsoft.Insights/diagnosticSettings/d": "Microsoft.Insights/diagnosticSettings",
		"Microsoft.Cdn/profiles/fd":                                             "Microsoft.Cdn/profiles",
		"/subscriptions/s/resourceGroups/rg":                                    "",
		"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Cdn/profiles":   "",
		"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Cdn/profiles//": "",
		"profiles/fd/x": "",
		"":              "",
		"urn:pulumi:dev::p::azure-native:cdn:Profile::fd": "",
	} {
		if got := ARMType(id); got != want {
			t.Errorf("ARMType(%q) = %q, want %q", id, got, want)
		}
	}
}
