package edge

import (
	"fmt"
	"strconv"
	"strings"
)

// The comparisons are size constraints: the documentation's example
// "RequestHeader Host GreaterThanOrEqual 0" matches every request with a
// Host header, so they compare the value's length with the number.
type opSize struct {
	limits []int
	test   func(size, limit int) bool
}

func newSize(name string, test func(size, limit int) bool) newOperatorFunc {
	return func(values []string) (operator, error) {
		if err := needValues(name, values); err != nil {
			return nil, err
		}
		o := opSize{test: test}
		for _, v := range values {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 0 {
				return nil, fmt.Errorf("%s %q: want a size (a whole number >= 0)", name, v)
			}
			o.limits = append(o.limits, n)
		}
		return o, nil
	}
}

func (o opSize) match(in string) bool {
	for _, l := range o.limits {
		if o.test(len(in), l) {
			return true
		}
	}
	return false
}

func newLessThan(v []string) (operator, error) {
	return newSize("LessThan", func(s, l int) bool { return s < l })(v)
}

func newGreaterThan(v []string) (operator, error) {
	return newSize("GreaterThan", func(s, l int) bool { return s > l })(v)
}

func newLessThanOrEqual(v []string) (operator, error) {
	return newSize("LessThanOrEqual", func(s, l int) bool { return s <= l })(v)
}

func newGreaterThanOrEqual(v []string) (operator, error) {
	return newSize("GreaterThanOrEqual", func(s, l int) bool { return s >= l })(v)
}
