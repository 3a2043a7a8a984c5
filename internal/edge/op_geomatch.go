package edge

import (
	"fmt"
	"strings"
)

// GeoMatch takes two-letter country codes; the input is the country Front
// Door resolved for the address (Request.Country), compared without case.
func newGeoMatch(values []string) (operator, error) {
	if err := needValues("GeoMatch", values); err != nil {
		return nil, err
	}
	for _, v := range values {
		if len(v) != 2 {
			return nil, fmt.Errorf("GeoMatch %q: want a two-letter country code", v)
		}
	}
	return anyValue{values: values, test: strings.EqualFold}, nil
}
