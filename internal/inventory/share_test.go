package inventory

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/streamsec/streamsec/test/bigexport"
)

// plainExport decodes a stack export the way check did before values
// were shared: encoding/json, then normalize, nothing shared.
func plainExport(t testing.TB, data []byte) []Resource {
	t.Helper()
	var doc document
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var out []Resource
	for _, r := range doc.Deployment.Resources {
		res, err := convert(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, res)
	}
	return out
}

func bigExport(t testing.TB, n int) []byte {
	t.Helper()
	plan, err := os.ReadFile(filepath.Join("..", "..", bigexport.Hardened))
	if err != nil {
		t.Fatal(err)
	}
	data, err := bigexport.StackExport(plan, n)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

const secretsExport = `{"deployment": {"resources": [
  {"urn": "urn:pulumi:s::p::azure-native:web:WebApp::a", "type": "azure-native:web:WebApp",
   "inputs": {"siteConfig": {"minTlsVersion": "1.2", "appSettings": [{"name": "K", "value": {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v1:abc"}}]},
              "serverFarmId": "04da6b54-80e4-46f7-96ec-b56ff0331ba9", "n": 1.5, "ok": true, "none": null, "empty": {}, "list": []},
   "outputs": {"id": "/x/a"}},
  {"urn": "urn:pulumi:s::p::azure-native:web:WebApp::b", "type": "azure-native:web:WebApp",
   "inputs": {"siteConfig": {"minTlsVersion": "1.2", "appSettings": [{"name": "K", "value": {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v1:def"}}]},
              "serverFarmId": "04da6b54-80e4-46f7-96ec-b56ff0331ba9", "n": 1.5, "ok": true, "none": null, "empty": {}, "list": []},
   "outputs": {"id": "/x/b"}},
  {"urn": "urn:pulumi:s::p::azure-native:web:WebApp::c", "type": "azure-native:web:WebApp",
   "inputs": {"siteConfig": {"minTlsVersion": "1.0"}}}
]}}`

// Reading shares values but gives exactly what a plain decode gives.
func TestSharedReadEqualsPlainDecode(t *testing.T) {
	export, err := os.ReadFile("testdata/export.json")
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"export.json": export, "secrets": []byte(secretsExport), "1,000 resources": bigExport(t, 1000)} {
		t.Run(name, func(t *testing.T) {
			want := plainExport(t, data)
			got, err := Read(bytes.NewReader(data), ReadOptions{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Resources, want) {
				t.Fatalf("shared read differs from a plain decode")
			}
			loaded, err := Load(data)
			if err != nil || !reflect.DeepEqual(loaded.Resources, want) {
				t.Fatalf("Load differs from a plain decode: %v", err)
			}
		})
	}
}

func TestEqualValuesAreOneCopy(t *testing.T) {
	in, err := Read(strings.NewReader(secretsExport), ReadOptions{Name: "s"})
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := in.Resources[0].Inputs, in.Resources[1].Inputs, in.Resources[2].Inputs
	same := func(x, y any) bool { return reflect.ValueOf(x).UnsafePointer() == reflect.ValueOf(y).UnsafePointer() }
	if !same(a["siteConfig"], b["siteConfig"]) {
		t.Error("equal siteConfig objects (their secrets masked) are two copies")
	}
	if !same(a, b) {
		t.Error("equal inputs are two copies")
	}
	if same(a["siteConfig"], c["siteConfig"]) {
		t.Error("different siteConfig objects share one copy")
	}
	if same(in.Resources[0].Outputs, in.Resources[1].Outputs) {
		t.Error("different outputs share one copy")
	}
	if v, _ := Lookup(a, "siteConfig.appSettings.0.value"); v != SecretMask {
		t.Errorf("secret read as %v", v)
	}
	if v := a["serverFarmId"]; !IsUnknown(v) {
		t.Errorf("computed value read as %v", v)
	}
	// Nothing of a secret's envelope is kept.
	for _, r := range in.Resources {
		blob, _ := json.Marshal(r)
		if bytes.Contains(blob, []byte("v1:abc")) || bytes.Contains(blob, []byte("ciphertext")) {
			t.Errorf("%s keeps secret content: %s", r.URN, blob)
		}
	}
}

func TestExportResourceErrors(t *testing.T) {
	tests := []struct {
		name, resources string
		want            []string
	}{
		{"field types, all at once", `{"urn": 5, "type": "t", "inputs": [1]}, {"urn": "u", "type": true}`,
			[]string{"resources[0]: urn must be a string; inputs must be an object", "resources[1]: type must be a string"}},
		{"duplicate names", `{"urn": "u", "type": "t", "inputs": {"a": 1, "a": 2}}`, []string{"resources[0]", "duplicate"}},
		{"number out of range", `{"urn": "u", "type": "t", "inputs": {"a": 1e999}}`, []string{"resources[0]: number 1e999 is out of range"}},
		{"not an object", `"u", {"urn": "u"}`, []string{"resources[0]: want an object, got a string", "resources[1]: missing type"}},
		{"secret inputs", `{"urn": "u", "type": "t", "inputs": {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "x"}}`,
			[]string{"resources[0]: inputs must be an object"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(`{"deployment": {"resources": [`+tt.resources+`]}}`), ReadOptions{Name: "x"})
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

// The shared decoder and the plain one agree on every resource either
// reads, and neither panics.
func FuzzExportResource(f *testing.F) {
	f.Add(`{"urn": "u", "type": "t", "inputs": {"a": [1, "x", {"b": null}], "c": {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}}}`)
	f.Add(`{"URN": "u", "Type": "t", "outputs": {"x": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"}, "inputs": null}`)
	f.Add(`{"urn": "u::n", "type": "t", "name": "n", "inputs": {"\u00e9": "\ud800", "k": -0, "l": 1e2}}`)
	f.Fuzz(func(t *testing.T, raw string) {
		if !json.Valid([]byte(raw)) {
			return
		}
		d := newExportDecoder(newSharer())
		got, err := d.resource([]byte(raw))
		var r rawResource
		if json.Unmarshal([]byte(raw), &r) != nil {
			return // encoding/json refused it too (or read it differently)
		}
		want, werr := convert(r, nil)
		if err != nil || werr != nil {
			return // the shared decoder is stricter (duplicates, non-objects)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("shared %#v\nplain  %#v", got, want)
		}
	})
}
