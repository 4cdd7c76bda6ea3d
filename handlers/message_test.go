package handlers_test

import (
	"context"
	"io"
	"net/mail"
	"strings"
	"testing"

	"github.com/gosmtpd/gosmtpd/handlers"
)

// parsed calls a Message handler on text and returns what Func got.
func parsed(t *testing.T, h *handlers.Message, text string) (*mail.Message, string, error) {
	t.Helper()
	var got *mail.Message
	var body string
	h.Func = func(_ context.Context, m *mail.Message) error {
		b, err := io.ReadAll(m.Body)
		got, body = m, string(b)
		return err
	}
	err := h.HandleDATA(context.Background(), session(), envelope(), strings.NewReader(text))
	return got, body, err
}

func TestMessageAddsEnvelopeHeaders(t *testing.T) {
	m, body, err := parsed(t, &handlers.Message{MemoryLimit: 4},
		"Subject: hi\r\nX-MailFrom: forged@example.com\r\n\r\nbody line\r\n")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"Subject": "hi", "X-Peer": "127.0.0.1:5025", "X-MailFrom": "alice@example.com",
		"X-RcptTo": "bob@example.com, carol@example.com",
	} {
		if got := m.Header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if n := len(m.Header["X-Mailfrom"]); n != 1 {
		t.Errorf("%d X-MailFrom fields: the client's must be replaced", n)
	}
	if body != "body line\r\n" {
		t.Errorf("body %q", body)
	}
}

func TestMessageWithoutBody(t *testing.T) {
	for _, text := range []string{"", "Subject: only\r\n", "\r\nbody\r\n"} {
		m, _, err := parsed(t, &handlers.Message{}, text)
		if err != nil || m.Header.Get("X-MailFrom") != "alice@example.com" {
			t.Errorf("%q: %v", text, err)
		}
	}
}

// TestMessageHeaderCap sends 200 000 header lines: refused with 552 5.3.4
// after the first 100 KiB, and Func is never called.
func TestMessageHeaderCap(t *testing.T) {
	text := strings.Repeat("X-Filler: 0123456789\r\n", 200_000) + "\r\nbody\r\n"
	m, _, err := parsed(t, &handlers.Message{}, text)
	if replyCode(err) != 552 || m != nil {
		t.Fatalf("err %v, called: %v", err, m != nil)
	}
	// Just under the cap passes.
	text = strings.Repeat("X-Filler: 0123456789\r\n", 1000) + "\r\n"
	if _, _, err := parsed(t, &handlers.Message{MaxHeaderBytes: len(text)}, text); err != nil {
		t.Fatal(err)
	}
	if _, _, err := parsed(t, &handlers.Message{MaxHeaderBytes: len(text) - 1}, text); replyCode(err) != 552 {
		t.Fatalf("one byte over: %v", err)
	}
}

func TestMessageMalformedHeader(t *testing.T) {
	_, _, err := parsed(t, &handlers.Message{}, "no colon here\r\n\r\nbody\r\n")
	if replyCode(err) != 550 {
		t.Fatalf("got %v, want 550", err)
	}
}

func TestMessageCutShortIsNotHandled(t *testing.T) {
	called := false
	h := &handlers.Message{Func: func(context.Context, *mail.Message) error { called = true; return nil }}
	err := h.HandleDATA(context.Background(), session(), envelope(), cutShort("Subject: x\r\n\r\nhalf"))
	if replyCode(err) != 451 || called {
		t.Fatalf("err %v, called %v", err, called)
	}
}

// TestMessagePathologicalHeaders: a single 1 MiB header line is refused
// like many lines; a From of nested comments within the cap parses.
func TestMessagePathologicalHeaders(t *testing.T) {
	long := "Subject: " + strings.Repeat("x", 1<<20) + "\r\n\r\nbody\r\n"
	if _, _, err := parsed(t, &handlers.Message{}, long); replyCode(err) != 552 {
		t.Fatalf("1 MiB header line: %v", err)
	}
	nested := strings.Repeat("(", 40_000) + strings.Repeat(")", 40_000)
	m, _, err := parsed(t, &handlers.Message{}, "From: a@example.com "+nested+"\r\n\r\nbody\r\n")
	if err != nil {
		t.Fatal(err)
	}
	m.Header.AddressList("From") // bounded by the cap; its verdict does not matter
}
