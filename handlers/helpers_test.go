package handlers_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/textproto"
	"strings"
	"testing"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// serve runs a server with h on a loopback port until the test ends.
func serve(t *testing.T, h hooks.Handler) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &gosmtpd.Server{Handler: h, Hostname: "test.example"}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Shutdown(context.Background())
		if err := <-done; !errors.Is(err, gosmtpd.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	return l.Addr().String()
}

// hangUpInDATA greets addr with helo (HELO or EHLO), starts a message and
// goes away in the middle of its body.
func hangUpInDATA(t *testing.T, addr, helo string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	tc := textproto.NewConn(c)
	for _, step := range []struct {
		line string
		code int
	}{{"", 220}, {helo, 250}, {"MAIL FROM:<a@example.com>", 250}, {"RCPT TO:<b@example.com>", 250}, {"DATA", 354}} {
		if step.line != "" {
			tc.PrintfLine("%s", step.line)
		}
		if _, _, err := tc.ReadResponse(step.code); err != nil {
			t.Fatal(step.line, err)
		}
	}
	tc.PrintfLine("Subject: half\r\n\r\nthe first half")
	c.Close()
}

// cutShort is a message stream whose client went away after text.
func cutShort(text string) io.Reader {
	return io.MultiReader(strings.NewReader(text), errReader{io.ErrUnexpectedEOF})
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// session and envelope for hooks called directly.
func session() *hooks.Session {
	s := &hooks.Session{}
	s.ID, s.Peer = "test-1", "127.0.0.1:5025"
	return s
}

func envelope(opts ...string) *hooks.Envelope {
	return &hooks.Envelope{MailFrom: "alice@example.com", MailOptions: opts,
		RcptTos: []string{"bob@example.com", "carol@example.com"}}
}

// replyCode is the SMTP code of a hook's answer: 250 for nil, 451 for an
// error that is not a Reply (as the Dispatcher answers).
func replyCode(err error) int {
	var r hooks.Reply
	switch {
	case err == nil:
		return 250
	case errors.As(err, &r):
		return r.Code
	}
	return 451
}
