package edge

import "testing"

// Every operator in the table, from a data table: values, input, want.
func TestOperators(t *testing.T) {
	tests := []struct {
		op     string
		values []string
		input  string
		want   bool
	}{
		{"Any", nil, "", true},
		{"Any", nil, "anything", true},
		{"Equal", []string{"https://dash.example.com"}, "https://dash.example.com", true},
		{"Equal", []string{"https://dash.example.com"}, "https://DASH.example.com", false},
		{"Equal", []string{"https://dash.example.com"}, "https://dash.example.com.evil.net", false},
		{"Equal", []string{"a", "b"}, "b", true},
		{"Equal", []string{"a", "b"}, "", false},
		{"Contains", []string{"/_stcore/stream"}, "/app/_stcore/stream?x=1", true},
		{"Contains", []string{"/_stcore/stream"}, "/_stcore/strem", false},
		{"Contains", []string{"/x", "/_stcore/metrics"}, "/_stcore/metrics", true},
		{"BeginsWith", []string{"/_stcore/"}, "/_stcore/stream", true},
		{"BeginsWith", []string{"/_stcore/"}, "https://h/_stcore/stream", false},
		{"EndsWith", []string{"/stream"}, "/_stcore/stream", true},
		{"EndsWith", []string{"/stream"}, "/_stcore/stream?x", false},
		{"RegEx", []string{`^/_stcore/(metrics|stream)$`}, "/_stcore/metrics", true},
		{"RegEx", []string{`^/_stcore/(metrics|stream)$`}, "/_stcore/metricsx", false},
		{"IPMatch", []string{"10.0.0.0/8"}, "10.1.2.3", true},
		{"IPMatch", []string{"10.0.0.0/8", "203.0.113.7"}, "203.0.113.7", true},
		{"IPMatch", []string{"10.0.0.0/8"}, "11.0.0.1", false},
		{"IPMatch", []string{"2001:db8::/32"}, "2001:db8::1", true},
		{"IPMatch", []string{"10.0.0.0/8"}, "not-an-ip", false},
		{"IPMatch", []string{"10.0.0.0/8"}, "::ffff:10.0.0.1", true},
		{"GeoMatch", []string{"NL", "DE"}, "de", true},
		{"GeoMatch", []string{"NL"}, "US", false},
		{"LessThan", []string{"3"}, "ab", true},
		{"LessThan", []string{"2"}, "ab", false},
		{"GreaterThan", []string{"2"}, "abc", true},
		{"GreaterThan", []string{"3"}, "abc", false},
		{"LessThanOrEqual", []string{"3"}, "abc", true},
		{"LessThanOrEqual", []string{"2"}, "abc", false},
		{"GreaterThanOrEqual", []string{"0"}, "", true},
		{"GreaterThanOrEqual", []string{"4"}, "abc", false},
		// ARM enum names are matched without case, as the service does.
		{"contains", []string{"x"}, "axb", true},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		op, err := compileOperator(tc.op, tc.values)
		if err != nil {
			t.Fatalf("%s %v: %v", tc.op, tc.values, err)
		}
		if got := op.match(tc.input); got != tc.want {
			t.Errorf("%s %v on %q = %v, want %v", tc.op, tc.values, tc.input, got, tc.want)
		}
		seen[tc.op] = true
	}
	for name := range operatorTable() {
		if !seen[name] {
			t.Errorf("operator %s has no test row", name)
		}
	}
}

func TestOperatorErrors(t *testing.T) {
	tests := []struct {
		op     string
		values []string
	}{
		{"Equals", []string{"a"}},
		{"Equal", nil},
		{"RegEx", []string{"(unclosed"}},
		{"IPMatch", []string{"10.0.0.300"}},
		{"GeoMatch", []string{"NLD"}},
		{"LessThan", []string{"ten"}},
		{"GreaterThan", []string{"-1"}},
	}
	for _, tc := range tests {
		if _, err := compileOperator(tc.op, tc.values); err == nil {
			t.Errorf("%s %v: no error", tc.op, tc.values)
		}
	}
}
