package edge

import "testing"

func TestTransforms(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"Lowercase", "HTTPS://Dash.Example.COM", "https://dash.example.com"},
		{"Uppercase", "get", "GET"},
		{"Trim", " \thttps://x \n", "https://x"},
		{"UrlDecode", "/_stcore/%73tream", "/_stcore/stream"},
		{"UrlDecode", "a+b%2Fc", "a b/c"},
		{"UrlDecode", "100%", "100%"},
		{"UrlDecode", "%zz%4", "%zz%4"},
		{"UrlEncode", "a b/c", "a+b%2Fc"},
		{"RemoveNulls", "/_stcore/\x00stream\x00", "/_stcore/stream"},
		{"lowercase", "AbC", "abc"},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		tr, err := lookupTransform(tc.name)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := tr(tc.in); got != tc.want {
			t.Errorf("%s(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
		seen[tc.name] = true
	}
	for name := range transformTable() {
		if !seen[name] {
			t.Errorf("transform %s has no test row", name)
		}
	}
	if _, err := lookupTransform("HtmlEntityDecode"); err == nil {
		t.Error("HtmlEntityDecode is not a Front Door transform, want an error")
	}
}
