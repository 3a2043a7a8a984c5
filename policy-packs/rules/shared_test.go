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

// Two stacks in one input are not modelled as one edge: merged, a rule
// set of one profile would serve the other's routes and the last web app
// would stand behind every route, so the edge rules could pass what
// neither stack does. They fail closed, naming why; one stack passes.
func TestEdgeRulesRefuseTwoStacks(t *testing.T) {
	plan, err := os.ReadFile("testdata/hardened.json")
	if err != nil {
		t.Fatal(err)
	}
	var one struct {
		Resources []json.RawMessage `json:"resources"`
	}
	if err := json.Unmarshal(plan, &one); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		copies  int
		refused bool
	}{{"one stack", 1, false}, {"two stacks", 2, true}} {
		t.Run(tt.name, func(t *testing.T) {
			data, err := bigexport.StackExport(plan, 1+tt.copies*len(one.Resources))
			if err != nil {
				t.Fatal(err)
			}
			in, err := inventory.Read(bytes.NewReader(data), inventory.ReadOptions{Name: tt.name})
			if err != nil {
				t.Fatal(err)
			}
			edgeFails := 0
			for _, v := range rules.Run(rules.All(), in.Resources, rules.DefaultConfig()).Violations {
				if v.Policy[:5] != "edge-" {
					t.Errorf("unexpected violation %s: %s", v.Policy, v.Message)
					continue
				}
				edgeFails++
				for _, want := range []string{"2 Front Door profiles", "2 web apps", "one stack's edge at a time"} {
					if !bytes.Contains([]byte(v.Message), []byte(want)) {
						t.Errorf("%s: %q does not say %q", v.Policy, v.Message, want)
					}
				}
			}
			if refused := edgeFails > 0; refused != tt.refused {
				t.Errorf("%d edge rules failed, want refused=%v", edgeFails, tt.refused)
			}
		})
	}
}
