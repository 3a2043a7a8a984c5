package rules

import (
	"fmt"
	"sort"

	"github.com/streamsec/streamsec/internal/azschema"
	"github.com/streamsec/streamsec/internal/inventory"
)

// schemaRules holds azure-schema: every resource of a type in the schema
// table (internal/azschema, read from the Azure REST API specs at the API
// version azure-native uses) must be a body Azure accepts. A property Azure
// would never receive (a misspelled name, which the real provider drops
// without a word) is reported, not judged as if it were set.
func schemaRules() []Rule {
	s, err := azschema.Load()
	var types []string
	if err == nil {
		seen := map[string]bool{}
		for _, tok := range s.Tokens() {
			if b := baseType(tok); !seen[b] {
				seen[b] = true
				types = append(types, b)
			}
		}
		sort.Strings(types)
	}
	return []Rule{{
		ID: "azure-schema", Title: "Resources are what Azure accepts",
		Description: "Each resource of a known type is checked against the Azure REST API spec of its API version: required properties at every depth, types, closed enums, limits and property names. A misspelled property never reaches Azure (the provider drops it), so a hardening setting written that way is not in force.",
		Controls:    []string{"WS-TEST-01"},
		Enforcement: Mandatory, Types: types, Pack: PackBaseline,
		Check: func(r inventory.Resource, _ Config) []Finding {
			if err != nil {
				return []Finding{{Message: fmt.Sprintf("the schema table cannot be read (%v): not judged", err)}}
			}
			t, ok := s.Type(r.Type)
			if !ok {
				return []Finding{{Message: fmt.Sprintf("type %s is known only at other API versions (%s); this one cannot be judged", r.Type, versionsOf(s, r.Type))}}
			}
			var fs []Finding
			for _, p := range s.Validate(r.Type, r.Inputs) {
				fs = append(fs, Finding{
					Property: p.Path,
					Message:  fmt.Sprintf("%s: %s (Azure %s, API %s)", p.Path, p.Message, armName(t), t.APIVersion),
				})
			}
			return fs
		},
	}}
}

func armName(t *azschema.Type) string {
	if t.ARMType == "" {
		return t.Token
	}
	return t.ARMType
}

// versionsOf lists the API versions the table has for a token's base type.
func versionsOf(s *azschema.Schema, token string) string {
	base := baseType(token)
	out := ""
	for _, t := range s.Types() {
		if baseType(t.Token) == base {
			if out != "" {
				out += ", "
			}
			out += t.APIVersion
		}
	}
	return out
}
