package probe

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// bound is a time bound a run can hit, named for messages: a reader must
// learn which bound stopped a probe, not "use of closed network connection".
type bound string

func (b bound) Error() string { return string(b) }

// boundError is an operation stopped by a time bound (or the run being
// cancelled). It unwraps to the context's error, so isTimeout sees it.
type boundError struct {
	op     string
	cause  error
	ctxErr error
}

func (e *boundError) Error() string { return e.op + ": stopped by " + e.cause.Error() }
func (e *boundError) Unwrap() error { return e.ctxErr }

// explain wraps err from op: when ctx has ended, the error names the bound
// that ended it instead of the symptom (a closed connection, an i/o timeout).
func explain(ctx context.Context, op string, err error) error {
	if ctx.Err() == nil && isTimeout(err) {
		// Connections carry ctx's deadline, so a read can time out a moment
		// before ctx reports it; wait that moment to name the right bound.
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
	if ctx.Err() == nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return &boundError{op: op, cause: causeOf(ctx), ctxErr: ctx.Err()}
}

// causeOf is why ctx ended, for messages.
func causeOf(ctx context.Context) error {
	c := context.Cause(ctx)
	switch {
	case errors.Is(c, context.Canceled):
		return bound("the run being cancelled")
	case errors.Is(c, context.DeadlineExceeded):
		return bound("a time bound of the caller")
	}
	return c
}

// Shares of the run's time bound. The TLS probes and the direct-origin
// probe start with the first page request and need no page, so a target
// that never answers HTTP cannot starve them; the page gets a share, not
// the whole run; with --active, the loading probes keep the last part.
const (
	earlyShare = 0.3 // TLS probes, direct origin, and the first page + handshake
	siteShare  = 0.7 // with --active: the end of the site probes (the active ones get the rest)
)

// budget is one run's time bounds, each named for the messages that cite it.
type budget struct {
	start time.Time
	total time.Duration
}

func (b budget) share(f float64) time.Duration {
	return time.Duration(float64(b.total) * f).Round(time.Millisecond)
}

// run is the whole run's context.
func (b budget) run(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithDeadlineCause(ctx, b.start.Add(b.total), bound(fmt.Sprintf("the run's time bound (--timeout %s)", b.total)))
}

// family bounds one probe family to the first f of the run; name is its
// possessive for messages ("the site probes'").
func (b budget) family(ctx context.Context, name string, f float64) (context.Context, context.CancelFunc) {
	return context.WithDeadlineCause(ctx, b.start.Add(b.share(f)),
		bound(fmt.Sprintf("%s share (%s) of the run's time bound (--timeout %s)", name, b.share(f), b.total)))
}
