package gosmtpd_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// delivered is a message an inbox received, with what the session knew.
type delivered struct {
	from  string
	rcpts []string
	data  string
	sess  hooks.Session
}

// inbox is a DATA hook that hands every message to the test.
type inbox struct{ got chan delivered }

func newInbox() *inbox { return &inbox{got: make(chan delivered, 16)} }

func (b *inbox) HandleDATA(_ context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	data, err := io.ReadAll(msg)
	if err != nil {
		return err
	}
	b.got <- delivered{from: e.MailFrom, rcpts: slices.Clone(e.RcptTos), data: string(data), sess: *s}
	return nil
}

func (b *inbox) next(t testing.TB) delivered {
	t.Helper()
	select {
	case m := <-b.got:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message delivered")
		return delivered{}
	}
}

// none checks that no message was delivered.
func (b *inbox) none(t testing.TB) {
	t.Helper()
	select {
	case m := <-b.got:
		t.Fatalf("delivered %+v", m)
	default:
	}
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// control starts srv under a Controller on address (tcp, port 0 unless
// given) and stops it when the test ends.
func control(t testing.TB, ctl *gosmtpd.Controller) *gosmtpd.Controller {
	t.Helper()
	if ctl.Address == "" {
		ctl.Address = "127.0.0.1:0"
	}
	if ctl.Server.Logger == nil {
		ctl.Server.Logger = quiet()
	}
	if ctl.Server.Hostname == "" {
		ctl.Server.Hostname = "mx.test"
	}
	if err := ctl.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := ctl.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return ctl
}
