package edge

import (
	"fmt"
	"regexp"
)

// RegEx: Front Door refuses back-references, look-arounds, recursion,
// atomic groups and the like, which leaves roughly RE2, Go's syntax. A
// pattern Go cannot compile is reported as a configuration error.
type opRegEx []*regexp.Regexp

func newRegEx(values []string) (operator, error) {
	if err := needValues("RegEx", values); err != nil {
		return nil, err
	}
	var out opRegEx
	for _, v := range values {
		re, err := regexp.Compile(v)
		if err != nil {
			return nil, fmt.Errorf("RegEx %q: %w", v, err)
		}
		out = append(out, re)
	}
	return out, nil
}

func (o opRegEx) match(in string) bool {
	for _, re := range o {
		if re.MatchString(in) {
			return true
		}
	}
	return false
}
