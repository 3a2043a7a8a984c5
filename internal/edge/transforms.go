package edge

import (
	"fmt"
	"sort"
	"strings"
)

// transform rewrites a match variable's value before the operator runs;
// a condition applies its transforms in the order listed.
type transform func(string) string

// transformTable is the one registry of Front Door WAF transforms, by ARM
// name. Built per call: no package state.
func transformTable() map[string]transform {
	return map[string]transform{
		"Lowercase":   lowercase,
		"Uppercase":   uppercase,
		"Trim":        trim,
		"UrlDecode":   urlDecode,
		"UrlEncode":   urlEncode,
		"RemoveNulls": removeNulls,
	}
}

func lookupTransform(name string) (transform, error) {
	table := transformTable()
	for k, f := range table {
		if strings.EqualFold(k, name) {
			return f, nil
		}
	}
	names := make([]string, 0, len(table))
	for k := range table {
		names = append(names, k)
	}
	sort.Strings(names)
	return nil, fmt.Errorf("transform %q is not a Front Door WAF transform (allowed: %s)", name, strings.Join(names, ", "))
}
