// Package dashboard tests the sample dashboard (examples/dashboard) for
// real: its pinned requirements from PyPI in a venv cached outside the
// repository (scripts/get-dashboard-venv.sh), its storage code against
// Azurite's blob service through the App Setting names the stack sets, and
// the package `streamsec deploy` builds starting under real Streamlit with
// the stack's rendered config.
package dashboard

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/deploy"
	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/templates/streamlit"
	"github.com/streamsec/streamsec/test/azurite"
)

const repo = "../.."

var appDir = filepath.Join(repo, "examples", "dashboard")

func devSpec(t *testing.T) *spec.Spec {
	t.Helper()
	f := cli.NewFactory("test")
	f.ProjectDir, f.Getenv = repo, func(string) string { return "" }
	loaded, err := f.LoadSpec(cli.StackFlags{Stack: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	return loaded.Spec
}

// python is the venv with the dashboard's requirements.
func python(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("STREAMSEC_DASHBOARD_PYTHON"); p != "" {
		return p
	}
	out, err := exec.Command("bash", filepath.Join(repo, "scripts", "get-dashboard-venv.sh")).Output()
	if err != nil {
		if os.Getenv("STREAMSEC_REQUIRE_INTEGRATION") != "" {
			t.Fatalf("dashboard venv: %v", err)
		}
		t.Skipf("dashboard venv not available: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

// TestRequirementsPinTheDevStack: the sample's requirements.txt pins the
// Streamlit the dev stack targets, so `streamsec deploy --stack dev` takes it.
func TestRequirementsPinTheDevStack(t *testing.T) {
	s := devSpec(t)
	if _, err := deploy.Collect(appDir, s); err != nil {
		t.Fatalf("streamsec deploy --stack dev would refuse examples/dashboard (stack streamlitVersion %s): %v", s.StreamlitVersion, err)
	}
}

// storageEnv is what the stack's App Settings give the app, pointed at Azurite.
func storageEnv(endpoint string) []string {
	return []string{deploy.SettingBlobEndpoint + "=" + endpoint, deploy.SettingContainer + "=app-data"}
}

func seed(t *testing.T, endpoint string) {
	t.Helper()
	cred, err := azblob.NewSharedKeyCredential(azurite.Account, azurite.Key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := azblob.NewClientWithSharedKeyCredential(endpoint+"/", cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.CreateContainer(ctx, "app-data", nil); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(repo, "examples", "sample-data", "sales.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadBuffer(ctx, "app-data", "sales.csv", data, nil); err != nil {
		t.Fatal(err)
	}
}

// The storage test passes Azurite's development account as the credential:
// DefaultAzureCredential (what the app uses on App Service, its managed
// identity) cannot talk to Azurite, which accepts its well-known shared key.
const probe = `
import json, os, sys
sys.path.insert(0, os.environ["APP_DIR"])
import storage
from azure.core.credentials import AzureNamedKeyCredential
try:
    cred = AzureNamedKeyCredential(os.environ["EMU_ACCOUNT"], os.environ["EMU_KEY"])
    c = storage.container_client(credential=cred)
    storage.upload_csv(c, "more.csv", b"region,orders,revenue\nNorth,1,10\n")
    try:
        storage.upload_csv(c, "../x.csv", b"a\n1\n")
        print(json.dumps({"error": "a path name was stored"})); sys.exit(0)
    except ValueError:
        pass
    blobs = storage.list_csv(c)
    df = storage.read_csv(c, "sales.csv")
    print(json.dumps({"blobs": blobs, "rows": len(df), "revenue": int(df["revenue"].sum())}))
except storage.StorageNotConfigured as e:
    print(json.dumps({"notConfigured": str(e)}))
`

func runProbe(t *testing.T, py string, env []string) map[string]any {
	t.Helper()
	cmd := exec.Command(py, "-c", probe)
	cmd.Env = append(append(os.Environ(), "APP_DIR="+appDir, "EMU_ACCOUNT="+azurite.Account, "EMU_KEY="+azurite.Key), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("storage probe: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var res map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		t.Fatalf("storage probe output: %v\n%s", err, out)
	}
	return res
}

func TestStorageReadsTheContainerTheSettingsName(t *testing.T) {
	py := python(t)
	store := azurite.Start(t, repo)
	seed(t, store.Endpoint)
	got := runProbe(t, py, storageEnv(store.Endpoint))
	blobs, _ := got["blobs"].([]any)
	if got["rows"] != 4.0 || got["revenue"] != 183770.0 || len(blobs) != 2 || blobs[0] != "more.csv" {
		t.Errorf("read %v, want the 4 rows of sales.csv (revenue 183770) and the uploaded more.csv listed", got)
	}
	// Without the App Settings the app says which are missing.
	got = runProbe(t, py, []string{deploy.SettingBlobEndpoint + "=", deploy.SettingContainer + "="})
	msg, _ := got["notConfigured"].(string)
	if !strings.Contains(msg, deploy.SettingBlobEndpoint) || !strings.Contains(msg, deploy.SettingContainer) {
		t.Errorf("without settings: %v, want both names in the message", got)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestPackagedAppStarts: the zip deploy builds (the app plus the dev
// stack's rendered config.toml) starts under real Streamlit and its health
// endpoint answers.
func TestPackagedAppStarts(t *testing.T) {
	py := python(t)
	s := devSpec(t)
	files, err := deploy.Collect(appDir, s)
	if err != nil {
		t.Fatal(err)
	}
	config, err := streamlit.ConfigTOML(s, streamlit.Runtime{ExtraOrigins: []string{"https://dashboard-dev.z01.azurefd.net"}})
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := deploy.Build(files, config)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	zr, err := zip.NewReader(bytes.NewReader(pkg.Data), int64(len(pkg.Data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// App Service's startup command, on loopback and a free port.
	cmd := exec.CommandContext(ctx, py, "-m", "streamlit", "run", s.AppEntry, "--server.port", strconv.Itoa(port), "--server.address", "127.0.0.1", "--server.headless", "true")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), storageEnv("http://127.0.0.1:9/none")...)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = cmd.Wait() }()
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/_stcore/health"
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && strings.TrimSpace(string(body)) == "ok" {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer ok within 90s; streamlit said:\n%s", url, logs.String())
		}
		time.Sleep(500 * time.Millisecond)
	}
	if strings.Contains(logs.String(), "Traceback") {
		t.Errorf("streamlit logged a traceback:\n%s", logs.String())
	}
}
