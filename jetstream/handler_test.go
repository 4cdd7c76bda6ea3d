package jetstream

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// A message is in the stream, with its envelope in headers and its text as
// the payload, byte for byte, before the 250.
func TestPublishesEnvelopeAndText(t *testing.T) {
	t.Parallel()
	_, js := natsWith(t, jetstream.StreamConfig{})
	c := serve(t, newHandler(t, js), false)
	text := "Subject: hello\r\n\r\n..a dot-stuffed line\r\nbare\nLF and NUL\x00\r\n"
	c.Send("MAIL FROM:<alice@example.com> SIZE=100 BODY=8BITMIME", "RCPT TO:<bob@example.net>",
		`RCPT TO:<"carol smith"@example.net>`, "DATA")
	c.ExpectAll("250", "250", "250", "354")
	c.Write(strings.ReplaceAll(text, "\r\n..", "\r\n...") + ".\r\n")
	c.Expect("250")
	msgs := stored(t, js)
	if len(msgs) != 1 {
		t.Fatalf("%d messages stored, want 1", len(msgs))
	}
	m := msgs[0]
	if string(m.Data) != text {
		t.Errorf("payload %q, want %q", m.Data, text)
	}
	got, err := ParseMessage(m.Header)
	if err != nil {
		t.Fatal(err)
	}
	if got.Envelope.MailFrom != "alice@example.com" || strings.Join(got.Envelope.MailOptions, " ") != "SIZE=100 BODY=8BITMIME" ||
		strings.Join(got.Envelope.RcptTos, ",") != `bob@example.net,"carol smith"@example.net` {
		t.Errorf("envelope %+v", got.Envelope)
	}
	if !strings.HasPrefix(got.Client, "127.0.0.1:") || got.Helo != "client.test" || got.Size != int64(len(m.Data)) ||
		!strings.HasPrefix(got.Receiver, "mx-test ") || time.Since(got.Received) > time.Minute || got.Object != "" {
		t.Errorf("message %+v", got)
	}
	if id := m.Header.Get(nats.MsgIdHdr); len(id) != 32 || id != got.ID {
		t.Errorf("Nats-Msg-Id %q, Gosmtpd-Id %q: want the same 32 hex digits", id, got.ID)
	}
}

// Two transactions get two identities; the same transaction published
// twice (a try whose acknowledgement was lost) is stored once.
func TestMsgIDDeduplicatesRetries(t *testing.T) {
	t.Parallel()
	_, js := natsWith(t, jetstream.StreamConfig{})
	h := newHandler(t, js)
	c := serve(t, h, false)
	c.Deliver("a@example.com", "b@example.com", "Subject: 1\r\n\r\none\r\n")
	c.Deliver("a@example.com", "b@example.com", "Subject: 2\r\n\r\ntwo\r\n")
	msgs := stored(t, js)
	if len(msgs) != 2 || msgs[0].Header.Get(nats.MsgIdHdr) == msgs[1].Header.Get(nats.MsgIdHdr) {
		t.Fatalf("%d messages, want 2 with different ids", len(msgs))
	}
	again := nats.NewMsg("mail.in")
	again.Header = msgs[0].Header
	again.Data = msgs[0].Data
	if err := h.publish(testContext(t), again); err != nil {
		t.Fatal(err)
	}
	if n := len(stored(t, js)); n != 2 {
		t.Fatalf("%d messages after publishing the first again, want 2", n)
	}
}

// A message larger than the server's max payload (1 MiB) goes to the
// object store in chunks, and the stream message names it; Open reads it
// back whole.
func TestBigMessageGoesToTheBucket(t *testing.T) {
	t.Parallel()
	_, js := natsWith(t, jetstream.StreamConfig{})
	h := newHandler(t, js)
	c := serve(t, h, false)
	line := strings.Repeat("x", 998) + "\r\n"
	text := "Subject: big\r\n\r\n" + strings.Repeat(line, 3<<20/len(line))
	c.Deliver("a@example.com", "b@example.com", text)
	msgs := stored(t, js)
	if len(msgs) != 1 || len(msgs[0].Data) != 0 {
		t.Fatalf("%d messages stored, want 1 with an empty payload", len(msgs))
	}
	got, err := ParseMessage(msgs[0].Header)
	if err != nil || got.Object != got.ID || got.Size != int64(len(text)) {
		t.Fatalf("message %+v, %v: want the object named after the transaction, %d bytes", got, err, len(text))
	}
	obj, err := h.Bucket.GetBytes(testContext(t), got.Object)
	if err != nil || !bytes.Equal(obj, []byte(text)) {
		t.Fatalf("object of %d bytes (%v), want the %d bytes sent", len(obj), err, len(text))
	}
}

