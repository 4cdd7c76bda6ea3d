package transport

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// Session IDs: a random prefix per process and a counter, short and unique
// enough to follow one session through the logs.
var (
	idPrefix  = newIDPrefix()
	idCounter atomic.Uint64
)

func newIDPrefix() string {
	var b [3]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func newSessionID() string {
	return idPrefix + "-" + strconv.FormatUint(idCounter.Add(1), 36)
}

// logger returns the session's logger, made on first use: most sessions
// log nothing above Debug.
func (c *conn) logger() *slog.Logger {
	if c.log == nil {
		s := c.calls.Session()
		c.log = c.o.logger().With("session", s.ID, "peer", s.Peer)
	}
	return c.log
}

func (c *conn) logStart() {
	if c.o.logger().Enabled(c.calls.Session().Context(), slog.LevelDebug) {
		c.logger().Debug("session started", "local", c.calls.Session().Local)
	}
}

// traceProtocol logs, at Debug, each command the core acts on (with AUTH's
// secrets hidden by the core, message text left out); flush and abort log
// each reply line written: aiosmtpd's -dd, the CLI's "every command".
func (c *conn) traceProtocol(cfg *fsm.SessionConfig) {
	if !c.o.logger().Enabled(c.calls.Session().Context(), slog.LevelDebug) {
		return
	}
	c.trace = true
	cfg.Trace = func(line []byte) { c.logger().Debug("command", "line", printable(string(line))) }
}

// traceReplies logs replies about to be written, one record per line.
func (c *conn) traceReplies(out []byte) {
	for line := range strings.Lines(string(out)) {
		c.logger().Debug("reply", "line", printable(strings.TrimRight(line, "\r\n")))
	}
}

// logEnd logs why the session ended: at Debug the usual ends (QUIT, the
// client gone, a timeout, the server stopping), at Info the others and a
// transaction the client abandoned.
func (c *conn) logEnd(err error) {
	level := slog.LevelInfo
	switch {
	case err == nil:
		err = errQuit
		level = slog.LevelDebug
	case c.abandoned(err):
		c.logger().Info("transaction abandoned", "cause", err.Error(), "state", c.lostIn.String())
		return
	case errors.Is(err, fsm.ErrPeerClosed), errors.Is(err, fsm.ErrShutdown), errors.Is(err, fsm.ErrTimeout):
		level = slog.LevelDebug
	}
	ctx := c.calls.Session().Context()
	if c.o.logger().Enabled(ctx, level) {
		c.logger().Log(ctx, level, "session ended", "cause", printable(err.Error()))
	}
}

// abandoned reports whether the session ended, the client gone or silent,
// in the middle of a mail transaction (after MAIL, or inside DATA): the
// sender may believe it sent a message nobody received, which an operator
// wants to see at Info, unlike the usual ends.
func (c *conn) abandoned(err error) bool {
	lost := errors.Is(err, fsm.ErrPeerClosed) || errors.Is(err, fsm.ErrTimeout)
	switch c.lostIn {
	case fsm.StateMail, fsm.StateRcpt, fsm.StateData, fsm.StateChunking:
		return lost
	}
	return false
}

var errQuit = errors.New("QUIT")

// logFailure logs a hook's failure: once per failure, the stack of a panic
// with it. Errors and panic values may hold the client's bytes: they are
// escaped. Credentials never reach here (the dispatcher masks them).
func (c *conn) logFailure(hook string, err error) {
	var p *hooks.PanicError
	switch {
	case errors.As(err, &p):
		c.logger().Error("hook panicked", "hook", hook, "panic", printable(p.Error()), "stack", string(p.Stack))
	case errors.Is(err, hooks.ErrHandlerTimeout):
		c.logger().Warn("hook timed out", "hook", hook, "timeout", c.o.handlerTimeout())
	case errors.Is(err, hooks.ErrStopped):
		c.logger().Info("hook abandoned: session ended", "hook", hook)
	default:
		c.logger().Error("hook failed", "hook", hook, "err", printable(err.Error()))
	}
}

// printable escapes control bytes and invalid UTF-8 so that text from the
// client cannot forge log lines or terminal sequences (T-32). It returns s
// itself when there is nothing to escape.
func printable(s string) string {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x20 || b == 0x7f || b >= 0x80 {
			q := strconv.QuoteToGraphic(s)
			return strings.ReplaceAll(q[1:len(q)-1], `\"`, `"`)
		}
	}
	return s
}
