package observe_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/smtp"
	"os"
	"sync/atomic"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/codec"
	"github.com/gosmtpd/gosmtpd/observe"
)

// An Observer may be a plain function; Multi passes each event to several.
// Here a server logs a line per message and counts the messages accepted.
func ExampleMulti() {
	var accepted atomic.Int64
	count := observe.Func(func(e *observe.Event) {
		if e.Kind == observe.Message && e.Reply.Code/100 == 2 {
			accepted.Add(1)
		}
	})
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	srv := &gosmtpd.Server{Addr: "localhost:2525", Observer: observe.Multi(observe.Log(logger), count)}
	_ = srv // srv.ListenAndServe()
	fmt.Println(observe.Reason(nil))
	// Output: quit
}

// Log writes a line per message, as Postfix's smtpd does. (The time, the
// session's ID, the client's port and the duration vary: this example
// leaves them out.)
func ExampleLog() {
	varying := func(_ []string, a slog.Attr) slog.Attr {
		switch a.Key {
		case slog.TimeKey, "session", "client", "duration":
			return slog.Attr{}
		}
		return a
	}
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: varying}))
	srv := &gosmtpd.Server{Hostname: "mx.example", Observer: observe.Log(logger),
		Logger: slog.New(slog.DiscardHandler)}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(l)
	smtp.SendMail(l.Addr().String(), nil, "a@example.org", []string{"b@example.org"}, []byte("Subject: hi\r\n\r\nhello\r\n"))
	srv.Shutdown(context.Background())
	// Output:
	// level=INFO msg="message accepted" from=<a@example.org> nrcpt=1 size=22 reply="250 2.0.0 OK"
}

// LogText writes the lines of Log through slog's TextHandler, byte for
// byte, without slog's cost: a busy server logging every message spends a
// third as much on each line. (This example leaves the time out: it
// varies.)
func ExampleLogText() {
	e := &observe.Event{Kind: observe.Message, Session: "1a2b3c-4", Client: "192.0.2.7:41234",
		Sender: []byte("a@example.org"), Recipients: 2, Size: 5120,
		Reply: codec.Reply{Code: 250, Enhanced: "2.0.0", Text: "OK"}, Duration: 41 * time.Millisecond}
	observe.LogText(withoutTime{os.Stdout}).Observe(e)
	observe.LogJSON(withoutTime{os.Stdout}).Observe(e)
	// Output:
	// level=INFO msg="message accepted" session=1a2b3c-4 client=192.0.2.7:41234 from=<a@example.org> nrcpt=2 size=5120 reply="250 2.0.0 OK" duration=41ms
	// "level":"INFO","msg":"message accepted","session":"1a2b3c-4","client":"192.0.2.7:41234","from":"<a@example.org>","nrcpt":2,"size":5120,"reply":"250 2.0.0 OK","duration":41000000}
}

// withoutTime writes a log line without its first field, the time.
type withoutTime struct{ w io.Writer }

func (w withoutTime) Write(p []byte) (int, error) {
	_, line, _ := bytes.Cut(p, []byte{' '})
	if p[0] == '{' {
		_, line, _ = bytes.Cut(p, []byte{','})
	}
	w.w.Write(line)
	return len(p), nil
}
