package probe

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
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
	status int
	proto  string
	header http.Header
	body   []byte
	// cut names what stopped the body early (the body cap, a time bound,
	// the connection closing mid-body); "" means the body is whole. A cut
	// body is evidence of nothing.
	cut    string
	tlsVer uint16
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

// errHeaderCap is the answer's header block running past maxHeaderBytes.
var errHeaderCap = fmt.Errorf("the response headers exceed the %d KiB cap", maxHeaderBytes>>10)

// errClosedBeforeAnswer is a server closing (or resetting) the connection
// without sending a byte of an answer: for a handshake, a refusal.
var errClosedBeforeAnswer = errors.New("the server closed the connection without answering")

// capReader counts what it reads and, past its limit, fails with err
// instead of io.EOF, so a cap is never mistaken for the server closing.
type capReader struct {
	r    io.Reader
	n    int64 // bytes still allowed
	read int64
	err  error
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, c.err
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	k, err := c.r.Read(p)
	c.n -= int64(k)
	c.read += int64(k)
	return k, err
}

// exchange sends req to e and reads the answer within ctx's deadline and
// the size caps. It never follows redirects. With keep, a 101 answer leaves
// the connection open and returns it; the caller closes it. Its errors
// name the cause: the header cap, the time bound that ended the wait, or
// the server closing before any answer (errClosedBeforeAnswer).
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
		return nil, nil, explain(ctx, "send request", err)
	}
	// http.ReadResponse would otherwise read an endless header block.
	cr := &capReader{r: conn, n: maxHeaderBytes, err: errHeaderCap}
	br := bufio.NewReaderSize(cr, 4096)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		switch {
		case errors.Is(err, errHeaderCap):
			return nil, nil, fmt.Errorf("read response: %w", errHeaderCap)
		case ctx.Err() == nil && cr.read == 0 && closedErr(err):
			return nil, nil, fmt.Errorf("read response: %w", errClosedBeforeAnswer)
		case ctx.Err() == nil && closedErr(err):
			return nil, nil, fmt.Errorf("read response: the server closed the connection after %d bytes, mid-answer", cr.read)
		}
		return nil, nil, explain(ctx, "read response", err)
	}
	out := &response{status: resp.StatusCode, proto: resp.Proto, header: resp.Header}
	if tc, ok := conn.(*tls.Conn); ok {
		out.tlsVer = tc.ConnectionState().Version
	}
	// The body (and, after a 101, the frames) are not part of the header cap.
	cr.n, cr.err = 1<<62, io.EOF
	if resp.StatusCode == http.StatusSwitchingProtocols {
		if keep {
			handedOver = true
			stop()
			return out, &wsConn{Conn: conn, r: br}, nil
		}
		return out, nil, nil
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	switch {
	case len(body) > maxBodyBytes:
		body, out.cut = body[:maxBodyBytes], fmt.Sprintf("the %d KiB body cap", maxBodyBytes>>10)
	case rerr != nil:
		out.cut = explain(ctx, "the connection", rerr).Error()
		if ctx.Err() == nil {
			out.cut = "the connection ending mid-body (" + clip(rerr.Error()) + ")"
		}
	}
	out.body = body
	return out, nil, nil
}

// closedErr says whether err is the peer closing or resetting the
// connection (as opposed to a timeout or a protocol error).
func closedErr(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
