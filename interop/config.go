package interop

import (
	"fmt"
	"strconv"
	"strings"
)

// DefaultHostname is the name every server under test announces, so that
// reply texts are the same from one machine to the next.
const DefaultHostname = "mx.interop.test"

// Config is the server configuration a session asks for in its
// "# config:" header. Sessions with equal configs share one server.
type Config struct {
	SMTPUTF8 bool   // advertise and accept SMTPUTF8 (aiosmtpd enable_SMTPUTF8, CLI -u)
	LMTP     bool   // speak LMTP instead of SMTP (CLI --lmtp)
	Size     int    // data size limit; 0 means no limit, -1 the server default (CLI -s)
	Hostname string // name in the greeting and EHLO (CLI --hostname)
	Ident    string // greeting text after the hostname; empty is the server default (CLI --ident)
	// Serial asks the session to run alone, with no other session talking to
	// the same process (aiosmtpd keeps some limits in class attributes that
	// concurrent connections change).
	Serial bool
}

// defaultConfig is the config of a session without a "# config:" header.
func defaultConfig() Config {
	return Config{Size: -1, Hostname: DefaultHostname}
}

// Key names the server a session needs: sessions with the same key share a
// server. Serial is not part of it, as it is about scheduling only.
func (c Config) Key() string {
	var b strings.Builder
	b.WriteString("smtp")
	if c.LMTP {
		b.Reset()
		b.WriteString("lmtp")
	}
	if c.SMTPUTF8 {
		b.WriteString("-smtputf8")
	}
	if c.Size >= 0 {
		fmt.Fprintf(&b, "-size%d", c.Size)
	}
	if c.Hostname != DefaultHostname {
		fmt.Fprintf(&b, "-host%q", c.Hostname)
	}
	if c.Ident != "" {
		fmt.Fprintf(&b, "-ident%q", c.Ident)
	}
	return b.String()
}

// String renders c as a "# config:" header would spell it.
func (c Config) String() string {
	var words []string
	if c.LMTP {
		words = append(words, "lmtp")
	}
	if c.SMTPUTF8 {
		words = append(words, "smtputf8")
	}
	if c.Size >= 0 {
		words = append(words, "size="+strconv.Itoa(c.Size))
	}
	if c.Hostname != DefaultHostname {
		words = append(words, "hostname="+strconv.Quote(c.Hostname))
	}
	if c.Ident != "" {
		words = append(words, "ident="+strconv.Quote(c.Ident))
	}
	if c.Serial {
		words = append(words, "serial")
	}
	if len(words) == 0 {
		return "default"
	}
	return strings.Join(words, " ")
}

// CLIArgs returns the gosmtpd command-line flags (aiosmtpd's names) that
// select c, after the listen address flag the caller adds.
func (c Config) CLIArgs() []string {
	args := []string{"--hostname", c.Hostname}
	if c.SMTPUTF8 {
		args = append(args, "-u")
	}
	if c.LMTP {
		args = append(args, "--lmtp")
	}
	if c.Size >= 0 {
		args = append(args, "-s", strconv.Itoa(c.Size))
	}
	if c.Ident != "" {
		args = append(args, "--ident", c.Ident)
	}
	return args
}

// parseConfig reads the words after "# config:" into c.
func parseConfig(c *Config, words string) error {
	fields, err := splitConfigWords(words)
	if err != nil {
		return err
	}
	for _, f := range fields {
		if err := c.set(f); err != nil {
			return err
		}
	}
	return nil
}

// set applies one word of a config header.
func (c *Config) set(word string) error {
	key, value, hasValue := strings.Cut(word, "=")
	switch {
	case key == "smtputf8" && !hasValue:
		c.SMTPUTF8 = true
	case key == "lmtp" && !hasValue:
		c.LMTP = true
	case key == "serial" && !hasValue:
		c.Serial = true
	case key == "size" && hasValue:
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 {
			return fmt.Errorf("config: bad size %q", value)
		}
		c.Size = n
	case key == "hostname" && hasValue && value != "":
		c.Hostname = value
	case key == "ident" && hasValue && value != "":
		c.Ident = value
	default:
		return fmt.Errorf("config: unknown option %q", word)
	}
	return nil
}

// splitConfigWords splits on spaces, except inside a double-quoted value
// (key="two words"); quotes follow Go's syntax.
func splitConfigWords(s string) ([]string, error) {
	var words []string
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		end := strings.IndexByte(s, ' ')
		if end < 0 {
			end = len(s)
		}
		eq := strings.Index(s, "=\"")
		if eq < 0 || eq > end {
			words = append(words, s[:end])
			s = s[end:]
			continue
		}
		quoted, err := strconv.QuotedPrefix(s[eq+1:])
		if err != nil {
			return nil, fmt.Errorf("config: bad quoted value in %q", s)
		}
		value, _ := strconv.Unquote(quoted)
		words = append(words, s[:eq+1]+value)
		s = s[eq+1+len(quoted):]
	}
	return words, nil
}
