package edge

import "strings"

func newBeginsWith(values []string) (operator, error) {
	if err := needValues("BeginsWith", values); err != nil {
		return nil, err
	}
	return anyValue{values: values, test: strings.HasPrefix}, nil
}
