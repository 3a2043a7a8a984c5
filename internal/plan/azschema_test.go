package plan

import (
	"strconv"
	"strings"
	"testing"

	"github.com/streamsec/streamsec/internal/azschema"
	"github.com/streamsec/streamsec/internal/inventory"
)

// TestPlansMatchAzureSchema: every Azure resource of both stacks is of a type
// the schema table knows, and its inputs are what Azure accepts (names at
// every depth, required properties, types, closed enums, limits). A new
// resource type, or a property path the table does not know, fails here.
func TestPlansMatchAzureSchema(t *testing.T) {
	s, err := azschema.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			p := planStack(t, stack)
			judged := 0
			for _, r := range p.Resources {
				if strings.HasPrefix(r.Type, "streamsec:components:") {
					continue
				}
				if _, ok := s.Type(r.Type); !ok {
					t.Errorf("%s (%s): type not in the schema table", r.Name, r.Type)
					continue
				}
				judged++
				for _, pr := range s.Validate(r.Type, r.Inputs) {
					t.Errorf("%s (%s): %s", r.Name, r.Type, pr)
				}
			}
			if judged == 0 {
				t.Fatal("no Azure resources judged")
			}
		})
	}
}

// TestRemovingAnyRequiredPropertyIsCaught removes, one at a time, every
// required property the dev and prod plans set (at any depth) and expects
// the table to report exactly that path as missing.
func TestRemovingAnyRequiredPropertyIsCaught(t *testing.T) {
	s, err := azschema.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, stack := range []string{"dev", "prod"} {
		p := planStack(t, stack)
		tried := 0
		for _, r := range p.Resources {
			ty, ok := s.Type(r.Type)
			if !ok {
				continue
			}
			for _, path := range requiredPaths(ty.Inputs, r.Inputs, nil) {
				tried++
				in := deepCopy(r.Inputs).(map[string]any)
				deletePath(in, path)
				want := strings.Join(path, ".")
				found := false
				for _, pr := range s.Validate(r.Type, in) {
					if pr.Path == want && strings.Contains(pr.Message, "required") {
						found = true
					}
				}
				if !found {
					t.Errorf("%s %s: removing %s was not reported", stack, r.Name, want)
				}
			}
		}
		t.Logf("%s: %d required properties removed one at a time", stack, tried)
		if tried < 50 {
			t.Errorf("%s: only %d required properties tried", stack, tried)
		}
	}
}

// requiredPaths lists the paths of required properties present in v.
func requiredPaths(p *azschema.Prop, v any, at []string) [][]string {
	var out [][]string
	switch x := v.(type) {
	case map[string]any:
		if len(p.OneOf) > 0 {
			for _, alt := range p.OneOf {
				if d := alt.Properties[p.Discriminator]; d != nil && x[p.Discriminator] == d.Const {
					return requiredPaths(alt, v, at)
				}
			}
			return nil
		}
		for name, c := range p.Properties {
			child, ok := x[name]
			if !ok || child == nil || inventory.IsUnknown(child) {
				continue
			}
			path := append(append([]string(nil), at...), name)
			if c.Required {
				out = append(out, path)
			}
			out = append(out, requiredPaths(c, child, path)...)
		}
	case []any:
		if p.Items != nil {
			for i, e := range x {
				out = append(out, requiredPaths(p.Items, e, append(append([]string(nil), at...), strconv.Itoa(i)))...)
			}
		}
	}
	return out
}

func deletePath(m map[string]any, path []string) {
	var cur any = m
	for _, step := range path[:len(path)-1] {
		switch x := cur.(type) {
		case map[string]any:
			cur = x[step]
		case []any:
			i, _ := strconv.Atoi(step)
			cur = x[i]
		}
	}
	delete(cur.(map[string]any), path[len(path)-1])
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
