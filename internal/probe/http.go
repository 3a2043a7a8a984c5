package probe

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

// request is one HTTP/1.1 request written byte for byte, so a probe can
// send headers no browser library would (Origin: null, no Origin, a legacy
// WebSocket version).
type request struct {
	method  string
	path    string
	headers [][2]string // in order; Host comes first and is added by build
}

func (r request) build(e endpoint) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", r.method, r.path, e.hostHeader())
	for _, h := range r.headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	b.WriteString("\r\n")
	return []byte(b.String())
}

// describe is the request as evidence: the URL and the headers sent,
// without the random WebSocket key.
func (r request) describe(e endpoint) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s%s", r.method, e.String(), r.path)
	for _, h := range r.headers {
		if h[0] == "Sec-WebSocket-Key" || h[0] == "User-Agent" {
			continue
		}
		fmt.Fprintf(&b, "\n%s: %s", h[0], h[1])
	}
	return b.String()
}

// response is what came back, capped.
type response struct {
	status    int
	proto     string
	header    http.Header
	body      []byte
	truncated bool // body longer than the cap, or cut by the deadline
	tlsVer    uint16
}

// wsConn is a connection left open after a 101, with its buffered reader.
type wsConn struct {
	net.Conn
	r *bufio.Reader
}

const userAgent = "streamsec-verify"

func get(path string, extra ...[2]string) request {
	h := [][2]string{{"User-Agent", userAgent}, {"Accept", "text/html,*/*"}, {"Connection", "close"}}
	return request{method: "GET", path: path, headers: append(h, extra...)}
}

// wsHeaders are a WebSocket opening handshake's headers. origin "-" means
// no Origin header at all; version "" leaves Sec-WebSocket-Version out.
func wsHeaders(origin, version string, extra ...[2]string) [][2]string {
	key := make([]byte, 16)
	_, _ = rand.Read(key)
	h := [][2]string{
		{"User-Agent", userAgent},
		{"Upgrade", "websocket"},
		{"Connection", "Upgrade"},
		{"Sec-WebSocket-Key", base64.StdEncoding.EncodeToString(key)},
	}
	if version != "" {
		h = append(h, [2]string{"Sec-WebSocket-Version", version})
	}
	if origin != "-" {
		h = append(h, [2]string{"Origin", origin})
	}
	return append(h, extra...)
}

// exchange sends req to e and reads the answer within ctx's deadline and
// the size caps. It never follows redirects. With keep, a 101 answer leaves
// the connection open and returns it; the caller closes it.
func (t *Target) exchange(ctx context.Context, e endpoint, req request, keep bool) (*response, *wsConn, error) {
	conn, err := t.connect(ctx, e, nil)
	if err != nil {
		return nil, nil, err
	}
	// A cancelled run closes the connection, which unblocks any read.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	handedOver := false
	defer func() {
		stop()
		if !handedOver {
			conn.Close()
		}
	}()
	if _, err := conn.Write(req.build(e)); err != nil {
		return nil, nil, fmt.Errorf("send request: %w", err)
	}
	// The limit caps header bytes too: http.ReadResponse would otherwise
	// read an endless header block.
	lr := &io.LimitedReader{R: conn, N: maxHeaderBytes + maxBodyBytes}
	br := bufio.NewReaderSize(lr, 4096)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, fmt.Errorf("read response: no complete answer within the time bound: %w", ctx.Err())
		}
		return nil, nil, fmt.Errorf("read response: %w", err)
	}
	out := &response{status: resp.StatusCode, proto: resp.Proto, header: resp.Header}
	if tc, ok := conn.(*tls.Conn); ok {
		out.tlsVer = tc.ConnectionState().Version
	}
	if resp.StatusCode == http.StatusSwitchingProtocols {
		if keep {
			handedOver = true
			stop()
			// The frames that follow are not part of the capped HTTP answer.
			lr.N = 1 << 62
			return out, &wsConn{Conn: conn, r: br}, nil
		}
		return out, nil, nil
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	if len(body) > maxBodyBytes {
		body, out.truncated = body[:maxBodyBytes], true
	}
	if rerr != nil {
		out.truncated = true
	}
	out.body = body
	return out, nil, nil
}
