package probe

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// burstConcurrency bounds the simultaneous handshakes of the burst.
const burstConcurrency = 5

// closeWait is how long the oversized-frame probe waits for the close
// frame once the frame is sent.
const closeWait = 3 * time.Second

// stageWait is how long the probe waits for a close after each early stage
// of the oversized frame, before sending more.
const stageWait = 1500 * time.Millisecond

func rateBurst(ctx context.Context, t *Target, _ *env) (Status, Evidence) {
	n := t.opts.Burst
	ev := Evidence{Request: fmt.Sprintf("%d handshakes (at most %d at a time): %s", n, burstConcurrency,
		t.handshake().describe(t.site))}
	var mu sync.Mutex
	counts := map[string]int{}
	var lastBound string
	sem := make(chan struct{}, burstConcurrency)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key, why := "not sent", ""
			release, ok := acquire(ctx, sem)
			defer release()
			if ok {
				rctx, cancel := t.reqCtx(ctx)
				resp, _, err := t.exchange(rctx, t.site, t.handshake(), false)
				cancel()
				var be *boundError
				switch {
				case err == nil:
					key = strconv.Itoa(resp.status)
				case errors.As(err, &be):
					key, why = "cut by a time bound", be.cause.Error()
				case errors.Is(err, errClosedBeforeAnswer):
					key = "closed without an answer"
				default:
					key = "error"
				}
			} else {
				why = causeOf(ctx).Error()
			}
			mu.Lock()
			counts[key]++
			if why != "" {
				lastBound = why
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	var parts []string
	for k, v := range counts {
		parts = append(parts, fmt.Sprintf("%s x%d", k, v))
	}
	sort.Strings(parts)
	ev.Status = strings.Join(parts, ", ")
	limited := counts["429"] + counts["403"]
	cut := counts["not sent"] + counts["cut by a time bound"]
	switch {
	case limited > 0:
		ev.Detail = fmt.Sprintf("%d of %d handshakes were refused with 429/403", limited, n)
		return Pass, ev
	case counts["101"] == n:
		ev.Detail = fmt.Sprintf("all %d handshakes were upgraded: no connection rate limit", n)
		return Fail, ev
	case cut > 0:
		ev.Detail = fmt.Sprintf("could not tell: %s ended the burst with %d of %d handshakes unanswered and no 429/403 among the others", lastBound, cut, n)
		return Unknown, ev
	case counts["closed without an answer"] > 0 && counts["error"] == 0:
		ev.Detail = fmt.Sprintf("could not tell: %d handshakes were closed without an HTTP answer and none got 429/403 (a limiter that drops connections and a failing server look the same)", counts["closed without an answer"])
		return Unknown, ev
	case counts["error"] > 0:
		ev.Detail = fmt.Sprintf("could not tell: %d handshakes failed without an HTTP answer (connection errors, not a rate limit's 429/403)", counts["error"])
		return Unknown, ev
	default:
		ev.Detail = "no 429/403 among the answers"
		return Fail, ev
	}
}

func oversizedFrame(ctx context.Context, t *Target, _ *env) (Status, Evidence) {
	size := t.opts.MessageLimit + 1<<20
	req := t.handshake()
	ev := Evidence{Request: fmt.Sprintf("%s\nthen one binary frame of %d bytes (limit %d + 1 MiB)", req.describe(t.site), size, t.opts.MessageLimit)}
	rctx, cancel := t.reqCtx(ctx)
	defer cancel()
	resp, ws, err := t.exchange(rctx, t.site, req, true)
	if err != nil {
		ev.Detail = "could not tell: " + clip(err.Error())
		return Unknown, ev
	}
	if ws == nil {
		ev.Status = strconv.Itoa(resp.status)
		ev.Detail = fmt.Sprintf("could not tell: the handshake was not upgraded (%d)", resp.status)
		return Unknown, ev
	}
	defer ws.Close()
	stop := context.AfterFunc(rctx, func() { ws.Close() })
	defer stop()

	// Servers judge a frame by the length in its header (Tornado, and so
	// Streamlit, closes right after reading the 8-byte length), so the frame
	// goes out in stages and the close is awaited after each: first the
	// length, then the mask and 64 KiB, then the rest. A server that closes
	// while data it has not read is pending resets the connection, and a
	// proxy in front may then drop the close frame; staging keeps the
	// unread data at zero for servers that judge early.
	type closeResult struct {
		code   int
		reason string
		err    error
	}
	closed := make(chan closeResult, 1)
	go func() {
		code, reason, err := readClose(ws.r)
		closed <- closeResult{code, reason, err}
	}()
	fw := newFrameWriter(ws)
	first := min(size, int64(len(fw.chunk)))
	stages := []func() error{
		func() error { return fw.length(size) },
		func() error {
			if err := fw.maskKey(); err != nil {
				return err
			}
			return fw.payload(first)
		},
		func() error { return fw.payload(size - first) },
	}
	var res closeResult
	got := false
	var werr error
	for i, send := range stages {
		if werr = send(); werr != nil {
			break
		}
		if i == len(stages)-1 {
			break
		}
		select {
		case res = <-closed:
			got = true
		case <-time.After(stageWait):
		}
		if got {
			break
		}
	}
	if !got {
		// Sent (or sending failed): give the server a bounded time to answer.
		_ = ws.SetReadDeadline(time.Now().Add(closeWait))
		res = <-closed
	}
	code, reason, rerr := res.code, res.reason, res.err
	switch {
	case rerr == nil && code == 1009:
		ev.Status = "close 1009"
		ev.Detail = "closed with 1009 (message too big): " + clip(reason)
		return Pass, ev
	case rerr == nil:
		ev.Status = "close " + strconv.Itoa(code)
		ev.Detail = fmt.Sprintf("closed with %d, not 1009 (%s)", code, clip(reason))
		return Fail, ev
	case isTimeout(rerr) && werr == nil && rctx.Err() == nil:
		ev.Status = "open"
		ev.Detail = fmt.Sprintf("the socket stayed open %s after the whole %d-byte frame: no message size limit below it", closeWait, size)
		return Fail, ev
	case errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) || strings.Contains(rerr.Error(), "reset"):
		ev.Status = "connection closed"
		ev.Detail = "the connection was dropped without a 1009 close frame"
		if werr != nil {
			ev.Detail += " (sending stopped: " + clip(werr.Error()) + ")"
		}
		return Fail, ev
	default:
		ev.Detail = "could not tell: " + clip(explain(rctx, "waiting for the close frame", rerr).Error())
		return Unknown, ev
	}
}

