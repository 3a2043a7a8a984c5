package edge

// Equal compares the whole value, case-sensitively: case folding is the
// Lowercase/Uppercase transforms' job.
func newEqual(values []string) (operator, error) {
	if err := needValues("Equal", values); err != nil {
		return nil, err
	}
	return anyValue{values: values, test: func(in, v string) bool { return in == v }}, nil
}
