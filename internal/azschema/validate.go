package azschema

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/streamsec/streamsec/internal/inventory"
)

// Problem is one way a resource's inputs differ from what Azure accepts.
type Problem struct {
	// Path is the dotted azure-native path:
	// "customRules.rules.1.matchConditions.1.matchValue".
	Path string `json:"path"`
	// Message says what is wrong and what the spec allows.
	Message string `json:"message"`
}

func (p Problem) String() string { return p.Path + ": " + p.Message }

// Validate judges one resource's inputs as azure-native would send them:
// required properties at every depth, types, closed enums, limits and
// unknown property names (which the real provider drops without a word, so
// a misspelled setting would never reach Azure). Unknown (computed) values
// and secret values satisfy "required" and are not judged further. A token
// not in the table gives one problem at path "" (callers that judge only
// known types check Type first). Problems are sorted by path.
func (s *Schema) Validate(token string, inputs map[string]any) []Problem {
	t, ok := s.Type(token)
	if !ok {
		return []Problem{{Path: "", Message: fmt.Sprintf("type %s is not in the schema table", token)}}
	}
	v := validator{patterns: s.patterns}
	v.object(t.Inputs, inputs, "", t.Token)
	sort.SliceStable(v.out, func(i, j int) bool { return v.out[i].Path < v.out[j].Path })
	return v.out
}

type validator struct {
	out      []Problem
	patterns map[string]*regexp.Regexp
}

