package load

import (
	"fmt"
	"time"
)

// Result is what one run measured. Its JSON form is the machine-readable
// line smtpload prints with -json.
type Result struct {
	Addr      string `json:"addr"`
	Mode      string `json:"mode"`
	Sessions  int    `json:"sessions"`
	Size      int    `json:"size"` // message bytes, dot line excluded
	Rcpts     int    `json:"rcpts"`
	Reconnect bool   `json:"reconnect"`
	StartTLS  bool   `json:"starttls"`
	LMTP      bool   `json:"lmtp"`

	Messages   int64   `json:"messages"` // delivered: every final reply 2xx
	Errors     int64   `json:"errors"`   // failed messages and connections
	FirstError string  `json:"first_error,omitempty"`
	Seconds    float64 `json:"seconds"`
	MsgsPerSec float64 `json:"msgs_per_sec"`
	MBPerSec   float64 `json:"mb_per_sec"` // message bytes delivered, 10^6 per MB
	P50Micros  float64 `json:"p50_us"`     // latency of a message, first write to last reply
	P90Micros  float64 `json:"p90_us"`
	P99Micros  float64 `json:"p99_us"`
	// ClientCPU is this process's CPU time over wall time: near 1 per core
	// it owns means the client, not the server, set the pace.
	ClientCPU float64 `json:"client_cpu"`
}

func summarize(cfg Config, p *payload, sessions []*session, elapsed, cpu time.Duration) Result {
	r := Result{
		Addr: cfg.Addr, Mode: cfg.Mode.String(), Sessions: cfg.Sessions, Size: p.msgSize,
		Rcpts: cfg.Rcpts, Reconnect: cfg.Reconnect, StartTLS: cfg.StartTLS, LMTP: cfg.LMTP,
		Seconds: elapsed.Seconds(),
	}
	var h histogram
	for _, s := range sessions {
		r.Messages += s.delivered
		r.Errors += s.errors
		if r.FirstError == "" && s.firstErr != nil {
			r.FirstError = s.firstErr.Error()
		}
		h.merge(&s.latency)
	}
	if r.Seconds > 0 {
		r.MsgsPerSec = float64(r.Messages) / r.Seconds
		r.MBPerSec = r.MsgsPerSec * float64(p.msgSize) / 1e6
		r.ClientCPU = cpu.Seconds() / r.Seconds
	}
	r.P50Micros = micros(h.percentile(0.50))
	r.P90Micros = micros(h.percentile(0.90))
	r.P99Micros = micros(h.percentile(0.99))
	return r
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// String is the human summary line.
func (r Result) String() string {
	s := fmt.Sprintf("%d msgs in %.2fs: %.0f msgs/s, %.2f MB/s, latency p50 %s p90 %s p99 %s, "+
		"%d errors, client CPU %.0f%%",
		r.Messages, r.Seconds, r.MsgsPerSec, r.MBPerSec,
		fmtMicros(r.P50Micros), fmtMicros(r.P90Micros), fmtMicros(r.P99Micros),
		r.Errors, 100*r.ClientCPU)
	if r.FirstError != "" {
		s += " (first: " + r.FirstError + ")"
	}
	return s
}

func fmtMicros(us float64) string {
	return time.Duration(us * float64(time.Microsecond)).Round(time.Microsecond).String()
}
