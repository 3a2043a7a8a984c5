package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// A stack file saved as UTF-16 (with BOM) or UTF-8 with BOM loads as
// itself; other encodings are refused by name.
func TestLoadEncodings(t *testing.T) {
	body := "# caf\u00e9\nconfig:\n  streamsec:appName: a1b\n  streamsec:namePrefix: ab\n"
	le := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(body)) {
		le = append(le, byte(u), byte(u>>8))
	}
	for _, tt := range []struct {
		name string
		data []byte
		want string // error substring; "" loads
	}{
		{"utf-16 LE", le, ""},
		{"utf-8 BOM", append([]byte{0xEF, 0xBB, 0xBF}, body...), ""},
		{"latin-1", []byte(strings.ReplaceAll(body, "\u00e9", "\xe9")), "not UTF-8"},
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "Pulumi.test.yaml"), tt.data, 0o600)
		l, err := Load(LoadOptions{Stack: "test", Dir: dir})
		switch {
		case tt.want == "" && (err != nil || l.Spec.AppName != "a1b"):
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}
