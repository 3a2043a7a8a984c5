package plan

import (
	"strings"
	"testing"

	"github.com/streamsec/streamsec/internal/azschema"
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
