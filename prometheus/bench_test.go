package prometheus_test

import (
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/codec"
	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/observe"
	smtpmetrics "github.com/gosmtpd/gosmtpd/prometheus"
)

// BenchmarkObserveMessage counts what one message through a session with
// a DATA hook reports: MAIL, RCPT, the message, and three hook calls.
func BenchmarkObserveMessage(b *testing.B) {
	m := smtpmetrics.NewMetrics()
	ok := codec.Reply{Code: 250, Enhanced: "2.0.0", Text: "OK"}
	events := []observe.Event{
		{Kind: observe.HookDone, Hook: fsm.HookMAIL, Duration: time.Microsecond},
		{Kind: observe.Mail, Reply: ok, Sender: []byte("a@example.com")},
		{Kind: observe.HookDone, Hook: fsm.HookRCPT, Duration: time.Microsecond},
		{Kind: observe.Recipient, Reply: ok, Sender: []byte("a@example.com"), Recipient: []byte("b@example.com")},
		{Kind: observe.HookDone, Hook: fsm.HookDATA, Duration: 5 * time.Microsecond},
		{Kind: observe.Message, Reply: ok, Sender: []byte("a@example.com"), Recipients: 1, Size: 1024},
	}
	b.ReportAllocs()
	for b.Loop() {
		for i := range events {
			m.Observe(&events[i])
		}
	}
}
