package rules_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/policy-packs/rules"
	"github.com/streamsec/streamsec/test/bigexport"
)

// inventory.Read shares equal values between resources (one map for every
// equal settings block), so a rule that wrote into a resource's inputs
// would change other resources under the next rule's feet. Every rule
// (and the edge model and schema table behind them) only reads.
func TestRulesLeaveInputsAlone(t *testing.T) {
	plan, err := os.ReadFile("testdata/hardened.json")
	if err != nil {
		t.Fatal(err)
	}
	// Two and a half copies, so cut-short copies fail rules too, and a
	// weakened copy (HTTP allowed, TLS 1.0) fails the rest.
	data, err := bigexport.StackExport(plan, 71)
	if err != nil {
		t.Fatal(err)
	}
	weak := bytes.ReplaceAll(data, []byte(`"httpsOnly": true`), []byte(`"httpsOnly": false`))
	weak = bytes.ReplaceAll(weak, []byte(`"1.2"`), []byte(`"1.0"`))
	for name, doc := range map[string][]byte{"hardened copies": data, "weakened copies": weak} {
		t.Run(name, func(t *testing.T) {
			in, err := inventory.Read(bytes.NewReader(doc), inventory.ReadOptions{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			before, _ := json.Marshal(in.Resources)
			ev := rules.Run(rules.All(), in.Resources, rules.DefaultConfig())
			if len(ev.Violations) == 0 {
				t.Fatal("no violation: the cut-short copy should fail")
			}
			if after, _ := json.Marshal(in.Resources); !bytes.Equal(before, after) {
				t.Error("evaluating the rules changed the resources' inputs")
			}
		})
	}
}
