package engine

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamsec/streamsec/internal/cli"
)

func TestResolveBackend(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		in      string
		want    string
		wantErr string
	}{
		{"", "file://" + filepath.ToSlash(filepath.Join(dir, ".streamsec", "state")), ""},
		{"file://state", "file://" + filepath.ToSlash(filepath.Join(dir, "state")), ""},
		{"file://~", "file://~", ""},
		{"azblob://pulumi-state", "azblob://pulumi-state", ""},
		{"https://api.pulumi.com", "https://api.pulumi.com", ""},
		{"ftp://x", "", "not a Pulumi backend"},
		{"just-a-word", "", "must be a URL"},
	}
	for _, c := range cases {
		got, err := ResolveBackend(dir, c.in)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%q: error %v, want %q", c.in, err, c.wantErr)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: got %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestNeedsPassphrase(t *testing.T) {
	for backend, want := range map[string]bool{
		"file:///x": true, "azblob://c": true, "https://api.pulumi.com": false,
	} {
		if got := NeedsPassphrase(backend); got != want {
			t.Errorf("%s: %v, want %v", backend, got, want)
		}
	}
}

func writeProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), []byte("name: streamsec\nruntime: go\nstackConfigDir: stacks\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestOpenSetupErrors(t *testing.T) {
	proj := writeProject(t)
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		name string
		opts Options
		want string
	}{
		{"no project", Options{ProjectDir: t.TempDir(), Stack: "dev", Getenv: env(nil)}, "Pulumi.yaml"},
		{"no passphrase", Options{ProjectDir: proj, Stack: "dev", Getenv: env(nil)}, "PULUMI_CONFIG_PASSPHRASE"},
		{"bad backend", Options{ProjectDir: proj, Stack: "dev", Backend: "ftp://x", Getenv: env(nil)}, "--backend"},
		{"missing cli", Options{ProjectDir: proj, Stack: "dev", PulumiPath: filepath.Join(proj, "nope"), Getenv: env(map[string]string{"PULUMI_CONFIG_PASSPHRASE": "p"})}, "pulumi CLI"},
		{"cli not executable", Options{ProjectDir: proj, Stack: "dev", PulumiPath: filepath.Join(proj, "Pulumi.yaml"), Getenv: env(map[string]string{"PULUMI_CONFIG_PASSPHRASE_FILE": "/x"})}, "not an executable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Open(c.opts)
			var se *SetupError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a SetupError", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q lacks %q", err, c.want)
			}
			if code := cli.ExitCode(CommandError(err)); code != cli.ExitUsage {
				t.Errorf("exit %d, want 2", code)
			}
		})
	}
}