func (v *validator) add(path, format string, args ...any) {
	v.out = append(v.out, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func join(path, step string) string {
	if path == "" {
		return step
	}
	return path + "." + step
}

// opaque values carry no content to judge.
func opaque(x any) bool { return inventory.IsUnknown(x) || x == inventory.SecretMask }

func (v *validator) value(p *Prop, x any, path string) {
	if opaque(x) || p.Type == "any" || p.Type == "" && len(p.OneOf) == 0 {
		return
	}
	if len(p.OneOf) > 0 {
		v.oneOf(p, x, path)
		return
	}
	switch p.Type {
	case "string":
		str, ok := x.(string)
		if !ok {
			v.add(path, "must be a string, got %s", kind(x))
			return
		}
		v.str(p, str, path)
	case "integer", "number":
		f, ok := number(x)
		if !ok {
			v.add(path, "must be %s, got %s", article(p.Type), kind(x))
			return
		}
		if p.Type == "integer" && f != math.Trunc(f) {
			v.add(path, "must be an integer, got %v", f)
			return
		}
		if p.Minimum != nil && f < *p.Minimum {
			v.add(path, "%v is below the minimum %v", f, *p.Minimum)
		}
		if p.Maximum != nil && f > *p.Maximum {
			v.add(path, "%v is above the maximum %v", f, *p.Maximum)
		}
	case "boolean":
		if _, ok := x.(bool); !ok {
			v.add(path, "must be a boolean, got %s", kind(x))
		}
	case "array":
		list, ok := x.([]any)
		if !ok {
			v.add(path, "must be a list, got %s", kind(x))
			return
		}
		if p.MinItems != nil && len(list) < *p.MinItems {
			v.add(path, "has %d items, at least %d allowed", len(list), *p.MinItems)
		}
		if p.MaxItems != nil && len(list) > *p.MaxItems {
			v.add(path, "has %d items, at most %d allowed", len(list), *p.MaxItems)
		}
		if p.Items != nil {
			for i, it := range list {
				v.value(p.Items, it, join(path, strconv.Itoa(i)))
			}
		}
	case "object":
		m, ok := x.(map[string]any)
		if !ok {
			v.add(path, "must be an object, got %s", kind(x))
			return
		}
		v.object(p, m, path, p.def)
	}
}

func (v *validator) str(p *Prop, s, path string) {
	if p.Const != "" && s != p.Const {
		v.add(path, "must be %q, got %q", p.Const, s)
		return
	}
	if len(p.Enum) > 0 && !p.EnumOpen && !hasFold(p.Enum, s) {
		v.add(path, "%q is not allowed; the spec allows %s", s, strings.Join(quote(p.Enum), ", "))
	}
	n := utf8.RuneCountInString(s)
	if p.MinLength != nil && n < *p.MinLength {
		v.add(path, "is %d characters, at least %d allowed", n, *p.MinLength)
	}
	if p.MaxLength != nil && n > *p.MaxLength {
		v.add(path, "is %d characters, at most %d allowed", n, *p.MaxLength)
	}
	if p.Pattern != "" {
		re := v.patterns[p.Pattern]
		if re == nil { // a Prop not from the loaded table (tests)
			var err error
			if re, err = regexp.Compile(p.Pattern); err != nil {
				v.add(path, "cannot be judged: the pattern %s does not compile: %v", p.Pattern, err)
				return
			}
		}
		if !re.MatchString(s) {
			v.add(path, "%q does not match the pattern %s", s, p.Pattern)
		}
	}
}

func (v *validator) object(p *Prop, m map[string]any, path, def string) {
	if p.AdditionalProperties != nil && len(p.Properties) == 0 {
		for _, k := range sortedKeys(m) {
			v.value(p.AdditionalProperties, m[k], join(path, k))
		}
		return
	}
	for _, k := range sortedKeys(m) {
		c, ok := p.Properties[k]
		if !ok {
			if p.AdditionalProperties != nil {
				v.value(p.AdditionalProperties, m[k], join(path, k))
				continue
			}
			v.add(join(path, k), "unknown property%s; %s", suggest(p, k), allowed(p, def))
			continue
		}
		x := m[k]
		if x == nil {
			continue // null is "not set"; required is judged below
		}
		v.value(c, x, join(path, k))
	}
	for _, k := range sortedKeys(p.Properties) {
		c := p.Properties[k]
		if !c.Required {
			continue
		}
		if x, ok := m[k]; !ok || x == nil {
			v.add(join(path, k), "required property is missing%s", within(def))
		}
	}
}

func (v *validator) oneOf(p *Prop, x any, path string) {
	if opaque(x) {
		return
	}
	m, ok := x.(map[string]any)
	if !ok {
		v.add(path, "must be an object, got %s", kind(x))
		return
	}
	if p.Discriminator == "" {
		// Without a tag, the value passes if one alternative takes it.
		var best []Problem
		for i, alt := range p.OneOf {
			w := validator{patterns: v.patterns}
			w.value(alt, m, path)
			if len(w.out) == 0 {
				return
			}
			if i == 0 || len(w.out) < len(best) {
				best = w.out
			}
		}
		v.out = append(v.out, best...)
		return
	}
	tag, present := m[p.Discriminator]
	if opaque(tag) {
		return
	}
	var names []string
	for _, alt := range p.OneOf {
		d := alt.Properties[p.Discriminator]
		if d == nil {
			continue
		}
		names = append(names, d.Const)
		if s, ok := tag.(string); ok && s == d.Const {
			v.value(alt, m, path)
			return
		}
	}
	sort.Strings(names)
	if !present {
		v.add(join(path, p.Discriminator), "required property is missing; the spec allows %s", strings.Join(quote(names), ", "))
		return
	}
	v.add(join(path, p.Discriminator), "%s is not allowed; the spec allows %s", fmt.Sprintf("%q", inventory.Scalar(tag)), strings.Join(quote(names), ", "))
}

func within(def string) string {
	if def == "" {
		return ""
	}
	return " (" + def + ")"
}

// allowed names the properties an object takes (what the spec allows).
func allowed(p *Prop, def string) string {
	names := sortedKeys(p.Properties)
	what := "the object"
	if def != "" {
		what = def
	}
	if len(names) > 40 {
		return fmt.Sprintf("%s takes %d properties, this is not one of them", what, len(names))
	}
	return fmt.Sprintf("%s takes %s", what, strings.Join(names, ", "))
}

// suggest names a property that differs only in case (minTLSVersion ->
// minTlsVersion): the usual misspelling.
func suggest(p *Prop, k string) string {
	for n := range p.Properties {
		if strings.EqualFold(n, k) {
			return fmt.Sprintf(" (did you mean %q?)", n)
		}
	}
	return ""
}

func hasFold(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}

func quote(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = strconv.Quote(s)
	}
	return out
}

func number(x any) (float64, bool) {
	switch n := x.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	}
	return 0, false
}

func article(t string) string {
	if t == "integer" {
		return "an integer"
	}
	return "a number"
}

func kind(x any) string {
	switch x.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64, float32, int, int64, int32:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", x)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
