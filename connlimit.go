package gosmtpd

import (
	"sync/atomic"
	"time"

	"github.com/gosmtpd/gosmtpd/transport"
)

// defaultMinDataRate is Postfix's smtpd_min_data_rate, in bytes a second.
const defaultMinDataRate = 500

// fileReserve is how many descriptors the derived connection cap leaves
// for listeners, log files and what handlers open outside sessions.
const fileReserve = 64

// defaultMaxConnections derives the cap from the process's descriptor
// limit: each session needs one for its socket and may need a second (the
// Proxy handler's upstream connection, the Mailbox handler's file), so
// half of what the reserve leaves. Past it, accept would fail with EMFILE
// and every client, not only the one flooding, would wait in the backlog.
func defaultMaxConnections() int {
	n, ok := fileLimit()
	if !ok {
		return 0
	}
	return max(int((n-fileReserve)/2), 1)
}

// Stress mode, as Postfix's: while the server is near its cap, new
// sessions get short timeouts and one error, so that idle or junk-sending
// clients make room for others sooner.
const (
	// stressTimeout replaces the command and data timeouts (Postfix's
	// smtpd_timeout under stress, 10s).
	stressTimeout = 10 * time.Second
	// stressErrors replaces MaxErrors (Postfix's smtpd_hard_error_limit
	// under stress, 1), and stressJunk MaxJunk (smtpd_junk_command_limit).
	stressErrors = 1
	stressJunk   = 1
)

// connSlots counts the sessions served at once, for MaxConnections.
type connSlots struct {
	limit  int64 // 0: no limit
	inUse  atomic.Int64
	stress int64 // sessions at which stress mode begins: three quarters of limit
}

func newConnSlots(limit int) *connSlots {
	c := &connSlots{limit: int64(max(limit, 0))}
	c.stress = c.limit - c.limit/4
	return c
}

// acquire takes a slot; false when all are taken. stressed reports whether
// the server is near its cap once this session counts.
func (c *connSlots) acquire() (stressed, ok bool) {
	n := c.inUse.Add(1)
	if c.limit > 0 && n > c.limit {
		c.inUse.Add(-1)
		return true, false
	}
	return c.limit > 0 && n > c.stress, true
}

func (c *connSlots) release() { c.inUse.Add(-1) }

// maxConnections is the cap MaxConnections asks for; 0: none.
func (s *Server) maxConnections() int {
	switch {
	case s.MaxConnections > 0:
		return s.MaxConnections
	case s.MaxConnections < 0:
		return 0
	}
	return defaultMaxConnections()
}

// grouping is how clients are told apart for the per-client limits.
func (s *Server) grouping() clientGrouping {
	return clientGrouping{ipv6Bits: orLimit(s.ClientIPv6Prefix, defaultClientIPv6Prefix)}
}

// orLimit applies the "0: the default, <0: no limit" convention of the
// Server's limits; 0 is returned for no limit.
func orLimit(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// stressOptions are o for sessions started under stress.
func stressOptions(o *transport.Options) *transport.Options {
	st := *o
	st.Core.CommandTimeout = stressed(o.Core.CommandTimeout)
	st.Core.DataTimeout = stressed(o.Core.DataTimeout)
	st.Core.MaxErrors, st.Core.MaxJunk = stressErrors, stressJunk
	return &st
}

// stressed is a timeout under stress: stressTimeout, unless shorter (the
// core's defaults, for 0, are minutes).
func stressed(d time.Duration) time.Duration {
	if d <= 0 || d > stressTimeout {
		return stressTimeout
	}
	return d
}
