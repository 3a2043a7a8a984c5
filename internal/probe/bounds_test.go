package probe

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// symptoms are error texts that hide the cause; no probe may show one.
var symptoms = []string{"unexpected EOF", "use of closed network connection", "i/o timeout", "context deadline exceeded", "limiter dropping"}

// Every message names its cause: the header cap, or which time bound.
func TestMessagesNameTheCause(t *testing.T) {
	tests := []struct {
		name   string
		handle func(net.Conn)
		want   string // in the page probes' detail
	}{
		{"header cap", floodHeaders, "response headers exceed the 64 KiB cap"},
		{"slow headers", slowHeaders, "the first page request's share (600ms) of the run's time bound (--timeout 2s)"},
		{"closed before answering", func(c net.Conn) { readRequest(c) }, "closed the connection without answering"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := rawServer(t, tt.handle)
			tg, err := Prepare(Options{URL: "http://" + addr + "/", Timeout: 2 * time.Second, Active: true})
			if err != nil {
				t.Fatal(err)
			}
			run := Execute(context.Background(), tg)
			p := statusOf(t, run, "hsts")
			if p.Status != Unknown || !strings.Contains(p.Evidence.Detail, tt.want) {
				t.Errorf("hsts: %s %q, want %q", p.Status, p.Evidence.Detail, tt.want)
			}
			for _, p := range run.Probes {
				for _, s := range symptoms {
					if strings.Contains(p.Evidence.Detail, s) {
						t.Errorf("%s: %q hides the cause behind %q", p.ID, p.Evidence.Detail, s)
					}
				}
			}
		})
	}
}

// A burst the run's deadline cuts short is blamed on the deadline, not on
// a limiter.
func TestBurstCutByDeadlineNamesIt(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(400 * time.Millisecond)
		upgrade(w)
	}))
	defer srv.Close()
	tg, err := Prepare(Options{URL: srv.URL, Burst: 30})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeoutCause(context.Background(), time.Second, bound("the run's time bound (--timeout 1s)"))
	defer cancel()
	st, ev := rateBurst(ctx, tg, &env{})
	if st != Unknown || !strings.Contains(ev.Detail, "the run's time bound (--timeout 1s) ended the burst") || strings.Contains(ev.Detail, "limiter") {
		t.Errorf("%s: %s (%s)", st, ev.Detail, ev.Status)
	}
	if !strings.Contains(ev.Status, "not sent") {
		t.Errorf("status %q does not count the handshakes never sent", ev.Status)
	}
}

// A body cut short (by the cap or a time bound) is evidence of nothing.
func TestCutBodyIsUnknown(t *testing.T) {
	page := &response{status: 200, header: http.Header{}, body: []byte(indexHTML)}
	tests := []struct {
		name   string
		handle func(net.Conn)
		want   string
	}{
		{"body cap", func(c net.Conn) {
			readRequest(c)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>")
			c.Write([]byte(strings.Repeat("x", maxBodyBytes+10)))
		}, "the 256 KiB body cap"},
		{"time bound", func(c net.Conn) {
			readRequest(c)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html>")
			time.Sleep(3 * time.Second)
		}, "the per-request time bound (1s)"},
		{"closed mid-body", func(c net.Conn) {
			readRequest(c)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html>")
		}, "the connection ending mid-body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := rawServer(t, tt.handle)
			tg, err := Prepare(Options{URL: "http://" + addr, RequestTimeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			st, ev := pathRefused(context.Background(), tg, &env{page: page}, "/_stcore/metrics")
			if st != Unknown || !strings.Contains(ev.Detail, tt.want) {
				t.Errorf("%s: %s, want unknown naming %q", st, ev.Detail, tt.want)
			}
		})
	}
}

// A refusal that arrives as a close before the upgrade counts as refused
// (once the expected origin is upgraded), for origins and versions alike.
func TestCloseBeforeUpgradeIsRefusal(t *testing.T) {
	var site string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/_stcore/stream" {
			io.WriteString(w, indexHTML)
			return
		}
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		if r.Header.Get("Origin") != site || r.Header.Get("Sec-WebSocket-Version") != "13" {
			return // closed without a word, as some edges refuse
		}
		rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		rw.Flush()
	}))
	defer srv.Close()
	site = srv.URL
	tg, err := Prepare(Options{URL: srv.URL, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	run := Execute(context.Background(), tg)
	for _, id := range []string{"origin-allowed-accepted", "origin-foreign-refused", "origin-null-refused", "origin-missing-refused", "legacy-version-refused"} {
		if p := statusOf(t, run, id); p.Status != Pass {
			t.Errorf("%s: %s: %s", id, p.Status, p.Evidence.Detail)
		}
	}
	if p := statusOf(t, run, "origin-null-refused"); !strings.Contains(p.Evidence.Detail, "closed before any answer") {
		t.Errorf("detail does not say how it was refused: %s", p.Evidence.Detail)
	}
}

func TestBanner(t *testing.T) {
	tests := []struct {
		server, powered, upgrade string // upgrade: the Server header of the 101 only
		want                     Status
	}{
		{"TornadoServer/6.4.2", "", "", Fail},
		{"uvicorn", "", "", Fail},
		{"Python/3.11 aiohttp/3.9.1", "", "", Fail},
		{"gunicorn", "", "", Fail},
		{"hypercorn-h11", "", "", Fail},
		{"Werkzeug/3.0.1 Python/3.11.7", "", "", Fail},
		{"nginx/1.22.1", "", "", Fail},
		{"Microsoft-IIS/10.0", "", "", Fail},
		{"", "Express", "", Fail},
		{"", "", "uvicorn", Fail},
		{"nginx", "", "", Pass},
		{"", "", "", Pass},
		{"Microsoft-Azure-Application-Gateway/v2", "", "", Pass},
	}
	tg, _ := Prepare(Options{URL: "https://a.example"})
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q %q %q", tt.server, tt.powered, tt.upgrade), func(t *testing.T) {
			h := http.Header{}
			if tt.server != "" {
				h.Set("Server", tt.server)
			}
			if tt.powered != "" {
				h.Set("X-Powered-By", tt.powered)
			}
			up := http.Header{}
			if tt.upgrade != "" {
				up.Set("Server", tt.upgrade)
			}
			e := &env{page: &response{status: 200, header: h}, anchor: &response{status: 101, header: up}}
			st, ev := serverHeader(context.Background(), tg, e)
			if st != tt.want {
				t.Errorf("%s, want %s: %s", st, tt.want, ev.Detail)
			}
		})
	}
}
