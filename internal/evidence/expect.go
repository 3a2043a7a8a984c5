package evidence

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/streamsec/streamsec/internal/controls"
	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/spec"
)

// verdict of one expectation over the values a path reached.
type verdict struct {
	status string // pass, fail, unknown
	value  string // the value shown
	why    string
}

var reMaxAge = regexp.MustCompile(`(?i)max-age\s*=\s*"?(\d+)`)

// specValue returns a Spec field by its JSON key, as the report prints it.
func specValue(s *spec.Spec, key string) (string, bool) {
	if s == nil {
		return "", false
	}
	data, err := json.Marshal(s)
	if err != nil {
		return "", false
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return "", false
	}
	v, ok := m[key]
	if !ok {
		return "", false
	}
	return plain(v), true
}

// sameValue compares the way configuration is compared: by printed form,
// case-insensitively (true, "true" and "True" are the same setting).
func sameValue(a, b any) bool { return strings.EqualFold(plain(a), plain(b)) }

// flatten spreads list values so "contains" sees their elements.
func flatten(vals []any) []any {
	var out []any
	for _, v := range vals {
		if l, ok := v.([]any); ok {
			out = append(out, flatten(l)...)
			continue
		}
		out = append(out, v)
	}
	return out
}

func showValues(vals []any) string {
	if len(vals) == 0 {
		return "(not set)"
	}
	parts := make([]string, 0, len(vals))
	for _, v := range vals {
		if l, ok := v.([]any); ok {
			sub := make([]string, len(l))
			for i, e := range l {
				sub[i] = plain(e)
			}
			parts = append(parts, "["+strings.Join(sub, ", ")+"]")
			continue
		}
		if m, ok := v.(map[string]any); ok {
			b, err := json.Marshal(m)
			if err == nil {
				parts = append(parts, string(b))
				continue
			}
		}
		parts = append(parts, plain(v))
	}
	return strings.Join(parts, "; ")
}

// judge applies an expectation to the values found (nil values count as
// not set). It is existential: one matching value is enough, except for
// absent and notContains which must hold for all.
func judge(e controls.Expect, vals []any, s *spec.Spec) verdict {
	var set []any
	unknown := false
	for _, v := range vals {
		if v == nil {
			continue
		}
		if inventory.IsUnknown(v) {
			unknown = true
			continue
		}
		set = append(set, v)
	}
	shown := showValues(set)
	if unknown && len(set) == 0 {
		shown = "(known after apply)"
	}
	orUnknown := func(why string) verdict {
		if unknown {
			return verdict{"unknown", shown, "computed value: cannot be shown until apply"}
		}
		return verdict{"fail", shown, why}
	}
	if e.IsZero() {
		return verdict{"info", shown, ""}
	}
	switch {
	case e.Absent:
		if len(set) == 0 && !unknown {
			return verdict{"pass", shown, ""}
		}
		return orUnknown("expected not set")
	case e.NotContains != "":
		for _, v := range flatten(set) {
			if strings.EqualFold(plain(v), e.NotContains) {
				return verdict{"fail", shown, fmt.Sprintf("contains %q", e.NotContains)}
			}
		}
		if unknown {
			return verdict{"unknown", shown, "computed value: cannot be shown until apply"}
		}
		return verdict{"pass", shown, ""}
	}
	if len(set) == 0 {
		return orUnknown("not set")
	}
	switch {
	case e.Present:
		return verdict{"pass", shown, ""}
	case e.Equals != nil:
		for _, v := range set {
			if sameValue(v, e.Equals) {
				return verdict{"pass", plain(v), ""}
			}
		}
		return orUnknown(fmt.Sprintf("expected %v", plain(e.Equals)))
	case len(e.In) > 0:
		for _, v := range set {
			for _, want := range e.In {
				if sameValue(v, want) {
					return verdict{"pass", plain(v), ""}
				}
			}
		}
		return orUnknown("expected " + e.String())
	case e.Contains != "":
		for _, v := range flatten(set) {
			if strings.Contains(strings.ToLower(plain(v)), strings.ToLower(e.Contains)) {
				return verdict{"pass", shown, ""}
			}
		}
		return orUnknown("expected to contain " + e.Contains)
	case e.StartsWith != "":
		for _, v := range set {
			if strings.HasPrefix(plain(v), e.StartsWith) {
				return verdict{"pass", shown, ""}
			}
		}
		return orUnknown("expected to start with " + e.StartsWith)
	case e.EqualsSpec != "":
		want, ok := specValue(s, e.EqualsSpec)
		if !ok {
			return verdict{"fail", shown, "spec key " + e.EqualsSpec + " is unknown"}
		}
		for _, v := range set {
			if sameValue(v, want) {
				return verdict{"pass", plain(v), ""}
			}
		}
		return orUnknown(fmt.Sprintf("expected %s (spec %s)", want, e.EqualsSpec))
	case e.MaxAge != nil:
		for _, v := range set {
			m := reMaxAge.FindStringSubmatch(plain(v))
			if m == nil {
				continue
			}
			if n, err := strconv.ParseFloat(m[1], 64); err == nil && n >= *e.MaxAge {
				return verdict{"pass", plain(v), ""}
			}
		}
		return orUnknown(fmt.Sprintf("expected max-age >= %.0f", *e.MaxAge))
	}
	return verdict{"info", shown, ""}
}