// Without a bucket a message too big for one NATS message is refused for
// good, 552, and the session goes on.
func TestBigMessageWithoutBucket(t *testing.T) {
	t.Parallel()
	_, js := natsWith(t, jetstream.StreamConfig{})
	h := newHandler(t, js)
	h.Bucket = nil
	c := serve(t, h, false)
	c.Send("MAIL FROM:<a@example.com>", "RCPT TO:<b@example.com>", "DATA")
	c.ExpectAll("250", "250", "354")
	c.Write(strings.Repeat(strings.Repeat("y", 999)+"\r\n", 1100))
	c.Write(".\r\n")
	c.Expect("552 5.3.4")
	c.Deliver("a@example.com", "b@example.com", "Subject: small\r\n\r\nfits\r\n")
	if n := len(stored(t, js)); n != 1 {
		t.Fatalf("%d messages stored, want only the small one", n)
	}
}

// No acknowledgement in time, here because the only server is gone: 451
// 4.3.0 once Timeout has passed, never 250.
func TestNoAckIs451(t *testing.T) {
	t.Parallel()
	cluster, js := natsWith(t, jetstream.StreamConfig{})
	h := newHandler(t, js)
	h.Timeout = time.Second
	c := serve(t, h, false)
	cluster.Servers[0].Kill()
	c.Send("MAIL FROM:<a@example.com>", "RCPT TO:<b@example.com>", "DATA")
	c.ExpectAll("250", "250", "354")
	start := time.Now()
	c.Send("Subject: lost\r\n\r\nno server\r\n.")
	c.Expect("451 4.3.0")
	if d := time.Since(start); d < 900*time.Millisecond || d > 10*time.Second {
		t.Errorf("451 after %v, want after the 1s timeout", d)
	}
}

// A client that hangs up in the middle of DATA leaves nothing in the
// stream.
func TestClientGoneMidDataPublishesNothing(t *testing.T) {
	t.Parallel()
	_, js := natsWith(t, jetstream.StreamConfig{})
	c := serve(t, newHandler(t, js), false)
	c.Send("MAIL FROM:<a@example.com>", "RCPT TO:<b@example.com>", "DATA")
	c.ExpectAll("250", "250", "354")
	c.Write("Subject: cut\r\n\r\n" + strings.Repeat("z", 100000))
	c.Conn.Close()
	time.Sleep(300 * time.Millisecond)
	if n := len(stored(t, js)); n != 0 {
		t.Fatalf("%d messages stored, want none", n)
	}
}

// New refuses a subject no stream captures.
func TestNewWithoutStream(t *testing.T) {
	t.Parallel()
	_, js := natsWith(t, jetstream.StreamConfig{})
	_, err := New(testContext(t), js, "elsewhere.in", "")
	if !errors.Is(err, ErrNoStream) || !strings.Contains(err.Error(), `"elsewhere.in"`) {
		t.Fatalf("New: %v, want ErrNoStream naming the subject", err)
	}
	if _, err := New(testContext(t), js, "mail.in", "nobucket"); err == nil || !strings.Contains(err.Error(), "nobucket") {
		t.Fatalf("New with a missing bucket: %v, want an error naming it", err)
	}
}

// In LMTP each recipient is a message of its own with its own verdict:
// here the stream takes one message only, so the second and third
// recipients get 451 while the first gets 250.
func TestLMTPVerdictPerRecipient(t *testing.T) {
	t.Parallel()
	_, js := natsWith(t, jetstream.StreamConfig{Name: "MAIL", Subjects: []string{"mail.>"}, MaxMsgs: 1, Discard: jetstream.DiscardNew})
	h := newHandler(t, js)
	h.Timeout = 500 * time.Millisecond
	c := serve(t, h, true)
	c.Send("MAIL FROM:<a@example.com>", "RCPT TO:<r1@example.com>", "RCPT TO:<r2@example.com>", "RCPT TO:<r3@example.com>", "DATA")
	c.ExpectAll("250", "250", "250", "250", "354")
	c.Send("Subject: lmtp\r\n\r\nthree\r\n.")
	c.ExpectAll("250", "451 4.3.0", "451 4.3.0")
	msgs := stored(t, js)
	if len(msgs) != 1 {
		t.Fatalf("%d messages stored, want 1", len(msgs))
	}
	got, _ := ParseMessage(msgs[0].Header)
	if id := msgs[0].Header.Get(nats.MsgIdHdr); id != got.ID+".1" || strings.Join(got.Envelope.RcptTos, ",") != "r1@example.com" {
		t.Fatalf("stored %q for %v, want the first recipient's message", id, got.Envelope.RcptTos)
	}
}

