package jetstream

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
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
	defer stop()
	go Deliver(run, cons, nil, func(context.Context, *Message, io.Reader) error {
		select {
		case tried <- struct{}{}:
		default:
		}
		return errors.New("disk full")
	})
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
