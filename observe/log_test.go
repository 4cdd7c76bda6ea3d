package observe_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
	"github.com/gosmtpd/gosmtpd/observe"
)

// refuseNobody refuses the recipient nobody@x.
type refuseNobody struct{}

func (refuseNobody) HandleRCPT(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, addr string, _ []string) error {
	if addr == "nobody@x" {
		return hooks.Reply{Code: 550, Enhanced: "5.1.1", Text: "no such user"}
	}
	return nil
}

// serveObserved serves srv on loopback with obs as its Observer, and
// returns its address and a function that stops it and waits for its
// sessions.
func serveObserved(t *testing.T, srv *gosmtpd.Server, obs observe.Observer) (string, func()) {
	t.Helper()
	srv.Observer, srv.Hostname, srv.Logger = obs, "mx.test", slog.New(slog.DiscardHandler)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	return l.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		if err := <-done; !errors.Is(err, gosmtpd.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	}
}

func TestLogOneLinePerMessageAndRefusal(t *testing.T) {
	var out testkit.Buffer
	logger := slog.New(slog.NewJSONHandler(&out, nil))
	addr, stop := serveObserved(t, &gosmtpd.Server{Handler: refuseNobody{}, MaxMessageSize: 10}, observe.Log(logger))
	c := testkit.Dial(t, "tcp", addr)
	c.Expect("220")
	c.Send("EHLO c")
	c.Expect("250")
	c.Deliver("a@x", "b@x", "hello\r\n")
	c.Send("MAIL FROM:<>", "RCPT TO:<nobody@x>", "RCPT TO:<b@x>", "DATA")
	c.ExpectAll("250", "550", "250", "354")
	c.Send(strings.Repeat("y", 20) + "\r\n.")
	c.Expect("552")
	c.Send("MAIL FROM:<a@x> SIZE=1000")
	c.Expect("552")
	c.Send("QUIT")
	c.Expect("221")
	stop()

	type line struct {
		Level, Msg, Session, Client, From, To, Reply, Abandoned string
		Nrcpt                                                   *int
		Size                                                    *int64
		Duration                                                *int64
	}
	var got []line
	for l := range strings.Lines(out.String()) {
		var v line
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("not a JSON record: %q: %v", l, err)
		}
		if v.Level != "INFO" || !strings.Contains(v.Session, "-") || !strings.HasPrefix(v.Client, "127.0.0.1:") {
			t.Errorf("record without its level, session or client: %q", l)
		}
		got = append(got, v)
	}
	want := []string{
		"message accepted from=<a@x> nrcpt=1 size=7 reply=250 2.0.0 OK",
		"recipient refused from=<> to=<nobody@x> reply=550 5.1.1 no such user",
		"message refused from=<> nrcpt=1 size=22 reply=552 5.3.4 Error: Too much mail data abandoned",
		"sender refused from=<a@x> reply=552 5.3.4 Error: message size exceeds fixed maximum message size",
	}
	if len(got) != len(want) {
		t.Fatalf("logged %d records, want %d:\n%s", len(got), len(want), out.String())
	}
	for i, v := range got {
		s := v.Msg + " from=" + v.From
		if v.To != "" {
			s += " to=" + v.To
		}
		if v.Nrcpt != nil {
			s += " nrcpt=" + itoa(int64(*v.Nrcpt)) + " size=" + itoa(*v.Size)
			if v.Duration == nil {
				t.Errorf("%s: no duration", s)
			}
		}
		s += " reply=" + v.Reply
		if v.Abandoned != "" {
			s += " abandoned"
		}
		if s != want[i] {
			t.Errorf("record %d:\n got %s\nwant %s", i, s, want[i])
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// In LMTP each recipient gets its own reply, and its own line.
func TestLogLMTPLinePerRecipient(t *testing.T) {
	var out testkit.Buffer
	addr, stop := serveObserved(t, &gosmtpd.Server{LMTP: true}, observe.Log(slog.New(slog.NewTextHandler(&out, nil))))
	c := testkit.Dial(t, "tcp", addr)
	c.Expect("220")
	c.Send("LHLO c", "MAIL FROM:<a@x>", "RCPT TO:<b@x>", "RCPT TO:<c@x>", "DATA")
	c.ExpectAll("250", "250", "250", "250", "354")
	c.Send("hi\r\n.")
	c.ExpectAll("250", "250")
	c.Send("QUIT")
	c.Expect("221")
	stop()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "nrcpt=2 size=4 ") || !strings.Contains(lines[0], " to=<b@x>") ||
		!strings.Contains(lines[1], " to=<c@x>") {
		t.Errorf("LMTP lines:\n%s", out.String())
	}
}
