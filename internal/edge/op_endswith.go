package edge

import "strings"

func newEndsWith(values []string) (operator, error) {
	if err := needValues("EndsWith", values); err != nil {
		return nil, err
	}
	return anyValue{values: values, test: strings.HasSuffix}, nil
}
