package azschema

import (
	"encoding/json"
	"testing"
)

// FuzzValidate: any JSON inputs, for any type of the table, give problems,
// never a panic.
func FuzzValidate(f *testing.F) {
	s, err := Load()
	if err != nil {
		f.Fatal(err)
	}
	seed, _ := json.Marshal(wafPolicy())
	f.Add(0, seed)
	f.Add(3, []byte(`{"conditions":[{"name":"RequestScheme","parameters":{"typeName":1}}],"actions":[null,{}]}`))
	f.Add(7, []byte(`{"siteConfig":{"ipSecurityRestrictions":[{"headers":{"x":[1]}}]},"tags":[]}`))
	types := s.Types()
	f.Fuzz(func(t *testing.T, i int, data []byte) {
		var in map[string]any
		if json.Unmarshal(data, &in) != nil {
			return
		}
		tok := types[uint(i)%uint(len(types))].Token
		for _, p := range s.Validate(tok, in) {
			if p.Message == "" {
				t.Fatalf("%s: empty message at %q", tok, p.Path)
			}
		}
	})
}
