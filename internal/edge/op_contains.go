package edge

import "strings"

func newContains(values []string) (operator, error) {
	if err := needValues("Contains", values); err != nil {
		return nil, err
	}
	return anyValue{values: values, test: strings.Contains}, nil
}