func TestResolvePacksExplicit(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "pack")
	if err := os.WriteFile(exe, []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	packDir := filepath.Join(dir, "packdir")
	if err := os.MkdirAll(packDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(packDir, "PulumiPolicy.yaml"), []byte("runtime: go\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ResolvePacks(context.Background(), dir, []string{exe, packDir}, nil, nil)
	if err != nil || len(got) != 2 {
		t.Fatalf("got %v, %v", got, err)
	}
	// Every bad path is reported at once.
	_, err = ResolvePacks(context.Background(), dir, []string{plain, filepath.Join(dir, "missing"), dir}, nil, nil)
	var se *SetupError
	if !errors.As(err, &se) {
		t.Fatalf("error %v is not a SetupError", err)
	}
	for _, want := range []string{"plain: a file must be a built pack binary", "missing: does not exist", "must hold PulumiPolicy.yaml"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	// STREAMSEC_POLICY_PACKS stands in for the flag.
	got, err = ResolvePacks(context.Background(), dir, nil, func(k string) string {
		if k == "STREAMSEC_POLICY_PACKS" {
			return exe
		}
		return ""
	}, nil)
	if err != nil || len(got) != 1 || got[0] != exe {
		t.Errorf("env packs: %v, %v", got, err)
	}
}

func TestResolvePacksDefaultNeedsSources(t *testing.T) {
	_, err := ResolvePacks(context.Background(), t.TempDir(), nil, nil, nil)
	var se *SetupError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "--no-policy") {
		t.Errorf("error %v: want a SetupError naming --no-policy", err)
	}
}

func TestFlagsValidate(t *testing.T) {
	cases := []struct {
		f    Flags
		want string
	}{
		{Flags{Color: "auto"}, ""},
		{Flags{Color: "never", PolicyPacks: []string{"x"}}, ""},
		{Flags{Color: "pink"}, "--color"},
		{Flags{Color: "auto", NoPolicy: true, PolicyPacks: []string{"x"}}, "--no-policy"},
	}
	for _, c := range cases {
		err := c.f.Validate()
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%+v: %v, want %q", c.f, err, c.want)
		}
	}
}

func TestResolveColor(t *testing.T) {
	var buf bytes.Buffer
	if got := ResolveColor("auto", &buf); got != "never" {
		t.Errorf("buffer: %s, want never", got)
	}
	if got := ResolveColor("always", &buf); got != "always" {
		t.Errorf("explicit: %s", got)
	}
}

func TestValidStack(t *testing.T) {
	for name, ok := range map[string]bool{
		"dev": true, "pr-123": true, "a": true, "Dev": false, "pr_1": false, "1pr": false, "pr-": false,
		"a23456789012345678901234": true, "a234567890123456789012345": false, "": false, "../x": false,
	} {
		if err := ValidStack(name); (err == nil) != ok {
			t.Errorf("%q: %v, want ok=%v", name, err, ok)
		}
	}
}

func TestResultVerdicts(t *testing.T) {
	r := &Result{Changes: map[string]int{"same": 4}}
	if !r.NoChanges() || r.Blocked() {
		t.Errorf("same only: NoChanges %v Blocked %v", r.NoChanges(), r.Blocked())
	}
	r.Changes["update"] = 1
	r.Violations = []Violation{{Policy: "a", EnforcementLevel: "advisory"}}
	if r.NoChanges() || r.Blocked() {
		t.Errorf("update + advisory: NoChanges %v Blocked %v", r.NoChanges(), r.Blocked())
	}
	r.Violations = append(r.Violations, Violation{Policy: "b", EnforcementLevel: "mandatory"})
	if !r.Blocked() {
		t.Errorf("mandatory violation not blocking")
	}
	if got := Changes(map[string]int{"update": 1, "create": 2, "same": 0}); got != "create 2, update 1" {
		t.Errorf("Changes: %q", got)
	}
	if got := Changes(nil); got != "no resources" {
		t.Errorf("Changes(nil): %q", got)
	}
}

func TestFileHasKey(t *testing.T) {
	p := filepath.Join(t.TempDir(), "Pulumi.dev.yaml")
	if err := os.WriteFile(p, []byte("config:\n  streamsec:cookieSecret:\n    secure: v1:x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if ok, err := fileHasKey(p, CookieSecretKey); !ok || err != nil {
		t.Errorf("present: %v %v", ok, err)
	}
	if ok, err := fileHasKey(p, "streamsec:other"); ok || err != nil {
		t.Errorf("absent: %v %v", ok, err)
	}
	if err := os.WriteFile(p, []byte("config: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := fileHasKey(p, CookieSecretKey); err == nil {
		t.Errorf("bad YAML accepted")
	}
}

func TestPurgeLeftoversOnlyForRemovedFileStacks(t *testing.T) {
	root := t.TempDir()
	state := filepath.Join(root, ".pulumi")
	mk := func(p string) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	backup := filepath.Join(state, "backups", "streamsec", "pr-1", "pr-1.1.json")
	bak := filepath.Join(state, "stacks", "streamsec", "pr-1.json.bak")
	other := filepath.Join(state, "backups", "streamsec", "dev", "dev.1.json")
	mk(backup)
	mk(bak)
	mk(other)
	e := &Engine{opts: Options{Stack: "pr-1"}, project: "streamsec", backend: "file://" + filepath.ToSlash(root)}
	// While the stack exists nothing is touched.
	live := filepath.Join(state, "stacks", "streamsec", "pr-1.json")
	mk(live)
	if err := e.purgeLeftovers(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(backup); err != nil {
		t.Fatalf("backup of a live stack removed")
	}
	os.Remove(live)
	if err := e.purgeLeftovers(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{backup, bak} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left", p)
		}
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another stack's backup removed")
	}
	// Other backends are not touched.
	e.backend = "azblob://c"
	if err := e.purgeLeftovers(); err != nil {
		t.Errorf("azblob: %v", err)
	}
}

func TestSummarizeKeepsFirstLine(t *testing.T) {
	err := summarize(errors.New("failed to run update: exit status 255\nstdout: lots\nstderr: more"))
	if err.Error() != "failed to run update: exit status 255" {
		t.Errorf("%q", err)
	}
}

func TestFresh(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src", "a.go")
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fresh(bin, filepath.Join(dir, "src")) {
		t.Error("missing binary counted as fresh")
	}
	if err := os.WriteFile(bin, []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(src, old, old); err != nil {
		t.Fatal(err)
	}
	if !fresh(bin, filepath.Join(dir, "src"), filepath.Join(dir, "missing")) {
		t.Error("binary newer than sources counted as stale")
	}
	if err := os.Chtimes(src, time.Now().Add(time.Hour), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if fresh(bin, filepath.Join(dir, "src")) {
		t.Error("binary older than a source counted as fresh")
	}
}
