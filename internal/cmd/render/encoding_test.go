package render

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// A config.toml saved from Windows (UTF-16 with BOM, or UTF-8 with BOM) is
// judged as what it says; another encoding is bad input naming it.
func TestCheckEncodings(t *testing.T) {
	dir := t.TempDir()
	if _, errOut, code := run(t, "--stack", "prod", "--out", dir); code != 0 {
		t.Fatalf("render: %s", errOut)
	}
	text, err := os.ReadFile(filepath.Join(dir, ".streamlit", "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	le := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(string(text))) {
		le = append(le, byte(u), byte(u>>8))
	}
	for _, tt := range []struct {
		name string
		data []byte
		code int
		want string
	}{
		{"utf-16 LE", le, 0, ""},
		{"utf-8 BOM", append([]byte{0xEF, 0xBB, 0xBF}, text...), 0, ""},
		{"latin-1", append(append([]byte{}, text...), []byte("# caf\xe9\n")...), 2, "not UTF-8"},
	} {
		p := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "")+".toml")
		os.WriteFile(p, tt.data, 0o644)
		out, errOut, code := run(t, "--stack", "prod", "--check", p)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("%s: exit %d (want %d) %s%s", tt.name, code, tt.code, out, errOut)
		}
	}
}
