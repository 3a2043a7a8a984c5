package pack

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/policy-packs/rules"
)

func TestInputs(t *testing.T) {
	m := property.NewMap(map[string]property.Value{
		"httpsOnly": property.New(true),
		"count":     property.New(3.0),
		"name":      property.New("app"),
		"none":      property.New(property.Null),
		"computed":  property.New(property.Computed),
		"secret":    property.New("hunter2").WithSecret(true),
		"list": property.New(property.NewArray([]property.Value{
			property.New("a"), property.New(property.Computed),
		})),
		"nested": property.New(property.NewMap(map[string]property.Value{
			"inner": property.New("x").WithSecret(true),
		})),
	})
	got := Inputs(m)
	if got["httpsOnly"] != true || got["count"] != 3.0 || got["name"] != "app" || got["none"] != nil {
		t.Errorf("scalars: %#v", got)
	}
	if !inventory.IsUnknown(got["computed"]) || !inventory.IsUnknown(got["list"].([]any)[1]) {
		t.Errorf("computed values not Unknown: %#v", got)
	}
	if got["secret"] != inventory.SecretMask || got["nested"].(map[string]any)["inner"] != inventory.SecretMask {
		t.Errorf("secrets not masked: %#v", got)
	}
}

func TestPacksCoverEveryRule(t *testing.T) {
	seen := map[string]string{}
	for _, name := range []string{rules.PackWebSocket, rules.PackBaseline} {
		p, err := New(name, rules.DefaultConfig())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if p.Name() != name || p.Version().String() != Version {
			t.Errorf("%s: name %s version %s", name, p.Name(), p.Version())
		}
		for _, pol := range p.Policies() {
			if other, dup := seen[pol.Name()]; dup {
				t.Errorf("%s in both %s and %s", pol.Name(), other, name)
			}
			seen[pol.Name()] = name
			r, ok := rules.ByID(pol.Name())
			if !ok {
				t.Errorf("policy %s is not a rule", pol.Name())
				continue
			}
			if pol.EnforcementLevel() != Level(r.Enforcement) || pol.Description() == "" {
				t.Errorf("%s: level %v", pol.Name(), pol.EnforcementLevel())
			}
			_, isStack := pol.(policyx.StackValidationPolicy)
			if isStack != r.IsStack() {
				t.Errorf("%s: stack policy %v, stack rule %v", pol.Name(), isStack, r.IsStack())
			}
		}
	}
	for _, r := range rules.All() {
		if seen[r.ID] == "" {
			t.Errorf("rule %s is in no pack", r.ID)
		}
	}
	if _, err := New("other", rules.DefaultConfig()); err == nil {
		t.Error("unknown pack accepted")
	}
}

func TestStackConfigWithoutContext(t *testing.T) {
	if got := StackConfig(nil); got.MaxMessageSizeMB != rules.DefaultConfig().MaxMessageSizeMB {
		t.Errorf("nil context: %+v", got)
	}
}
