// Package verify_test runs `streamsec verify` against real servers: a small
// Tornado WebSocket app (testdata/app.py, Streamlit's endpoints and origin
// check) behind nginx, once weak and once hardened, with a throwaway CA.
// Needs Debian's nginx and python3-tornado; without them the tests skip,
// unless STREAMSEC_REQUIRE_INTEGRATION=1 (set by .ci/run) or
// STREAMSEC_REQUIRE_E2E=1, which turn the skip into a failure.
package verify_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"text/template"
	"time"

	"github.com/streamsec/streamsec/internal/probe"
)

// Host is the public name the certificates and requests use; --connect-to
// maps it to the local nginx ports.
const Host = "app.streamsec.test"

const pythonPath = "/usr/bin/python3" // Debian's, which has python3-tornado

type tb interface {
	Helper()
	Fatalf(string, ...any)
	Skipf(string, ...any)
	TempDir() string
	Cleanup(func())
	Logf(string, ...any)
}

// requireTools skips (or, in CI, fails) when nginx or Tornado is missing.
func requireTools(t tb) string {
	t.Helper()
	missing := func(what string) {
		msg := what + " is missing: apt-get install -y nginx python3-tornado (STREAMSEC_REQUIRE_INTEGRATION=1 makes this a failure)"
		if os.Getenv("STREAMSEC_REQUIRE_INTEGRATION") == "1" || os.Getenv("STREAMSEC_REQUIRE_E2E") == "1" {
			t.Fatalf("%s", msg)
		}
		t.Skipf("%s", msg)
	}
	if runtime.GOOS != "linux" {
		missing("a Linux host")
	}
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		nginx = "/usr/sbin/nginx"
		if _, err := os.Stat(nginx); err != nil {
			missing("nginx")
		}
	}
	if err := exec.Command(pythonPath, "-c", "import tornado.websocket").Run(); err != nil {
		missing("python3-tornado for " + pythonPath)
	}
	return nginx
}

// ---- certificates ----

type pki struct {
	caFile string
	caCert *x509.Certificate
	caKey  *rsa.PrivateKey
	dir    string
}

func newPKI(t tb) *pki {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("ca key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "streamsec test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(48 * time.Hour * 365),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("ca cert: %v", err)
	}
	cert, _ := x509.ParseCertificate(der)
	p := &pki{caCert: cert, caKey: key, dir: t.TempDir()}
	p.caFile = filepath.Join(p.dir, "ca.pem")
	writePEM(t, p.caFile, "CERTIFICATE", der)
	return p
}

// issue writes a server certificate and key for names, valid for validFor,
// and returns their paths. RSA keeps TLS 1.0 possible for the weak setup.
func (p *pki) issue(t tb, name string, validFor time.Duration, names ...string) (certFile, keyFile string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("key: %v", err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: names[0]},
		DNSNames:     names,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(validFor),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.caCert, &key.PublicKey, p.caKey)
	if err != nil {
		t.Fatalf("cert: %v", err)
	}
	certFile = filepath.Join(p.dir, name+".crt")
	keyFile = filepath.Join(p.dir, name+".key")
	writePEM(t, certFile, "CERTIFICATE", der)
	writePEM(t, keyFile, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key))
	return certFile, keyFile
}

func writePEM(t tb, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
}

// ---- processes ----

// startApp runs testdata/app.py and returns the port it listens on.
func startApp(t tb, mode string) int {
	t.Helper()
	script, err := filepath.Abs("testdata/app.py")
	if err != nil {
		t.Fatalf("app.py: %v", err)
	}
	cmd := exec.Command(pythonPath, script, "--mode", mode, "--allow", Host)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("app stdout: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start app: %v", err)
	}
	t.Cleanup(func() { stop(cmd) })
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(out)
		if s.Scan() {
			line <- s.Text()
		}
		close(line)
	}()
	select {
	case l := <-line:
		port, err := strconv.Atoi(strings.TrimPrefix(l, "PORT "))
		if err != nil {
			t.Fatalf("app said %q: %s", l, stderr.String())
		}
		return port
	case <-time.After(15 * time.Second):
		t.Fatalf("app did not start in 15s: %s", stderr.String())
	}
	return 0
}

