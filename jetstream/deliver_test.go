package jetstream

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// Deliver takes a small and a big message into a Maildir, acknowledging
// each once its file is in new/; a delivery that fails leaves its message
// unacknowledged, for a later try.
func TestDeliverIntoMaildir(t *testing.T) {
	t.Parallel()
	_, js := natsWith(t, jetstream.StreamConfig{})
	h := newHandler(t, js)
	c := serve(t, h, false)
	big := "Subject: big\r\n\r\n" + strings.Repeat(strings.Repeat("b", 78)+"\r\n", 20000)
	texts := []string{"Subject: small\r\n\r\nhello\r\n", big}
	for _, text := range texts {
		c.Deliver("a@example.com", "b@example.com", text)
	}
	ctx := testContext(t)
	cons, err := js.CreateOrUpdateConsumer(ctx, "MAIL", jetstream.ConsumerConfig{Durable: "maildir", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	delivered := make(chan struct{}, 2)
	maildir := Maildir(dir)
	run, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- Deliver(run, cons, h.Bucket, func(ctx context.Context, m *Message, text io.Reader) error {
			err := maildir(ctx, m, text)
			delivered <- struct{}{}
			return err
		})
	}()
	for range texts {
		select {
		case <-delivered:
		case <-time.After(10 * time.Second):
			t.Fatal("not delivered in 10s")
		}
	}
	waitAcked(t, cons)
	stop()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Deliver returned %v, want context.Canceled", err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "new", "*"))
	var got []string
	for _, f := range files {
		b, _ := os.ReadFile(f)
		got = append(got, string(b))
	}
	slices.Sort(got)
	if len(got) != 2 || got[0] != texts[1] || got[1] != texts[0] {
		t.Fatalf("Maildir holds %d messages, want the two sent byte for byte", len(got))
	}
}

// A delivery that fails for the time being is not acknowledged: the
// message stays with the consumer for redelivery.
func TestDeliverFailureIsNotAcked(t *testing.T) {
	t.Parallel()
	_, js := natsWith(t, jetstream.StreamConfig{})
	c := serve(t, newHandler(t, js), false)
	c.Deliver("a@example.com", "b@example.com", "Subject: x\r\n\r\nx\r\n")
	ctx := testContext(t)
	cons, err := js.CreateOrUpdateConsumer(ctx, "MAIL", jetstream.ConsumerConfig{Durable: "failing", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	tried := make(chan struct{}, 1)
	run, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	defer func() { stop(); <-done }()
	go func() { done <- Deliver(run, cons, nil, failing(tried)) }()
	<-tried
	time.Sleep(200 * time.Millisecond)
	info, err := cons.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.AckFloor.Stream != 0 || info.NumAckPending+int(info.NumPending) != 1 {
		t.Fatalf("ack floor %d, %d pending: want the message kept", info.AckFloor.Stream, info.NumAckPending)
	}
}

// failing is a delivery that always fails for the time being, telling
// tried at its first try.
func failing(tried chan struct{}) DeliverFunc {
	return func(context.Context, *Message, io.Reader) error {
		select {
		case tried <- struct{}{}:
		default:
		}
		return errors.New("disk full")
	}
}

// waitAcked waits until cons has nothing pending or awaiting its
// acknowledgement.
func waitAcked(t *testing.T, cons jetstream.Consumer) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; {
		info, err := cons.Info(testContext(t))
		if err == nil && info.NumAckPending == 0 && info.NumPending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("consumer still has messages: %+v %v", info, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// lmtpBox is an LMTP server's handler: it refuses refused@ at RCPT for
// good, answers 452 for later@ after the message, and keeps the rest.
type lmtpBox struct {
	mu   sync.Mutex
	got  map[string]string // recipient -> message text
	done chan struct{}
}

func (b *lmtpBox) HandleRCPT(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, addr string, _ []string) error {
	if strings.HasPrefix(addr, "refused@") {
		return hooks.Reply{Code: 550, Enhanced: "5.1.1", Text: "no such user"}
	}
	return nil
}

func (b *lmtpBox) HandleLMTPDATA(_ context.Context, _ *hooks.Session, e *hooks.Envelope, msg io.Reader) []error {
	text, _ := io.ReadAll(msg)
	b.mu.Lock()
	defer b.mu.Unlock()
	errs := make([]error, len(e.RcptTos))
	for i, r := range e.RcptTos {
		if strings.HasPrefix(r, "later@") {
			errs[i] = hooks.Reply{Code: 452, Enhanced: "4.2.2", Text: "mailbox full"}
			continue
		}
		b.got[r] = string(text)
	}
	b.done <- struct{}{}
	return errs
}

// Deliver over LMTP: a message for two recipients reaches both and is
// acknowledged; one with a recipient refused for good beside an accepted
// one is ended (not retried); one with a full mailbox is kept for later.
func TestDeliverOverLMTP(t *testing.T) {
	t.Parallel()
	_, js := natsWith(t, jetstream.StreamConfig{})
	c := serve(t, newHandler(t, js), false)
	text := "Subject: lmtp\r\n\r\n.leading dot\r\n"
	for _, rcpts := range [][]string{{"a@example.com", "b@example.com"}, {"c@example.com", "refused@example.com"}, {"later@example.com"}} {
		c.Send("MAIL FROM:<s@example.com>")
		c.Expect("250")
		for _, r := range rcpts {
			c.Send("RCPT TO:<" + r + ">")
			c.Expect("250")
		}
		c.Send("DATA")
		c.Expect("354")
		c.Send(strings.ReplaceAll(text, "\r\n.", "\r\n..") + ".")
		c.Expect("250")
	}
	box := &lmtpBox{got: map[string]string{}, done: make(chan struct{}, 3)}
	ctl := &gosmtpd.Controller{Server: &gosmtpd.Server{Handler: box, LMTP: true}, Address: "127.0.0.1:0"}
	if err := ctl.Start(); err != nil {
		t.Fatal(err)
	}
	defer ctl.Stop(context.Background())
	ctx := testContext(t)
	cons, err := js.CreateOrUpdateConsumer(ctx, "MAIL", jetstream.ConsumerConfig{Durable: "lmtp", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	run, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	defer func() { stop(); <-done }()
	go func() { done <- Deliver(run, cons, nil, LMTP("tcp", ctl.Addr().String())) }()
	for range 3 {
		select {
		case <-box.done:
		case <-time.After(10 * time.Second):
			t.Fatal("not delivered in 10s")
		}
	}
	time.Sleep(200 * time.Millisecond)
	box.mu.Lock()
	if len(box.got) != 3 || box.got["a@example.com"] != text || box.got["b@example.com"] != text || box.got["c@example.com"] != text {
		t.Errorf("delivered %q, want the text to a, b and c", box.got)
	}
	box.mu.Unlock()
	info, err := cons.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.AckFloor.Stream != 2 || info.NumAckPending+int(info.NumPending) != 1 {
		t.Fatalf("ack floor %d, %d awaiting: want the first two settled and the third kept", info.AckFloor.Stream, info.NumAckPending)
	}
}

// A message whose object is gone from the bucket (past its max age) can
// never be delivered: Deliver ends it rather than retry it for ever.
func TestDeliverObjectGone(t *testing.T) {
	t.Parallel()
	_, js := natsConfig(t, jetstream.StreamConfig{}, "max_payload: 8192")
	h := newHandler(t, js)
	c := serve(t, h, false)
	c.Deliver("a@example.com", "b@example.com", "Subject: big\r\n\r\n"+strings.Repeat(strings.Repeat("g", 98)+"\r\n", 200))
	ctx := testContext(t)
	got, err := ParseMessage(stored(t, js)[0].Header)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Bucket.Delete(ctx, got.Object); err != nil {
		t.Fatal(err)
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, "MAIL", jetstream.ConsumerConfig{Durable: "gone", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	run, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	defer func() { stop(); <-done }()
	tried := make(chan struct{}, 1)
	go func() { done <- Deliver(run, cons, h.Bucket, failing(tried)) }()
	waitAcked(t, cons)
	select {
	case <-tried:
		t.Fatal("a message without its text was handed to the delivery")
	default:
	}
}
