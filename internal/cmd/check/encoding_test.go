package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// asUTF16 is what Windows PowerShell's `>` writes: UTF-16 with a BOM.
func asUTF16(data []byte, bigEndian bool) []byte {
	out := []byte{0xFF, 0xFE}
	if bigEndian {
		out = []byte{0xFE, 0xFF}
	}
	for _, u := range utf16.Encode([]rune(string(data))) {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

// Inputs saved as UTF-8 with a BOM or as UTF-16 are read as what they are;
// any other encoding is bad input naming the problem.
func TestInputEncodings(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	plan, _ := os.ReadFile(hardenedFile)
	export, _ := os.ReadFile("../../inventory/testdata/export.json")
	tmpl, _ := os.ReadFile(armDir + "expressions-template.json")
	params, _ := os.ReadFile(armDir + "expressions-template.parameters.json")
	policy := []byte(`{"appservice-https-only": {"enforcementLevel": "advisory"}}`)
	bom := func(b []byte) []byte { return append([]byte{0xEF, 0xBB, 0xBF}, b...) }
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"plan utf-8 BOM", []string{"--input", write("p1.json", bom(plan))}, 0, ""},
		{"plan utf-16 LE", []string{"--input", write("p2.json", asUTF16(plan, false))}, 0, ""},
		{"plan utf-16 BE", []string{"--input", write("p3.json", asUTF16(plan, true))}, 0, ""},
		{"export utf-16 LE", []string{"--input", write("e.json", asUTF16(export, false))}, 1, ""},
		{"template and parameters utf-16", []string{"--input", write("t.json", asUTF16(tmpl, false)), "--parameters", write("tp.json", asUTF16(params, true)), "--stack", "prod"}, 0, ""},
		{"policy config utf-16", []string{"--input", write("w.json", mustMutate(t, "app", "httpsOnly", false)), "--policy-config", write("pc.json", asUTF16(policy, false))}, 0, ""},
		{"latin-1", []string{"--input", write("l.json", []byte("{\"resources\": [], \"x\": \"caf\xe9\"}"))}, 2, "not UTF-8"},
		{"utf-16 without BOM", []string{"--input", write("n.json", asUTF16(plan, false)[2:])}, 2, "UTF-16 without a byte order mark"},
		{"utf-32", []string{"--input", write("u32.json", []byte{0xFF, 0xFE, 0, 0, '{', 0, 0, 0})}, 2, "UTF-32"},
		{"parameters latin-1", []string{"--input", armDir + "expressions-template.json", "--parameters", write("pl.json", []byte("{\"parameters\": {\"prefix\": {\"value\": \"\xe9\"}}}"))}, 2, "--parameters"},
		{"policy config latin-1", []string{"--input", hardenedFile, "--policy-config", write("pcl.json", []byte("{\"x\xe9\": 1}"))}, 2, "not UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, "", tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)\n%s", code, tt.code, errOut, tt.want, out)
			}
		})
	}
}

// mustMutate is mutate returning the file's content.
func mustMutate(t *testing.T, name, path string, value any) []byte {
	data, err := os.ReadFile(mutate(t, name, path, value))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
