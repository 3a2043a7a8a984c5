// Package inventory is the list of resources a stack declares, in one shape
// whatever produced it: the offline plan (the program under Pulumi mocks), a
// `pulumi preview --json`, a `pulumi stack export`, or the Pulumi engine
// calling a policy pack. Policy rules and the evidence report read only this.
package inventory

import (
	"fmt"
	"strconv"
	"strings"
)

// Resource is one resource with its inputs as plain JSON-like values
// (map[string]any, []any, string, float64, bool, nil) plus two markers:
// Unknown for values not known until apply and Secret for secret values.
type Resource struct {
	URN    string         `json:"urn"`
	Type   string         `json:"type"`
	Name   string         `json:"name"`
	Parent string         `json:"parent,omitempty"`
	Inputs map[string]any `json:"inputs"`
	// Outputs are the provider's outputs where the source has them (a stack
	// export); rules use them to match references (a profile's frontDoorId).
	Outputs map[string]any `json:"outputs,omitempty"`
}

// unknown marks a value the engine will only know after apply (a computed
// output during preview). Rules must fail closed on it.
type unknown struct{}

// Unknown is the marker value for computed inputs.
var Unknown any = unknown{}

// IsUnknown reports whether v is the computed-value marker.
func IsUnknown(v any) bool { _, ok := v.(unknown); return ok }

// MarshalJSON prints unknowns the way `pulumi preview --json` does.
func (unknown) MarshalJSON() ([]byte, error) { return []byte(`"` + UnknownJSON + `"`), nil }

// UnknownJSON is how Pulumi writes a computed value in JSON output.
const UnknownJSON = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

// SecretMask is how secret values are shown; their content is never kept.
const SecretMask = "[secret]"

// Lookup walks a dotted path through nested maps and lists ("siteConfig.
// minTlsVersion", "customRules.rules.0.action"). It returns the value and
// whether every step existed. An Unknown met on the way is returned as the
// value, with ok true, so callers can tell "computed" from "missing".
func Lookup(v any, path string) (any, bool) {
	if path == "" {
		return v, true
	}
	// Step by step with Cut: Split allocated a slice per lookup, and rules
	// look up paths on every resource.
	for rest, more := path, true; more; {
		var step string
		step, rest, more = strings.Cut(rest, ".")
		if IsUnknown(v) {
			return Unknown, true
		}
		switch node := v.(type) {
		case map[string]any:
			next, ok := node[step]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(step)
			if err != nil || i < 0 || i >= len(node) {
				return nil, false
			}
			v = node[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// Scalar prints a JSON-like value for comparison and display: strings as
// they are, bools as true/false, numbers without trailing zeros, nil as "".
func Scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	default:
		return fmt.Sprint(x)
	}
}

// Get is Lookup on a resource's inputs.
func (r Resource) Get(path string) (any, bool) { return Lookup(r.Inputs, path) }

// BaseType drops the API version from an azure-native type token, so rules
// written for the default token also match explicitly versioned ones:
// "azure-native:network/v20240201:Policy" -> "azure-native:network:Policy".
func BaseType(token string) string {
	parts := strings.SplitN(token, ":", 3)
	if len(parts) != 3 {
		return token
	}
	module, _, versioned := strings.Cut(parts[1], "/")
	if !versioned {
		return token
	}
	return parts[0] + ":" + module + ":" + parts[2]
}
