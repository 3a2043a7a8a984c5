package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/streamsec/streamsec/internal/inventory"
)

// state is what a property lookup found.
type state int

const (
	stMissing state = iota
	stUnknown       // computed until apply
	stSecret        // masked; content cannot be judged
	stKnown
)

// prop reads one property path of a resource.
func prop(r inventory.Resource, path string) (any, state) {
	return propOf(r.Inputs, path)
}

func propOf(v any, path string) (any, state) {
	got, ok := inventory.Lookup(v, path)
	switch {
	case !ok || got == nil:
		return nil, stMissing
	case inventory.IsUnknown(got):
		return nil, stUnknown
	case got == inventory.SecretMask:
		return nil, stSecret
	}
	return got, stKnown
}

// text renders a scalar for comparison (inventory.Scalar).
func text(v any) string { return inventory.Scalar(v) }

// number reads a number given as a JSON number or a numeric string.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

// list returns v as a list ([]any), or nil.
func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// obj returns v as an object, or nil.
func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// unknownMsg is the fail-closed message for a computed property.
func unknownMsg(path string) string {
	return fmt.Sprintf("%s is computed (unknown until apply), so it cannot be proven during preview; the rule fails closed: set it to a literal value or re-check the stack after apply", path)
}

func secretMsg(path string) string {
	return fmt.Sprintf("%s is secret-masked, so its value cannot be judged; the rule fails closed", path)
}

// expectOneOf checks that path holds one of the allowed values (compared
// case-insensitively as text). want describes the requirement for messages.
func expectOneOf(r inventory.Resource, path, want string, allowed ...string) []Finding {
	v, st := prop(r, path)
	switch st {
	case stMissing:
		return []Finding{{Property: path, Message: fmt.Sprintf("%s is not set; want %s", path, want)}}
	case stUnknown:
		return []Finding{{Property: path, Message: unknownMsg(path)}}
	case stSecret:
		return []Finding{{Property: path, Message: secretMsg(path)}}
	}
	got := text(v)
	for _, a := range allowed {
		if strings.EqualFold(got, a) {
			return nil
		}
	}
	return []Finding{{Property: path, Message: fmt.Sprintf("%s is %q; want %s", path, got, want)}}
}

// expectBool checks that a boolean property is set to want.
func expectBool(r inventory.Resource, path string, want bool) []Finding {
	return expectOneOf(r, path, strconv.FormatBool(want), strconv.FormatBool(want))
}

// expectNotOneOf fails only when path holds one of the forbidden values
// (or is unknown): for settings whose absence is the secure default.
func expectNotOneOf(r inventory.Resource, path, want string, forbidden ...string) []Finding {
	v, st := prop(r, path)
	switch st {
	case stMissing:
		return nil
	case stUnknown:
		return []Finding{{Property: path, Message: unknownMsg(path)}}
	case stSecret:
		return []Finding{{Property: path, Message: secretMsg(path)}}
	}
	got := text(v)
	for _, f := range forbidden {
		if strings.EqualFold(got, f) {
			return []Finding{{Property: path, Message: fmt.Sprintf("%s is %q; want %s", path, got, want)}}
		}
	}
	return nil
}

// expectTLS checks a minimum TLS version property against a list of
// accepted spellings ordered by strength.
func expectTLS(r inventory.Resource, path string, accepted ...string) []Finding {
	return expectOneOf(r, path, "TLS 1.2 or newer ("+strings.Join(accepted, " or ")+")", accepted...)
}

// containsFold reports whether s contains sub, ignoring case.
func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
