package edge

import (
	"os"
	"testing"

	"github.com/streamsec/streamsec/internal/inventory"
)

// FuzzLoadVerify: any plan (check hands the model whatever a preview,
// export or ARM document holds, computed values included) loads as a model
// or an error, and a model verifies or errs: never a panic, and every probe
// ends with a status.
func FuzzLoadVerify(f *testing.F) {
	hardened, err := os.ReadFile("../../policy-packs/rules/testdata/hardened.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(hardened, "1.67.0")
	f.Add(hardened, "1.39.0")
	f.Add([]byte(`{"resources":[{"urn":"u","type":"azure-native:web:WebApp","name":"a","inputs":{"name":"`+inventory.UnknownJSON+`"}}]}`), "")
	f.Add([]byte(`{"resources":[{"urn":"d","type":"azure-native:cdn:AFDCustomDomain","inputs":{"hostName":"x"}},{"urn":"r","type":"azure-native:cdn:Route","inputs":{"customDomains":[{"id":null}],"patternsToMatch":[1]}}]}`), "")
	f.Fuzz(func(t *testing.T, doc []byte, version string) {
		in, err := inventory.Load(doc)
		if err != nil {
			return
		}
		s, err := Load(in.Resources, LoadOptions{StreamlitVersion: version})
		if err != nil {
			return
		}
		run, err := Verify(s, SuiteOptions{Origins: []string{"https://dash.example.com"}})
		if err != nil {
			return
		}
		for _, p := range run.Probes {
			if p.Status == "" {
				t.Fatalf("probe %s ended without a status", p.ID)
			}
		}
	})
}
