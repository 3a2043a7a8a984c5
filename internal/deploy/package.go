// Package deploy packages a Streamlit app for a stack and ships it: the
// checks that refuse a bad app before anything is contacted, the
// deterministic zip (the same app gives the same digest), the upload to the
// stack's package store and the package URI the platform pulls from.
package deploy

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/internal/textfile"
)

// ConfigPath is where Streamlit reads the project config inside the package.
const ConfigPath = ".streamlit/config.toml"

// RequirementsFile is what App Service's build (Oryx) installs from.
const RequirementsFile = "requirements.txt"

// Limits keep a package to what a dashboard needs; a multi-GB folder is a
// mistake (a virtualenv or a data dump), not an app. OneDeploy accepts up to
// 2048 MB (docs: app-service/deploy-zip.md).
const (
	MaxFileBytes    = 20 << 20
	MaxPackageBytes = 200 << 20
)

// zipTime is the fixed modification time of every entry (the zip epoch), so
// the archive depends on the files' content only.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// skippedDir reports folders never packaged: tooling state, caches and
// local environments App Service rebuilds from requirements.txt.
func skippedDir(name string) bool {
	switch name {
	case ".git", ".hg", ".svn", "__pycache__", ".venv", "venv", "env", "antenv", "node_modules",
		".mypy_cache", ".pytest_cache", ".ruff_cache", ".idea", ".vscode", ".tox":
		return true
	}
	return false
}

// File is one file of the app as it goes into the package.
type File struct {
	Path string // slash-separated, relative to the app folder
	Data []byte
}

// Problem is one reason the app is refused.
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// RefusedError lists every problem found in the app at once.
type RefusedError struct {
	Dir      string
	Problems []Problem
}

func (e *RefusedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "app %s refused (%d problem(s)):", e.Dir, len(e.Problems))
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  - %s: %s", p.Path, p.Message)
	}
	return b.String()
}

// Collect reads the app folder and checks it for stack s: the entry file
// exists, requirements.txt pins the Streamlit version the stack targets, no
// secret is in any file (by name or by content). It reads only the folder;
// every problem comes back at once in a *RefusedError.
func Collect(dir string, s *spec.Spec) ([]File, error) {
	if s == nil {
		return nil, errors.New("collect app: no spec")
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, &RefusedError{Dir: dir, Problems: []Problem{{Path: dir, Message: "app folder cannot be read: " + errMsg(err)}}}
	}
	if !info.IsDir() {
		return nil, &RefusedError{Dir: dir, Problems: []Problem{{Path: dir, Message: "--app must be a folder"}}}
	}
	var files []File
	var problems []Problem
	total := 0
	walkErr := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		rel, relErr := filepath.Rel(dir, p)
		if relErr != nil {
			return relErr
		}
		rel = filepath.ToSlash(rel)
		if err != nil {
			problems = append(problems, Problem{Path: rel, Message: "cannot be read: " + errMsg(err)})
			return nil
		}
		if rel == "." {
			return nil
		}
		if d.IsDir() {
			if skippedDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			// A symlink could point anywhere on the build machine; the
			// package holds plain files only.
			problems = append(problems, Problem{Path: rel, Message: "not a regular file (symlink or device): copy the file into the app folder instead"})
			return nil
		}
		if rel == ConfigPath {
			// Replaced by the stack's rendered config below.
			return nil
		}
		if msg := secretName(rel); msg != "" {
			problems = append(problems, Problem{Path: rel, Message: msg})
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			problems = append(problems, Problem{Path: rel, Message: "cannot be read: " + errMsg(err)})
			return nil
		}
		if fi.Size() > MaxFileBytes {
			problems = append(problems, Problem{Path: rel, Message: fmt.Sprintf("%d bytes: larger than %d MB; keep data in the stack's storage, not in the package", fi.Size(), MaxFileBytes>>20)})
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			problems = append(problems, Problem{Path: rel, Message: "cannot be read: " + errMsg(err)})
			return nil
		}
		total += len(data)
		if msg := textSecret(data); msg != "" {
			problems = append(problems, Problem{Path: rel, Message: msg})
			return nil
		}
		files = append(files, File{Path: rel, Data: data})
		return nil
	})
	if walkErr != nil {
		problems = append(problems, Problem{Path: ".", Message: "cannot be walked: " + errMsg(walkErr)})
	}
	if total > MaxPackageBytes {
		problems = append(problems, Problem{Path: ".", Message: fmt.Sprintf("%d bytes in total: larger than %d MB", total, MaxPackageBytes>>20)})
	}
	byPath := map[string][]byte{}
	for _, f := range files {
		byPath[f.Path] = f.Data
	}
	entry := path.Clean(filepath.ToSlash(s.AppEntry))
	if _, ok := byPath[entry]; !ok && !hasProblem(problems, entry) {
		problems = append(problems, Problem{Path: entry, Message: fmt.Sprintf("the stack's entry file (appEntry %q) is not in the app folder", s.AppEntry)})
	}
	if req, ok := byPath[RequirementsFile]; ok {
		// pip reads a requirements file in UTF-8 or in UTF-16 or UTF-32
		// with a byte order mark (pip/_internal/utils/encoding.py,
		// auto_decode; pip 23.2.1's parse_requirements read a UTF-16 one
		// here), and Windows PowerShell's `pip freeze > requirements.txt`
		// writes UTF-16. Judge the pin on the text pip will read; what
		// textfile does not read (UTF-32, not text) is refused, naming it.
		if text, err := textfile.Decode(req, RequirementsFile); err != nil {
			problems = append(problems, Problem{Path: RequirementsFile, Message: strings.TrimPrefix(err.Error(), RequirementsFile+": ")})
		} else {
			problems = append(problems, CheckRequirements(text, s.StreamlitVersion)...)
		}
	} else if !hasProblem(problems, RequirementsFile) {
		problems = append(problems, Problem{Path: RequirementsFile, Message: fmt.Sprintf("missing: App Service installs the app's packages from it, and it must pin streamlit==%s", s.StreamlitVersion)})
	}
	if len(problems) > 0 {
		sort.SliceStable(problems, func(i, j int) bool { return problems[i].Path < problems[j].Path })
		return nil, &RefusedError{Dir: dir, Problems: problems}
	}
	return files, nil
}

