package observe_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/codec"
	"github.com/gosmtpd/gosmtpd/observe"
)

// BenchmarkLogMessage is the cost of a message's line, written to a file
// as the command writes its standard error.
func BenchmarkLogMessage(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), "log"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	o := observe.Log(slog.New(slog.NewTextHandler(f, nil)))
	e := observe.Event{Kind: observe.Message, Session: "1a2b3c-4", Client: "192.0.2.7:41234",
		Reply: codec.Reply{Code: 250, Enhanced: "2.0.0", Text: "OK"}, Sender: []byte("a@example.com"),
		Recipients: 1, Size: 1024, Duration: 41 * time.Microsecond}
	b.ReportAllocs()
	for b.Loop() {
		o.Observe(&e)
	}
}
