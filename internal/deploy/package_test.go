package deploy

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"

	"github.com/streamsec/streamsec/internal/spec"
)

func testSpec() *spec.Spec {
	s := spec.Defaults()
	s.Stack = "dev"
	s.StreamlitVersion = "1.67.0"
	s.AppEntry = "app.py"
	return &s
}

// writeApp creates an app folder from path -> content.
func writeApp(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func goodApp() map[string]string {
	return map[string]string{
		"app.py":           "import streamlit as st\nst.write('hi')\n",
		"requirements.txt": "streamlit==1.67.0\nazure-identity==1.25.1\n",
	}
}

func with(base map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "<delete>" {
			delete(out, kv[i])
			continue
		}
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestCollectRefuses(t *testing.T) {
	pemKey := "-----BEGIN " + "PRIVATE KEY-----\nMIIEv...\n-----END PRIVATE KEY-----\n"
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings of "path: message", each must appear
	}{
		{"entry missing", with(goodApp(), "app.py", "<delete>", "main.py", "x=1"), []string{"app.py: the stack's entry file"}},
		{"no requirements", with(goodApp(), "requirements.txt", "<delete>"), []string{"requirements.txt: missing"}},
		{"streamlit not pinned", with(goodApp(), "requirements.txt", "pandas==2.2.3\n"), []string{"does not pin Streamlit: add streamlit==1.67.0"}},
		{"range instead of pin", with(goodApp(), "requirements.txt", "streamlit>=1.67.0\n"), []string{"requirements.txt:1: streamlit \">=1.67.0\""}},
		{"other version", with(goodApp(), "requirements.txt", "# ui\nstreamlit==1.50.0\n"), []string{"requirements.txt:2:", "pin exactly streamlit==1.67.0"}},
		{"marker", with(goodApp(), "requirements.txt", "streamlit==1.67.0; python_version>'3.8'\n"), []string{"pin exactly streamlit==1.67.0"}},
		{"url", with(goodApp(), "requirements.txt", "streamlit @ https://example.com/streamlit.whl\n"), []string{"pin exactly"}},
		{"twice", with(goodApp(), "requirements.txt", "streamlit==1.67.0\nStreamlit==1.67.0\n"), []string{"more than once"}},
		{"include", with(goodApp(), "requirements.txt", "-r base.txt\nstreamlit==1.67.0\n"), []string{"includes another file"}},
		{"streamlit secrets", with(goodApp(), ".streamlit/secrets.toml", "password='x'\n"), []string{".streamlit/secrets.toml: Streamlit secrets file"}},
		{"dotenv", with(goodApp(), ".env", "TOKEN=abc\n"), []string{".env: dotenv file"}},
		{"dotenv variant", with(goodApp(), "config/.env.production", "A=1\n"), []string{"config/.env.production: dotenv file"}},
		{"pem by name", with(goodApp(), "certs/server.pem", "x"), []string{"certs/server.pem: key or certificate store"}},
		{"ssh key by name", with(goodApp(), "id_ed25519", "x"), []string{"id_ed25519: SSH private key"}},
		{"private key in code", with(goodApp(), "helpers.py", "KEY = '''"+pemKey+"'''\n"), []string{"helpers.py: contains a private key"}},
		{"connection string in code", with(goodApp(), "db.py", "CONN='DefaultEndpointsProtocol=https;AccountName=a;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;'\n"), []string{"db.py: contains a storage account key"}},
		{"sas in data", with(goodApp(), "data/links.csv", "url\nhttps://a.blob.core.windows.net/c/b?sv=2022-11-02&sig=abcdefghijklmnopqrstuvwxyz0123%2B\n"), []string{"data/links.csv: contains a SAS token"}},
		{"private key in a UTF-16 file", with(goodApp(), "notes.txt", asUTF16(t, "key:\n"+pemKey)), []string{"notes.txt: contains a private key"}},
		{"requirements not text", with(goodApp(), "requirements.txt", "streamlit==1.67.0\n\xff\xfe\x00\x00"), []string{"requirements.txt: the file is not UTF-8 text"}},
		{"UTF-16 requirements judged as pip reads them", with(goodApp(), "requirements.txt", asUTF16(t, "streamlit==1.50.0\r\n")), []string{"requirements.txt:1:", "pin exactly streamlit==1.67.0"}},
		{"all at once", with(goodApp(), "app.py", "<delete>", "requirements.txt", "streamlit\n", ".env", "A=1"), []string{".env: dotenv", "app.py: the stack's entry file", "requirements.txt:1: streamlit \"\""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeApp(t, tt.files)
			files, err := Collect(dir, testSpec())
			var re *RefusedError
			if !errors.As(err, &re) {
				t.Fatalf("Collect = %d files, %v; want a refusal", len(files), err)
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("refusal does not say %q:\n%s", w, msg)
				}
			}
		})
	}
}