func hasProblem(ps []Problem, p string) bool {
	for _, x := range ps {
		if x.Path == p {
			return true
		}
	}
	return false
}

// errMsg drops the path the error repeats.
func errMsg(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// secretName refuses files that hold secrets by convention.
func secretName(rel string) string {
	base := path.Base(rel)
	lower := strings.ToLower(base)
	switch {
	case rel == ".streamlit/secrets.toml" || (strings.HasSuffix(rel, "/.streamlit/secrets.toml")):
		return "Streamlit secrets file: secrets reach the app as Key Vault references in App Settings, never in the package"
	case lower == ".env" || (strings.HasPrefix(lower, ".env.") && lower != ".env.example" && lower != ".env.sample" && lower != ".env.template"):
		return "dotenv file: environment secrets must not ship in the package (App Settings with Key Vault references instead)"
	case lower == ".netrc" || lower == ".pgpass" || lower == ".npmrc" || lower == ".pypirc":
		return "credentials file: must not ship in the package"
	case strings.HasPrefix(lower, "id_rsa") || strings.HasPrefix(lower, "id_ed25519") || strings.HasPrefix(lower, "id_ecdsa") || strings.HasPrefix(lower, "id_dsa"):
		if !strings.HasSuffix(lower, ".pub") {
			return "SSH private key: must not ship in the package"
		}
	}
	for _, ext := range []string{".pem", ".key", ".pfx", ".p12", ".jks", ".keystore", ".ppk"} {
		if strings.HasSuffix(lower, ext) {
			return "key or certificate store (" + ext + "): private keys must not ship in the package (Key Vault instead)"
		}
	}
	return ""
}

// Content patterns that are secrets wherever they appear. Each is a
// credential format with a fixed shape, so the scan has no false positive
// on ordinary code.
var secretPatterns = []struct {
	re  *regexp.Regexp
	msg string
}{
	{regexp.MustCompile(`-----BEGIN ((RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----`), "contains a private key"},
	{regexp.MustCompile(`(?i)AccountKey=[A-Za-z0-9+/]{20,}={0,2}`), "contains a storage account key (connection string): use the app's managed identity"},
	{regexp.MustCompile(`(?i)SharedAccessKey=[A-Za-z0-9+/]{20,}={0,2}`), "contains a shared access key (connection string): use the app's managed identity"},
	{regexp.MustCompile(`[?&]sig=[A-Za-z0-9%+/]{20,}`), "contains a SAS token (sig=...): use the app's managed identity"},
	{regexp.MustCompile(`AKIA[0-9A-Z]{16}`), "contains an AWS access key id"},
	{regexp.MustCompile(`gh[pousr]_[A-Za-z0-9]{36,}`), "contains a GitHub token"},
	{regexp.MustCompile(`xox[baprs]-[A-Za-z0-9-]{10,}`), "contains a Slack token"},
}

// textSecret is secretContent on a file as stored and, when it is UTF-16
// with a byte order mark (a text file saved on Windows), on its text: the
// patterns would not see its secrets byte for byte.
func textSecret(data []byte) string {
	if msg := secretContent(data); msg != "" {
		return msg
	}
	if textfile.HasUTF16BOM(data) {
		if text, err := textfile.Decode(data, ""); err == nil {
			return secretContent(text)
		}
	}
	return ""
}

// secretContent reports the first secret found in data.
func secretContent(data []byte) string {
	for _, p := range secretPatterns {
		if p.re.Match(data) {
			return p.msg
		}
	}
	return ""
}

// requirementName matches the distribution name at the start of a
// requirement line (PEP 508).
var requirementName = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$`)

// CheckRequirements checks that requirements.txt pins streamlit to exactly
// version: one `streamlit==<version>` line, no other specifier, no marker,
// and no include (-r/-c) that could install another version.
func CheckRequirements(data []byte, version string) []Problem {
	var problems []Problem
	var pins []string
	for i, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimSpace(raw)
		if h := strings.Index(line, " #"); h >= 0 {
			line = strings.TrimSpace(line[:h])
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		where := fmt.Sprintf("%s:%d", RequirementsFile, i+1)
		if strings.HasPrefix(line, "-r") || strings.HasPrefix(line, "-c") || strings.HasPrefix(line, "--requirement") || strings.HasPrefix(line, "--constraint") {
			problems = append(problems, Problem{Path: where, Message: "includes another file: the Streamlit pin must be checkable in requirements.txt itself"})
			continue
		}
		if strings.HasPrefix(line, "-") {
			continue // pip options such as --index-url
		}
		m := requirementName.FindStringSubmatch(line)
		if m == nil || normalizeName(m[1]) != "streamlit" {
			continue
		}
		rest := strings.TrimSpace(m[3])
		pins = append(pins, rest)
		if rest != "=="+version && rest != "==="+version {
			problems = append(problems, Problem{Path: where, Message: fmt.Sprintf("streamlit %q: the stack targets Streamlit %s; pin exactly streamlit==%s", strings.TrimSpace(rest), version, version)})
		}
	}
	switch {
	case len(pins) == 0:
		problems = append(problems, Problem{Path: RequirementsFile, Message: fmt.Sprintf("does not pin Streamlit: add streamlit==%s (the version the stack targets)", version)})
	case len(pins) > 1:
		problems = append(problems, Problem{Path: RequirementsFile, Message: "names streamlit more than once: keep one streamlit==" + version + " line"})
	}
	return problems
}

var nameSeparators = regexp.MustCompile(`[-_.]+`)

// normalizeName is PEP 503 name normalization.
func normalizeName(n string) string {
	return strings.ToLower(nameSeparators.ReplaceAllString(n, "-"))
}

// Package is the built zip.
type Package struct {
	Data   []byte
	Digest string   // "sha256:<hex>" of Data
	Files  []string // paths in the zip, sorted
}

// Hex is the digest without its algorithm prefix.
func (p *Package) Hex() string { return strings.TrimPrefix(p.Digest, "sha256:") }

// BlobName is where the package lives in the package container: named by
// content, so a name never points at two different packages.
func (p *Package) BlobName() string { return BlobName(p.Digest) }

// BlobName is the blob name of the package with digest "sha256:<hex>".
func BlobName(digest string) string {
	return "sha256-" + strings.TrimPrefix(digest, "sha256:") + ".zip"
}

// Build writes the deterministic zip: the app's files plus the rendered
// config.toml, sorted by path, every entry with the same time and mode and
// deflated, so the same input always gives the same bytes and digest.
func Build(files []File, config []byte) (*Package, error) {
	if len(config) == 0 {
		return nil, errors.New("build package: no rendered config.toml")
	}
	all := append([]File{}, files...)
	for _, f := range all {
		if f.Path == ConfigPath {
			return nil, errors.New("build package: the app's own .streamlit/config.toml must be left out; the stack's rendered one goes in")
		}
	}
	all = append(all, File{Path: ConfigPath, Data: config})
	sort.Slice(all, func(i, j int) bool { return all[i].Path < all[j].Path })
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(all))
	for i, f := range all {
		if i > 0 && all[i-1].Path == f.Path {
			return nil, fmt.Errorf("build package: %s twice", f.Path)
		}
		h := &zip.FileHeader{Name: f.Path, Method: zip.Deflate, Modified: zipTime}
		h.SetMode(0o644)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, fmt.Errorf("build package: %s: %w", f.Path, err)
		}
		if _, err := w.Write(f.Data); err != nil {
			return nil, fmt.Errorf("build package: %s: %w", f.Path, err)
		}
		names = append(names, f.Path)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("build package: %w", err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return &Package{Data: buf.Bytes(), Digest: "sha256:" + hex.EncodeToString(sum[:]), Files: names}, nil
}
