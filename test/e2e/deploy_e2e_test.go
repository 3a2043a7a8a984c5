//go:build e2e

package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/streamsec/streamsec/test/azurite"
)

// stackStreamlit reads the Streamlit version a stack file targets.
func stackStreamlit(t *testing.T, p *project, stack string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(p.dir, "stacks", "Pulumi."+stack+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "streamsec:streamlitVersion:"); ok {
			return strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	t.Fatalf("no streamlitVersion in the %s stack file", stack)
	return ""
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDeploySequence: up, then deploy (the package goes to the package
// store, here Azurite, and the stand-in's OneDeploy fetches it through the
// signed URI and opens the zip, as App Service would), outputs shows the
// digest, a second deploy and an up change nothing, a changed app ships a
// new package, and a stack that was never brought up is refused with 2.
func TestDeploySequence(t *testing.T) {
	store := azurite.Start(t, setup.repo)
	p := newProject(t)
	emu := []string{"STREAMSEC_PACKAGE_STORE_EMULATOR=" + store.Endpoint}
	version := stackStreamlit(t, p, "dev")
	app := filepath.Join(t.TempDir(), "app")
	writeFiles(t, app, map[string]string{
		"app.py":           "import streamlit as st\nst.title('e2e')\n",
		"requirements.txt": "streamlit==" + version + "\n",
	})

	// A stack never brought up: exit 2, nothing uploaded.
	out, code := p.runEnv(emu, "deploy", "--stack", "prod", "--app", app, "--color", "never", "--format", "json")
	if code != 2 || !strings.Contains(out, "not deployed") {
		t.Fatalf("deploy to a stack never brought up: exit %d, want 2 and 'not deployed'\n%s", code, tail(out, 40))
	}

	if out, code := p.run("up", "--stack", "dev", "--color", "never", "--non-interactive"); code != 0 {
		t.Fatalf("up: exit %d\n%s", code, tail(out, 80))
	}

	deploy := func() map[string]any {
		t.Helper()
		out, code := p.runEnv(emu, "deploy", "--stack", "dev", "--app", app, "--color", "never", "--non-interactive", "--format", "json")
		if code != 0 {
			t.Fatalf("deploy: exit %d\n%s", code, tail(out, 80))
		}
		// JSON on stdout, progress on stderr: the summary is the last object.
		return summary(t, out[strings.LastIndex(out, "\n{"):])
	}
	first := deploy()
	digest, _ := first["digest"].(string)
	if first["status"] != "shipped" || !strings.HasPrefix(digest, "sha256:") || first["uploaded"] != true {
		t.Fatalf("first deploy: %v", first)
	}

	out, code = p.run("outputs", "--stack", "dev", "--format", "json")
	if code != 0 {
		t.Fatalf("outputs: exit %d\n%s", code, out)
	}
	outs := summary(t, out)
	if outs["appPackage"] != digest {
		t.Errorf("outputs appPackage = %v, want %s", outs["appPackage"], digest)
	}
	for _, k := range []string{"appName", "packageStoreEndpoint", "packageContainer"} {
		if s, _ := outs[k].(string); s == "" {
			t.Errorf("outputs lack %s: %v", k, outs)
		}
	}

	// The package store holds exactly the package, under its digest.
	client, err := azblob.NewClientWithSharedKeyCredential(store.Endpoint+"/", mustKey(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	blob := "sha256-" + strings.TrimPrefix(digest, "sha256:") + ".zip"
	resp, err := client.DownloadStream(context.Background(), "app-packages", blob, nil)
	if err != nil {
		t.Fatalf("download %s: %v", blob, err)
	}
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	sum := sha256.Sum256(buf.Bytes())
	if "sha256:"+hex.EncodeToString(sum[:]) != digest {
		t.Errorf("the stored package does not have the digest deploy reported")
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if strings.Join(names, " ") != ".streamlit/config.toml app.py requirements.txt" {
		t.Errorf("package entries %v", names)
	}

	second := deploy()
	if second["status"] != "unchanged" || second["digest"] != digest || second["uploaded"] != false {
		t.Errorf("second deploy of the same app: %v, want unchanged, nothing uploaded", second)
	}
	if ch, _ := second["changes"].(map[string]any); ch["create"] != nil || ch["update"] != nil || ch["delete"] != nil || ch["replace"] != nil {
		t.Errorf("second deploy changed resources: %v", ch)
	}

	// An ordinary up keeps the deployed package.
	if out, code := p.run("up", "--stack", "dev", "--color", "never", "--non-interactive", "--expect-no-changes"); code != 0 {
		t.Errorf("up after deploy would change something: exit %d\n%s", code, tail(out, 60))
	}

	writeFiles(t, app, map[string]string{"app.py": "import streamlit as st\nst.title('e2e v2')\n"})
	third := deploy()
	if third["status"] != "shipped" || third["digest"] == digest {
		t.Errorf("changed app: %v, want a new package shipped", third)
	}
	out, _ = p.run("outputs", "--stack", "dev", "--format", "json")
	if summary(t, out)["appPackage"] != third["digest"] {
		t.Errorf("outputs after the new package: %s", out)
	}
}

func mustKey(t *testing.T) *azblob.SharedKeyCredential {
	t.Helper()
	k, err := azblob.NewSharedKeyCredential(azurite.Account, azurite.Key)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
