package edge

import (
	"fmt"
	"sort"
	"strings"
)

// operator is one compiled match operator: does the (transformed) value of
// a match variable match? Several match values are ORed.
type operator interface {
	match(input string) bool
}

// newOperatorFunc compiles an operator from its match values.
type newOperatorFunc func(values []string) (operator, error)

// operatorTable is the one registry of Front Door WAF operators, by the
// name the ARM API uses. It is built per call: no package state.
func operatorTable() map[string]newOperatorFunc {
	return map[string]newOperatorFunc{
		"Any":                newAny,
		"Equal":              newEqual,
		"Contains":           newContains,
		"BeginsWith":         newBeginsWith,
		"EndsWith":           newEndsWith,
		"RegEx":              newRegEx,
		"IPMatch":            newIPMatch,
		"GeoMatch":           newGeoMatch,
		"LessThan":           newLessThan,
		"GreaterThan":        newGreaterThan,
		"LessThanOrEqual":    newLessThanOrEqual,
		"GreaterThanOrEqual": newGreaterThanOrEqual,
	}
}

// compileOperator finds name (ARM enums are matched case-insensitively, as
// the service does) and compiles it.
func compileOperator(name string, values []string) (operator, error) {
	table := operatorTable()
	for k, f := range table {
		if strings.EqualFold(k, name) {
			return f(values)
		}
	}
	names := make([]string, 0, len(table))
	for k := range table {
		names = append(names, k)
	}
	sort.Strings(names)
	return nil, fmt.Errorf("operator %q is not a Front Door WAF operator (allowed: %s)", name, strings.Join(names, ", "))
}

// anyValue is the OR over match values that every string operator shares.
type anyValue struct {
	values []string
	test   func(input, value string) bool
}

func (a anyValue) match(input string) bool {
	for _, v := range a.values {
		if a.test(input, v) {
			return true
		}
	}
	return false
}

func needValues(op string, values []string) error {
	if len(values) == 0 {
		return fmt.Errorf("operator %s needs at least one match value", op)
	}
	return nil
}
