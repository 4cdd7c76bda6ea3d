package main

import (
	"bytes"
	"errors"
	"log/slog"
	"regexp"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/codec"
	"github.com/gosmtpd/gosmtpd/observe"
)

// TestMessageLogWritesWhatSlogWrites: the line per message, formatted by
// observe itself, is the line observe.Log writes through the command's own
// handler (logHandler), but for the time, in both formats. If logHandler
// changes (an option, another handler), this fails until messageLog
// follows.
func TestMessageLogWritesWhatSlogWrites(t *testing.T) {
	e := &observe.Event{Kind: observe.Message, Session: "1a2b3c-4", Client: "192.0.2.7:41234",
		Sender: []byte("a b@x"), Recipient: []byte("c\"d@x"), Abandoned: errors.New("smtp: message exceeds the size limit"),
		Reply: codec.Reply{Code: 552, Enhanced: "5.3.4", Text: "too big =\x00\xff"}, Recipients: 1, Size: 5120, Duration: 41 * time.Millisecond}
	times := regexp.MustCompile(`^(time=\S+|\{"time":"[^"]+")`)
	for _, format := range []string{"text", "json"} {
		var fast, viaSlog bytes.Buffer
		messageLog(format, &fast).Observe(e)
		observe.Log(slog.New(logHandler(format, &viaSlog, slog.LevelInfo))).Observe(e)
		got, want := times.ReplaceAll(fast.Bytes(), nil), times.ReplaceAll(viaSlog.Bytes(), nil)
		if !bytes.Equal(got, want) || bytes.Equal(got, fast.Bytes()) {
			t.Errorf("--log-format %s:\n got %q\nwant %q", format, fast.Bytes(), viaSlog.Bytes())
		}
	}
}
