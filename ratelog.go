package gosmtpd

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// logInterval is how often a repeated event (a connection refused over a
// cap, accept failing) is logged: the first at once, then one line per
// interval with the number seen meanwhile, so that a flood cannot flood
// the log too.
const logInterval = time.Minute

// rateLog logs one event at most once per logInterval.
type rateLog struct {
	level slog.Level
	msg   string

	mu         sync.Mutex
	last       time.Time
	suppressed int
}

// log logs the event with attrs, unless it was logged less than an
// interval ago; then it is counted, and the next line says how many.
func (r *rateLog) log(l *slog.Logger, attrs ...any) {
	r.mu.Lock()
	now := time.Now()
	if !r.last.IsZero() && now.Sub(r.last) < logInterval {
		r.suppressed++
		r.mu.Unlock()
		return
	}
	r.last, attrs = now, append(attrs, "suppressed", r.suppressed)
	r.suppressed = 0
	r.mu.Unlock()
	l.Log(context.Background(), r.level, r.msg, attrs...)
}

// serverLogs are the Server's events logged at most once per interval.
type serverLogs struct {
	accept, full, clientFull *rateLog
}

func newServerLogs() serverLogs {
	return serverLogs{
		accept:     &rateLog{level: slog.LevelError, msg: "accept failed; retrying"},
		full:       &rateLog{level: slog.LevelWarn, msg: "connection refused: too many connections"},
		clientFull: &rateLog{level: slog.LevelWarn, msg: "connection refused: too many connections from one client"},
	}
}