func stop(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

func freePort(t tb) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// ---- nginx ----

type site struct {
	Dir        string
	User       string
	AppPort    int
	HTTPPort   int
	HTTPSPort  int
	DirectPort int
	Cert, Key  string
	Host       string
	RateLimit  bool
}

const commonConf = `{{.User}}
worker_processes 1;
pid {{.Dir}}/nginx.pid;
error_log {{.Dir}}/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path {{.Dir}}/client_body;
  proxy_temp_path {{.Dir}}/proxy;
  fastcgi_temp_path {{.Dir}}/fastcgi;
  uwsgi_temp_path {{.Dir}}/uwsgi;
  scgi_temp_path {{.Dir}}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  upstream app { server 127.0.0.1:{{.AppPort}}; }
`

// weakConf: TLS 1.0/1.1 only, no headers, the app's Server header passed
// on, metrics and everything else proxied, plain http proxied too.
const weakConf = commonConf + `
  server {
    listen 127.0.0.1:{{.HTTPPort}};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_pass_header Server;
    }
  }
  server {
    listen 127.0.0.1:{{.HTTPSPort}} ssl;
    ssl_certificate {{.Cert}};
    ssl_certificate_key {{.Key}};
    ssl_protocols TLSv1 TLSv1.1;
    ssl_ciphers ALL:@SECLEVEL=0;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_pass_header Server;
    }
  }
}
`

// hardenedConf: TLS 1.2+, HSTS and security headers, exact Origin
// allowlist and RFC 6455 version at the handshake (the WAF's job in
// Azure), compression offers stripped, metrics blocked, http -> https 301,
// a handshake rate limit, and a "direct" server standing in for the App
// Service host with access restrictions (403 without the proxy).
const hardenedConf = commonConf + `
  server_tokens off;
  map $http_origin $origin_ok { default 0; "https://{{.Host}}" 1; }
  map $http_sec_websocket_version $version_ok { default 0; "13" 1; }
  {{if .RateLimit}}limit_req_zone $binary_remote_addr zone=ws:1m rate=10r/m;
  limit_req_status 429;{{end}}
  server {
    listen 127.0.0.1:{{.HTTPPort}};
    server_name {{.Host}};
    return 301 https://$host$request_uri;
  }
  server {
    listen 127.0.0.1:{{.HTTPSPort}} ssl;
    server_name {{.Host}};
    ssl_certificate {{.Cert}};
    ssl_certificate_key {{.Key}};
    ssl_protocols TLSv1.2 TLSv1.3;
    add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;
    add_header Content-Security-Policy "default-src 'self'; connect-src 'self' wss:; frame-ancestors 'none'" always;
    add_header X-Content-Type-Options nosniff always;
    add_header Referrer-Policy strict-origin-when-cross-origin always;
    add_header Permissions-Policy "camera=(), microphone=(), geolocation=()" always;
    proxy_hide_header Server;
    location = /_stcore/metrics { return 404; }
    location = /st-metrics { return 404; }
    location = /_stcore/stream {
      if ($origin_ok = 0) { return 403; }
      if ($version_ok = 0) { return 426; }
      {{if .RateLimit}}limit_req zone=ws burst=10 nodelay;{{end}}
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Sec-WebSocket-Extensions "";
      proxy_set_header Host $host;
    }
    location / {
      proxy_pass http://app;
      proxy_set_header Host $host;
    }
  }
  server {
    listen 127.0.0.1:{{.DirectPort}};
    location / { return 403 "Ip Forbidden\n"; }
  }
}
`

// startNginx writes the configuration and runs nginx in the foreground
// with everything under its own folder; it returns once the ports answer.
func startNginx(t tb, nginx, conf string, s *site) {
	t.Helper()
	s.Dir = t.TempDir()
	if os.Geteuid() == 0 {
		// Workers must read the temp folders under the test's 0700 dir.
		s.User = "user root;"
	}
	var buf bytes.Buffer
	if err := template.Must(template.New("nginx").Parse(conf)).Execute(&buf, s); err != nil {
		t.Fatalf("nginx config: %v", err)
	}
	confFile := filepath.Join(s.Dir, "nginx.conf")
	if err := os.WriteFile(confFile, buf.Bytes(), 0o600); err != nil {
		t.Fatalf("write nginx.conf: %v", err)
	}
	cmd := exec.Command(nginx, "-p", s.Dir, "-c", confFile, "-e", filepath.Join(s.Dir, "error.log"), "-g", "daemon off;")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start nginx: %v", err)
	}
	t.Cleanup(func() { stop(cmd) })
	deadline := time.Now().Add(10 * time.Second)
	for _, port := range []int{s.HTTPPort, s.HTTPSPort} {
		for {
			c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				log, _ := os.ReadFile(filepath.Join(s.Dir, "error.log"))
				t.Fatalf("nginx did not listen on %d: %v\n%s\n%s", port, err, out.String(), log)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// setup is one target: nginx in front of the app, and the verify flags
// that reach it.
type setup struct {
	args      []string
	site      *site
	connectTo []string
	caFile    string
	direct    string
}

// optionsFrom is the setup as probe options, for benchmarks that skip the
// command layer.
func optionsFrom(t tb, s setup) probe.Options {
	pool := x509.NewCertPool()
	data, err := os.ReadFile(s.caFile)
	if err != nil || !pool.AppendCertsFromPEM(data) {
		t.Fatalf("ca file %s: %v", s.caFile, err)
	}
	return probe.Options{URL: s.args[0], ConnectTo: s.connectTo, RootCAs: pool, DirectHost: s.direct, Timeout: 30 * time.Second}
}

func startWeak(t tb) setup {
	nginx := requireTools(t)
	p := newPKI(t)
	// The weak certificate names another host and expires in 10 days.
	cert, key := p.issue(t, "weak", 10*24*time.Hour, "other.streamsec.test")
	app := startApp(t, "weak")
	s := &site{AppPort: app, HTTPPort: freePort(t), HTTPSPort: freePort(t), Cert: cert, Key: key, Host: Host}
	startNginx(t, nginx, weakConf, s)
	return setup{site: s, args: []string{
		"https://" + Host + "/",
		"--connect-to", fmt.Sprintf("%s:443:127.0.0.1:%d", Host, s.HTTPSPort),
		"--connect-to", fmt.Sprintf("%s:80:127.0.0.1:%d", Host, s.HTTPPort),
		"--ca-file", p.caFile,
		// The app port itself stands in for the azurewebsites.net host.
		"--direct-host", fmt.Sprintf("http://127.0.0.1:%d", app),
		// The weak certificate names another host: without --insecure no
		// HTTP probe could run, and --insecure fails the certificate probe.
		"--insecure",
	}}
}

func startHardened(t tb, rateLimit bool) setup {
	nginx := requireTools(t)
	p := newPKI(t)
	cert, key := p.issue(t, "hardened", 365*24*time.Hour, Host)
	app := startApp(t, "hardened")
	s := &site{AppPort: app, HTTPPort: freePort(t), HTTPSPort: freePort(t), DirectPort: freePort(t), Cert: cert, Key: key, Host: Host, RateLimit: rateLimit}
	startNginx(t, nginx, hardenedConf, s)
	connect := []string{fmt.Sprintf("%s:443:127.0.0.1:%d", Host, s.HTTPSPort), fmt.Sprintf("%s:80:127.0.0.1:%d", Host, s.HTTPPort)}
	direct := fmt.Sprintf("http://127.0.0.1:%d", s.DirectPort)
	return setup{site: s, connectTo: connect, caFile: p.caFile, direct: direct, args: []string{
		"https://" + Host + "/",
		"--connect-to", connect[0],
		"--connect-to", connect[1],
		"--ca-file", p.caFile,
		"--direct-host", direct,
	}}
}