// asUTF16 is text as Windows PowerShell's `>` writes it (`pip freeze >
// requirements.txt`): UTF-16 LE with a byte order mark.
func asUTF16(t *testing.T, text string) string {
	t.Helper()
	out, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCollectAcceptsUTF16Requirements: pip reads a UTF-16 requirements.txt
// with a byte order mark (auto_decode), so its pin is what is judged and the
// file ships as it is.
func TestCollectAcceptsUTF16Requirements(t *testing.T) {
	req := asUTF16(t, "streamlit==1.67.0\r\nazure-identity==1.25.1\r\n")
	got, err := Collect(writeApp(t, with(goodApp(), "requirements.txt", req)), testSpec())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range got {
		if f.Path == RequirementsFile && string(f.Data) != req {
			t.Error("requirements.txt was not shipped as it is")
		}
	}
}

func TestCollectAccepts(t *testing.T) {
	files := with(goodApp(),
		"requirements.txt", "# the dashboard\nStreamlit==1.67.0  # pinned to the stack\n--index-url https://pypi.org/simple\npandas==2.2.3\nstreamlit-aggrid==1.0.5\n",
		".env.example", "AZURE_STORAGE_CONTAINER_NAME=\n",
		"id_rsa.pub", "ssh-rsa AAAA",
		".streamlit/config.toml", "[server]\nport = 1\n",
		"__pycache__/app.cpython-312.pyc", "x",
		".venv/lib/x.py", "-----BEGIN PRIVATE KEY-----",
		"pages/1_About.py", "import streamlit as st\n")
	dir := writeApp(t, files)
	got, err := Collect(dir, testSpec())
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range got {
		paths = append(paths, f.Path)
	}
	want := ".env.example app.py id_rsa.pub pages/1_About.py requirements.txt"
	if strings.Join(paths, " ") != want {
		t.Errorf("collected %v, want %s (config.toml replaced, caches and venvs skipped)", paths, want)
	}
}

func TestCollectRefusesSymlink(t *testing.T) {
	dir := writeApp(t, goodApp())
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "passwd")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	_, err := Collect(dir, testSpec())
	if err == nil || !strings.Contains(err.Error(), "passwd: not a regular file") {
		t.Fatalf("err = %v, want the symlink refused", err)
	}
}

func TestBuildDeterministic(t *testing.T) {
	config := []byte("[server]\nenableXsrfProtection = true\n")
	build := func(files map[string]string, mtime bool) *Package {
		t.Helper()
		dir := writeApp(t, files)
		if mtime {
			// Different times and modes on disk must not change the package.
			_ = os.Chmod(filepath.Join(dir, "app.py"), 0o755)
		}
		fs, err := Collect(dir, testSpec())
		if err != nil {
			t.Fatal(err)
		}
		p, err := Build(fs, config)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b := build(goodApp(), false), build(goodApp(), true)
	if a.Digest != b.Digest || !bytes.Equal(a.Data, b.Data) {
		t.Fatalf("same app, different packages: %s vs %s", a.Digest, b.Digest)
	}
	if !strings.HasPrefix(a.Digest, "sha256:") || len(a.Hex()) != 64 || a.BlobName() != "sha256-"+a.Hex()+".zip" {
		t.Errorf("digest %q / blob %q malformed", a.Digest, a.BlobName())
	}
	c := build(with(goodApp(), "app.py", "import streamlit as st\nst.write('changed')\n"), false)
	if c.Digest == a.Digest {
		t.Error("a changed app kept its digest")
	}

	zr, err := zip.NewReader(bytes.NewReader(a.Data), int64(len(a.Data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if !f.Modified.Equal(zipTime) || f.Mode().Perm() != 0o644 {
			t.Errorf("%s: time %v mode %v, want fixed", f.Name, f.Modified, f.Mode())
		}
		if f.Name == ConfigPath {
			rc, _ := f.Open()
			var buf bytes.Buffer
			_, _ = buf.ReadFrom(rc)
			rc.Close()
			if !bytes.Equal(buf.Bytes(), config) {
				t.Errorf("config.toml in the package = %q, want the rendered one", buf.String())
			}
		}
	}
	if strings.Join(names, " ") != ".streamlit/config.toml app.py requirements.txt" {
		t.Errorf("zip entries %v, want sorted with the rendered config", names)
	}
}

func TestBuildRefusesOwnConfig(t *testing.T) {
	if _, err := Build([]File{{Path: ConfigPath, Data: []byte("x")}}, []byte("y")); err == nil {
		t.Fatal("Build accepted the app's own config.toml next to the rendered one")
	}
	if _, err := Build(nil, nil); err == nil {
		t.Fatal("Build accepted a package without config.toml")
	}
}

func FuzzCheckRequirements(f *testing.F) {
	f.Add("streamlit==1.67.0\n")
	f.Add("-r x\nstreamlit[charts] == 1.67.0 # c\n")
	f.Fuzz(func(t *testing.T, s string) {
		_ = CheckRequirements([]byte(s), "1.67.0")
	})
}
