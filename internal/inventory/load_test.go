package inventory

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestLoadFormats(t *testing.T) {
	tests := []struct {
		file, kind string
		resources  int
		check      func(t *testing.T, in Input)
	}{
		{"testdata/preview.json", KindPreview, 3, func(t *testing.T, in Input) {
			app := in.Resources[2]
			if app.Type != "azure-native:web:WebApp" || app.Name != "app" || app.Parent == "" {
				t.Errorf("web app read wrong: %+v", app)
			}
			if v, _ := app.Get("resourceGroupName"); !IsUnknown(v) {
				t.Errorf("computed value not Unknown: %#v", v)
			}
			if v, _ := app.Get("siteConfig.ipSecurityRestrictions.0.headers.x-azure-fdid.0"); !IsUnknown(v) {
				t.Errorf("nested computed value not Unknown: %#v", v)
			}
			if v, _ := app.Get("siteConfig.appSettings.1.value"); v != SecretMask {
				t.Errorf("secret not masked: %#v", v)
			}
			if v, _ := app.Get("httpsOnly"); v != false {
				t.Errorf("httpsOnly = %#v", v)
			}
		}},
		{"testdata/export.json", KindStackExport, 3, func(t *testing.T, in Input) {
			fd := in.Resources[1]
			if fd.Outputs["frontDoorId"] != "7d1f0e3c-2b4a-4c59-8e61-0a9b8c7d6e5f" {
				t.Errorf("outputs not read: %+v", fd.Outputs)
			}
			app := in.Resources[2]
			if v, _ := app.Get("siteConfig.appSettings"); v != SecretMask {
				t.Errorf("state secret not masked: %#v", v)
			}
		}},
		{"../../policy-packs/rules/testdata/hardened.json", KindPlan, 28, nil},
		// Printed by the real pulumi CLI v3.274.1 (dev stack, stand-in
		// provider): policy-packs/stacks TestRealEngineOutputsLoad.
		{"testdata/preview-dev-engine.json", KindPreview, 50, func(t *testing.T, in Input) {
			unknowns := 0
			for _, r := range in.Resources {
				if v, ok := r.Get("siteConfig.appSettings"); ok && v != nil {
					for _, e := range v.([]any) {
						if m, _ := e.(map[string]any); m["name"] == "STREAMLIT_SERVER_COOKIE_SECRET" && m["value"] == nil {
							t.Error("cookie secret setting lost")
						}
					}
				}
				var walk func(v any)
				walk = func(v any) {
					switch x := v.(type) {
					case map[string]any:
						for _, e := range x {
							walk(e)
						}
					case []any:
						for _, e := range x {
							walk(e)
						}
					default:
						if IsUnknown(x) {
							unknowns++
						}
					}
				}
				walk(r.Inputs)
			}
			if unknowns == 0 {
				t.Error("no computed value became Unknown")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			in, err := Load(data)
			if err != nil {
				t.Fatal(err)
			}
			if in.Kind != tt.kind || len(in.Resources) != tt.resources {
				t.Fatalf("kind %s with %d resources, want %s with %d", in.Kind, len(in.Resources), tt.kind, tt.resources)
			}
			if tt.check != nil {
				tt.check(t, in)
			}
			if strings.Contains(string(mustJSON(t, in)), "ZW5jcnlwdGVk") {
				t.Error("ciphertext kept in the inventory")
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct{ name, input, want string }{
		{"empty", "", "empty"},
		{"spaces", "  \n", "empty"},
		{"array", "[1,2]", "not a JSON object"},
		{"yaml", "config:\n  a: b\n", "not a JSON object"},
		{"malformed", `{"resources": [}`, "malformed JSON"},
		{"truncated", `{"resources": [{"urn": "u", "type": "t"`, "truncated"},
		{"unknown object", `{"hello": 1}`, "not a known format"},
		{"resources not list", `{"resources": {"a": 1}}`, "resources"},
		{"missing type", `{"resources": [{"urn": "urn:x"}]}`, "missing type"},
		{"missing urn and type", `{"resources": [{}]}`, "missing urn and type"},
		{"steps wrong", `{"steps": 3}`, "pulumi preview --json"},
		{"deployment wrong", `{"deployment": []}`, "pulumi stack export"},
		{"inputs wrong", `{"resources": [{"urn": "u", "type": "t", "inputs": [1]}]}`, "inputs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load([]byte(tt.input))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load(%q) error = %v, want it to mention %q", tt.input, err, tt.want)
			}
		})
	}
	// The accepted formats are named when the input is not recognised.
	_, err := Load([]byte(`{"x":1}`))
	if err == nil || !strings.Contains(err.Error(), "stack export") {
		t.Errorf("error does not list the accepted formats: %v", err)
	}
}

// Every proper prefix of a valid file is an error, never a panic or a
// silently shorter inventory.
func TestLoadTruncated(t *testing.T) {
	for _, f := range []string{"testdata/preview.json", "testdata/export.json"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		data = []byte(strings.TrimSpace(string(data)))
		for n := 0; n < len(data); n++ {
			if _, err := Load(data[:n]); err == nil {
				t.Fatalf("%s cut at %d bytes loaded without error", f, n)
			}
		}
	}
}

func FuzzLoad(f *testing.F) {
	for _, file := range []string{"testdata/preview.json", "testdata/export.json"} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"resources":[{"urn":"u","type":"t","inputs":{"a":{"4dabf18193072939515e22adb298388d":"1b47061264138c4ac30d75fd1eb44270"}}}]}`))
	f.Add([]byte(`{"steps":[{"newState":null},{"urn":"x","newState":{"type":"t"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := Load(data)
		if err != nil {
			return
		}
		for _, r := range in.Resources {
			if r.URN == "" || r.Type == "" || r.Inputs == nil {
				t.Fatalf("loaded an incomplete resource: %+v", r)
			}
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
