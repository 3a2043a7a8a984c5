package targets

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"
	"time"
)

// Edge is one nginx in front of an app: the public TLS and plain ports,
// and (hardened) a "direct" port standing in for the App Service host.
type Edge struct {
	AppPort    int
	HTTPPort   int
	HTTPSPort  int
	DirectPort int
	Cert, Key  string
	Host       string // the public host name (certificate, Origin allowlist)
	// UpstreamHost is the Host header sent to the app. Front Door sends the
	// origin host header, the app's *.azurewebsites.net name; "" passes
	// the client's Host on.
	UpstreamHost string
	RateLimit    bool
	// Blocked are the paths the hardened edge answers 404 for, as the WAF
	// does: a path ending in "/" blocks everything under it.
	Blocked []string

	Dir  string
	User string
}

// Locations are the nginx location lines for Blocked.
func (e *Edge) Locations() []string {
	var out []string
	for _, p := range e.Blocked {
		if strings.HasSuffix(p, "/") {
			out = append(out, "location ^~ "+p+" { return 404; }")
		} else {
			out = append(out, "location = "+p+" { return 404; }")
		}
	}
	return out
}

// Upstream is the value of proxy_set_header Host.
func (e *Edge) Upstream() string {
	if e.UpstreamHost == "" {
		return "$host"
	}
	return e.UpstreamHost
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

// weakLocation proxies everything, the upstream's Server header included.
const weakLocation = `
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host {{.Upstream}};
      proxy_pass_header Server;
    }
`

// WeakConf: TLS 1.0/1.1 only, no headers, the app's Server header passed
// on, metrics and everything else proxied, plain http proxied too.
const WeakConf = commonConf + `
  server {
    listen 127.0.0.1:{{.HTTPPort}};` + weakLocation + `  }
  server {
    listen 127.0.0.1:{{.HTTPSPort}} ssl;
    ssl_certificate {{.Cert}};
    ssl_certificate_key {{.Key}};
    ssl_protocols TLSv1 TLSv1.1;
    ssl_ciphers ALL:@SECLEVEL=0;` + weakLocation + `  }
}
`

// HardenedConf: TLS 1.2+, HSTS and security headers, exact Origin
// allowlist and RFC 6455 version at the handshake (the WAF's job in
// Azure), compression offers stripped, internal paths blocked, http -> https
// 301, a handshake rate limit, and a "direct" server standing in for the
// App Service host with access restrictions (403 without the proxy).
const HardenedConf = commonConf + `
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
    {{range .Locations}}{{.}}
    {{end}}
    location = /_stcore/stream {
      if ($origin_ok = 0) { return 403; }
      if ($version_ok = 0) { return 426; }
      {{if .RateLimit}}limit_req zone=ws burst=10 nodelay;{{end}}
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Sec-WebSocket-Extensions "";
      proxy_set_header Host {{.Upstream}};
    }
    location / {
      proxy_pass http://app;
      proxy_set_header Host {{.Upstream}};
    }
  }
  server {
    listen 127.0.0.1:{{.DirectPort}};
    location / { return 403 "Ip Forbidden\n"; }
  }
}
`

// StartNginx writes conf for e and runs nginx in the foreground with
// everything under its own folder; it returns once the ports answer.
func StartNginx(t TB, nginx, conf string, e *Edge) {
	t.Helper()
	e.Dir = t.TempDir()
	if os.Geteuid() == 0 {
		// Workers must read the temp folders under the test's 0700 dir.
		e.User = "user root;"
	}
	var buf bytes.Buffer
	if err := template.Must(template.New("nginx").Parse(conf)).Execute(&buf, e); err != nil {
		t.Fatalf("nginx config: %v", err)
	}
	confFile := filepath.Join(e.Dir, "nginx.conf")
	if err := os.WriteFile(confFile, buf.Bytes(), 0o600); err != nil {
		t.Fatalf("write nginx.conf: %v", err)
	}
	cmd := exec.Command(nginx, "-p", e.Dir, "-c", confFile, "-e", filepath.Join(e.Dir, "error.log"), "-g", "daemon off;")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start nginx: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() { stopWaited(cmd, exited) })
	alive := func() bool {
		select {
		case <-exited:
			return false
		default:
			return true
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, port := range []int{e.HTTPPort, e.HTTPSPort} {
		if !waitListen(port, deadline, alive) {
			log, _ := os.ReadFile(filepath.Join(e.Dir, "error.log"))
			t.Fatalf("nginx did not listen on %d:\n%s\n%s", port, out.String(), log)
		}
	}
}
