package attacks_test

import (
	"context"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/handlers"
)

// parseTimer is a Message handler's Func that parses From as a user's
// code would, and keeps the longest time it took.
type parseTimer struct {
	mu      sync.Mutex
	longest time.Duration
}

func (p *parseTimer) parse(_ context.Context, msg *mail.Message) error {
	began := time.Now()
	msg.Header.AddressList("From") // an error is fine; the time is what counts
	d := time.Since(began)
	p.mu.Lock()
	p.longest = max(p.longest, d)
	p.mu.Unlock()
	return nil
}

// fold splits a header field into lines of at most 900 octets, joined by
// CRLF and a space (RFC 5322 folding), so that the text line limit lets it
// through to the handler.
func fold(field string) string {
	var lines []string
	for len(field) > 900 {
		lines = append(lines, field[:900])
		field = field[900:]
	}
	return strings.Join(append(lines, field), "\r\n ")
}

// T-36: pathological headers for the Message handler: a header section
// past 100 KiB (a 1 MiB field, 200,000 lines, 100,000 nested comments) is
// refused with 552 5.3.4; a From with 45,000 nested comments or a huge
// domain literal, within the cap, is parsed in well under 100 ms. An
// unfolded 1 MiB line is refused by the text line limit before the
// handler, with 500 5.5.2, unless that limit is lifted.
func TestPathologicalHeaders(t *testing.T) {
	p := &parseTimer{}
	addr := start(t, &gosmtpd.Server{Handler: &handlers.Message{Func: p.parse}})
	unlimited := start(t, &gosmtpd.Server{Handler: &handlers.Message{Func: p.parse}, Core: &fsm.Config{MaxTextLine: -1}})
	nested := func(n int) string { return strings.Repeat("(", n) + strings.Repeat(")", n) }
	longLine := "X-Long: " + strings.Repeat("a", 1<<20)
	for _, tc := range []struct{ name, addr, header, want string }{
		{"1 MiB line", addr, longLine, "500 5.5.2"},
		{"1 MiB line, no line limit", unlimited, longLine, "552 5.3.4"},
		{"1 MiB folded field", addr, fold(longLine), "552 5.3.4"},
		{"200,000 lines", addr, strings.TrimSuffix(strings.Repeat("X-H: v\r\n", 200_000), "\r\n"), "552 5.3.4"},
		{"100,000 nested comments", addr, fold("From: " + nested(100_000) + " <a@x.test>"), "552 5.3.4"},
		{"45,000 nested comments", addr, fold("From: " + nested(45_000) + " <a@x.test>"), "250 2.0.0"},
		{"huge domain literal", addr, fold("From: a@[" + strings.Repeat("1.", 45_000) + "1]"), "250 2.0.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := connect(t, tc.addr)
			c.transaction()
			began := time.Now()
			c.Write(tc.header + "\r\nSubject: x\r\n\r\nbody\r\n.\r\n")
			c.Expect(tc.want)
			t.Logf("answered in %v", time.Since(began))
			c.Send("NOOP")
			c.Expect("250 2.0.0")
		})
	}
	t.Logf("longest From parse: %v", p.longest)
	if p.longest == 0 || p.longest > 100*time.Millisecond {
		t.Fatalf("parsing a pathological From took %v, want under 100ms", p.longest)
	}
}
