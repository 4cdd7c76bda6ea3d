package observe

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/codec"
)

// atTime is a slog.Handler that gives every record the time t, so that
// slog's line and LogText's can be compared byte for byte.
type atTime struct {
	slog.Handler
	t time.Time
}

func (h atTime) Handle(ctx context.Context, r slog.Record) error {
	r.Time = h.t
	return h.Handler.Handle(ctx, r)
}

// bothWays formats e at t through slog's handler and through the fast
// path, in text and in JSON, and reports any difference.
func bothWays(t *testing.T, e *Event, at time.Time) {
	t.Helper()
	for _, json := range []bool{false, true} {
		var want, got bytes.Buffer
		h := slog.Handler(slog.NewTextHandler(&want, nil))
		if json {
			h = slog.NewJSONHandler(&want, nil)
		}
		Log(slog.New(atTime{h, at})).Observe(e)
		(&lineLog{w: &got, json: json, now: func() time.Time { return at }}).Observe(e)
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("json=%v, event %+v:\n got %q\nwant %q", json, e, got.Bytes(), want.Bytes())
		}
	}
}

// hostile are values for every field: what slog quotes or escapes, and
// what it leaves alone.
var hostile = []string{"", "a", "a@example.org", "1a2b3c-4", "192.0.2.7:41234", "[2001:db8::1]:25",
	" ", "a b", "a=b", "=", `"`, `a"b`, `\`, `a\b`, `\"`, "\x00", "\x01", "\t", "\n", "\r\n", "\x1f", "\x7f",
	"<", ">", "&", "<>", "\xff", "a\xffb", "\xc3", "\xe2\x80", "é", "日本", "\u00a0", "\u2028", "\u2029",
	"\u200b", "\ufffd", "\U0001F600", "\u0085", "\u3000", "a\u2028b", "OK queued as 1A2B3C4D5E6F7A8B9C0D1E2F",
	"x=\"y\" msg=forged level=ERROR", "}\n{\"forged\":1"}

func pick(r *rand.Rand) string {
	s := hostile[r.IntN(len(hostile))]
	if r.IntN(4) == 0 {
		s += hostile[r.IntN(len(hostile))]
	}
	return s
}

func TestLogTextAndJSONMatchSlog(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	zones := []*time.Location{time.UTC, time.FixedZone("", -7*3600-30*60), time.FixedZone("X", 14*3600)}
	kinds := []Kind{Message, Message, Mail, Recipient, ConnectionRefused}
	for range 20000 {
		e := &Event{Kind: kinds[r.IntN(len(kinds))], Session: pick(r), Client: pick(r), Sender: []byte(pick(r)),
			Reply:      codec.Reply{Code: []int{250, 354, 451, 550, 0, 999}[r.IntN(6)], Enhanced: pick(r), Text: pick(r)},
			Recipients: r.IntN(1000) - 1, Size: r.Int64() >> r.IntN(64), Duration: time.Duration(r.Int64() >> r.IntN(64))}
		if r.IntN(2) == 0 {
			e.Recipient = []byte(pick(r))
		}
		if r.IntN(3) == 0 {
			e.Abandoned = errors.New(pick(r))
		}
		if r.IntN(8) == 0 {
			e.Sender = nil
		}
		at := time.Unix(r.Int64N(250000000000), r.Int64N(1e9)).In(zones[r.IntN(len(zones))])
		bothWays(t, e, at)
	}
}

func FuzzLogLine(f *testing.F) {
	f.Add(uint8(0), "1a2b3c-4", "192.0.2.7:41234", "a@example.org", "b@x", 250, "2.0.0", "OK", "", true, false, 2, int64(5120), int64(41e6), int64(1.7e18))
	f.Add(uint8(3), "\x00", "a b", "a\xffb", "\u2028", 550, "5.1.1", `no "such" user=x`, "smtp: too big", false, true, 0, int64(-1), int64(-5), int64(0))
	f.Fuzz(func(t *testing.T, kind uint8, session, client, sender, recipient string, code int, enhanced, text, abandoned string,
		hasRecipient, hasAbandoned bool, nrcpt int, size, duration, nanos int64) {
		e := &Event{Kind: Kind(kind % 8), Session: session, Client: client, Sender: []byte(sender),
			Reply:      codec.Reply{Code: code, Enhanced: enhanced, Text: text},
			Recipients: nrcpt, Size: size, Duration: time.Duration(duration)}
		if hasRecipient {
			e.Recipient = []byte(recipient)
		}
		if hasAbandoned {
			e.Abandoned = errors.New(abandoned)
		}
		at := time.Unix(0, nanos).In(time.FixedZone("", int(nanos%50000)))
		if y := at.Year(); y < 0 || y > 9999 { // slog's JSON writes an error instead
			return
		}
		bothWays(t, e, at)
	})
}

func TestLogTextAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops buffers at random under the race detector")
	}
	o := &lineLog{w: discard{}, now: time.Now}
	e := &Event{Kind: Message, Session: "1a2b3c-4", Client: "192.0.2.7:41234", Sender: []byte("a@example.com"),
		Reply: codec.Reply{Code: 250, Enhanced: "2.0.0", Text: "OK queued as 1A2B3C4D5E"}, Recipients: 1, Size: 1024, Duration: 41 * time.Microsecond}
	for _, json := range []bool{false, true} {
		o.json = json
		if n := testing.AllocsPerRun(1000, func() { o.Observe(e) }); n > 0 {
			t.Errorf("json=%v: %v allocations a line, want none", json, n)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