// frameWriter sends one masked binary frame of zero bytes (RFC 6455
// section 5.2) in pieces, so memory stays small.
type frameWriter struct {
	w     io.Writer
	mask  [4]byte
	chunk []byte
}

func newFrameWriter(w io.Writer) *frameWriter {
	fw := &frameWriter{w: w, chunk: make([]byte, 64<<10)}
	_, _ = rand.Read(fw.mask[:])
	// Zero bytes masked are the mask itself, repeated.
	for i := range fw.chunk {
		fw.chunk[i] = fw.mask[i%4]
	}
	return fw
}

// length sends the frame's first 10 bytes: FIN + binary, the mask bit
// and the 64-bit payload length.
func (fw *frameWriter) length(size int64) error {
	hdr := []byte{0x82, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint64(hdr[2:], uint64(size))
	if _, err := fw.w.Write(hdr); err != nil {
		return fmt.Errorf("send frame header: %w", err)
	}
	return nil
}

func (fw *frameWriter) maskKey() error {
	if _, err := fw.w.Write(fw.mask[:]); err != nil {
		return fmt.Errorf("send frame mask: %w", err)
	}
	return nil
}

// payload sends n more payload bytes; chunks are a multiple of 4 long, so
// the mask stays aligned.
func (fw *frameWriter) payload(n int64) error {
	for n > 0 {
		k := min(n, int64(len(fw.chunk)))
		if _, err := fw.w.Write(fw.chunk[:k]); err != nil {
			return fmt.Errorf("send frame: %w", err)
		}
		n -= k
	}
	return nil
}

// maxSkip bounds how much server data the close reader skips.
const maxSkip = 16 << 20

// readClose reads server frames until a close frame and returns its code
// (1005 when it carries none).
func readClose(r *bufio.Reader) (int, string, error) {
	skipped := int64(0)
	for {
		var h [2]byte
		if _, err := io.ReadFull(r, h[:]); err != nil {
			return 0, "", err
		}
		op := h[0] & 0x0f
		n := uint64(h[1] & 0x7f)
		switch n {
		case 126:
			var b [2]byte
			if _, err := io.ReadFull(r, b[:]); err != nil {
				return 0, "", err
			}
			n = uint64(binary.BigEndian.Uint16(b[:]))
		case 127:
			var b [8]byte
			if _, err := io.ReadFull(r, b[:]); err != nil {
				return 0, "", err
			}
			n = binary.BigEndian.Uint64(b[:])
		}
		if h[1]&0x80 != 0 {
			var m [4]byte
			if _, err := io.ReadFull(r, m[:]); err != nil {
				return 0, "", err
			}
		}
		if op == 0x8 {
			if n > 125 {
				return 0, "", errors.New("close frame longer than 125 bytes")
			}
			p := make([]byte, n)
			if _, err := io.ReadFull(r, p); err != nil {
				return 0, "", err
			}
			if n < 2 {
				return 1005, "", nil
			}
			return int(binary.BigEndian.Uint16(p)), string(p[2:]), nil
		}
		skipped += int64(n)
		if n > maxSkip || skipped > maxSkip {
			return 0, "", errors.New("server sent more than 16 MiB of data instead of closing")
		}
		if _, err := io.CopyN(io.Discard, r, int64(n)); err != nil {
			return 0, "", err
		}
	}
}
