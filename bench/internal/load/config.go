package load

import (
	"errors"
	"fmt"
	"time"
)

// Mode is how a session orders commands and replies.
type Mode int

const (
	// LockStep sends each command and waits for its reply before the next.
	LockStep Mode = iota
	// Pipelined sends MAIL, every RCPT and DATA in one write (RFC 2920),
	// reads their replies, then sends the body in a second write.
	Pipelined
	// Full sends whole transactions, body included, in one write and keeps
	// up to Config.Window of them unanswered, so the next MAIL travels with
	// the previous body. Only servers that buffer input past DATA survive it.
	Full
)

var modeNames = [...]string{LockStep: "lockstep", Pipelined: "pipelined", Full: "full"}

func (m Mode) String() string {
	if m < 0 || int(m) >= len(modeNames) {
		return fmt.Sprintf("Mode(%d)", int(m))
	}
	return modeNames[m]
}

// ParseMode returns the Mode named by s, as printed by Mode.String.
func ParseMode(s string) (Mode, error) {
	for m, name := range modeNames {
		if s == name {
			return Mode(m), nil
		}
	}
	return 0, fmt.Errorf("unknown mode %q (want lockstep, pipelined or full)", s)
}

// Config describes one load run.
type Config struct {
	Addr      string        // host:port of the server
	Sessions  int           // concurrent sessions
	Messages  int           // messages per session; 0 means until Duration ends
	Duration  time.Duration // how long sessions start new messages; 0 means no limit
	Size      int           // bytes per message, headers included, dot line excluded
	Rcpts     int           // recipients per message
	Mode      Mode          // how commands are ordered
	Window    int           // Full mode: transactions sent ahead of their replies
	Reconnect bool          // a new connection (greeting, EHLO, QUIT) for every message
	StartTLS  bool          // upgrade every connection with STARTTLS, certificate unchecked
	LMTP      bool          // speak LMTP: LHLO, one final reply per accepted recipient
	Timeout   time.Duration // limit on each transaction and each connection set-up
}

// Defaults used by smtpload for the fields a caller leaves zero.
const (
	DefaultWindow  = 2
	DefaultTimeout = 30 * time.Second
)

// withDefaults returns c with zero optional fields filled in, or an error if
// c cannot describe a run that ends.
func (c Config) withDefaults() (Config, error) {
	if c.Addr == "" {
		return c, errors.New("load: no server address")
	}
	if c.Sessions <= 0 || c.Rcpts <= 0 || c.Size < 0 {
		return c, errors.New("load: sessions and recipients must be positive, size not negative")
	}
	if c.Messages <= 0 && c.Duration <= 0 {
		return c, errors.New("load: set a message count, a duration, or both")
	}
	if c.Window <= 0 {
		c.Window = DefaultWindow
	}
	if c.Reconnect {
		c.Window = 1
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	return c, nil
}