// In LMTP with room for all, every recipient has its message.
func TestLMTPOneMessagePerRecipient(t *testing.T) {
	t.Parallel()
	_, js := natsWith(t, jetstream.StreamConfig{})
	c := serve(t, newHandler(t, js), true)
	c.Send("MAIL FROM:<>", "RCPT TO:<r1@example.com>", "RCPT TO:<r2@example.com>", "DATA")
	c.ExpectAll("250", "250", "250", "354")
	c.Send("Subject: lmtp\r\n\r\ntwo\r\n.")
	c.ExpectAll("250", "250")
	msgs := stored(t, js)
	if len(msgs) != 2 {
		t.Fatalf("%d messages stored, want 2", len(msgs))
	}
	for i, m := range msgs {
		got, _ := ParseMessage(m.Header)
		want := []string{"r1@example.com", "r2@example.com"}[i]
		if len(got.Envelope.RcptTos) != 1 || got.Envelope.RcptTos[0] != want || got.Envelope.MailFrom != "" ||
			m.Header.Get(HeaderMailFrom) != "<>" || string(m.Data) != "Subject: lmtp\r\n\r\ntwo\r\n" {
			t.Errorf("message %d: %+v %q", i, got.Envelope, m.Data)
		}
	}
}

// Against a server whose max payload is 8 KiB: a 20 KiB message goes to
// the bucket, and an envelope whose headers alone do not fit (100 long
// recipients) is refused for good, 552, rather than tried until 451.
func TestSmallMaxPayload(t *testing.T) {
	t.Parallel()
	_, js := natsConfig(t, jetstream.StreamConfig{}, "max_payload: 8192")
	h := newHandler(t, js)
	h.Timeout = 2 * time.Second
	c := serve(t, h, false)
	text := "Subject: 20k\r\n\r\n" + strings.Repeat(strings.Repeat("m", 98)+"\r\n", 200)
	c.Deliver("a@example.com", "b@example.com", text)
	c.Send("MAIL FROM:<a@example.com>")
	c.Expect("250")
	for i := range 100 {
		c.Send(fmt.Sprintf("RCPT TO:<%s-%d@example.com>", strings.Repeat("r", 80), i))
		c.Expect("250")
	}
	c.Send("DATA")
	c.Expect("354")
	c.Send("Subject: many\r\n\r\nhi\r\n.")
	c.Expect("552 5.3.4")
	msgs := stored(t, js)
	if len(msgs) != 1 || msgs[0].Header.Get(HeaderObject) == "" {
		t.Fatalf("%d messages stored, want the 20 KiB one, in the bucket", len(msgs))
	}
	obj, err := h.Bucket.GetBytes(testContext(t), msgs[0].Header.Get(HeaderObject))
	if err != nil || string(obj) != text {
		t.Fatalf("object of %d bytes (%v), want the %d sent", len(obj), err, len(text))
	}
}

// In LMTP a message too big for one NATS message is put in the bucket once,
// and each recipient's stream message names that one object.
func TestLMTPBigMessageOneObject(t *testing.T) {
	t.Parallel()
	_, js := natsConfig(t, jetstream.StreamConfig{}, "max_payload: 8192")
	h := newHandler(t, js)
	c := serve(t, h, true)
	text := "Subject: big\r\n\r\n" + strings.Repeat(strings.Repeat("l", 98)+"\r\n", 200)
	c.Send("MAIL FROM:<a@example.com>", "RCPT TO:<r1@example.com>", "RCPT TO:<r2@example.com>", "DATA")
	c.ExpectAll("250", "250", "250", "354")
	c.Send(text + ".")
	c.ExpectAll("250", "250")
	msgs := stored(t, js)
	if len(msgs) != 2 || msgs[0].Header.Get(HeaderObject) == "" || msgs[0].Header.Get(HeaderObject) != msgs[1].Header.Get(HeaderObject) {
		t.Fatalf("%d messages stored, want 2 naming one object", len(msgs))
	}
	names, err := h.Bucket.List(testContext(t))
	if err != nil || len(names) != 1 || names[0].Size != uint64(len(text)) {
		t.Fatalf("bucket holds %d objects (%v), want one of %d bytes", len(names), err, len(text))
	}
}

// In LMTP a message refused whole (too big, no bucket) gets the same
// refusal for every recipient.
func TestLMTPRefusedWhole(t *testing.T) {
	t.Parallel()
	_, js := natsConfig(t, jetstream.StreamConfig{}, "max_payload: 8192")
	h := newHandler(t, js)
	h.Bucket = nil
	c := serve(t, h, true)
	c.Send("MAIL FROM:<a@example.com>", "RCPT TO:<r1@example.com>", "RCPT TO:<r2@example.com>", "DATA")
	c.ExpectAll("250", "250", "250", "354")
	c.Send("Subject: big\r\n\r\n" + strings.Repeat(strings.Repeat("l", 98)+"\r\n", 200) + ".")
	c.ExpectAll("552 5.3.4", "552 5.3.4")
}
