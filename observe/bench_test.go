package observe_test

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/codec"
	"github.com/gosmtpd/gosmtpd/observe"
)

// BenchmarkLogMessage is the cost of formatting a message's line: through
// slog's handlers, and through LogText and LogJSON, which write the same
// bytes. The line goes to io.Discard: the command hands its lines to a
// buffer that a goroutine of its own writes out in batches, so the cost of
// the write itself is not the session's.
func BenchmarkLogMessage(b *testing.B) {
	f := io.Discard
	for _, c := range []struct {
		name string
		o    observe.Observer
	}{
		{"slog-text", observe.Log(slog.New(slog.NewTextHandler(f, nil)))},
		{"slog-json", observe.Log(slog.New(slog.NewJSONHandler(f, nil)))},
		{"LogText", observe.LogText(f)},
		{"LogJSON", observe.LogJSON(f)},
	} {
		b.Run(c.name, func(b *testing.B) { benchmarkLine(b, c.o) })
	}
}

func benchmarkLine(b *testing.B, o observe.Observer) {
	e := observe.Event{Kind: observe.Message, Session: "1a2b3c-4", Client: "192.0.2.7:41234",
		Reply: codec.Reply{Code: 250, Enhanced: "2.0.0", Text: "OK"}, Sender: []byte("a@example.com"),
		Recipients: 1, Size: 1024, Duration: 41 * time.Microsecond}
	b.ReportAllocs()
	for b.Loop() {
		o.Observe(&e)
	}
}
