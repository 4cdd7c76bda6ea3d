package jetstream_test

import (
	"context"
	"log"
	"time"

	"github.com/nats-io/nats.go"
	natsjs "github.com/nats-io/nats.go/jetstream"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/jetstream"
)

// A receiver of a fleet: each message is in the stream that captures
// mail.in (replicated on three servers) before the client hears 250.
func Example() {
	nc, err := nats.Connect("nats://n1:4222,nats://n2:4222,nats://n3:4222", nats.MaxReconnects(-1))
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	js, err := natsjs.New(nc)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	// Fails with jetstream.ErrNoStream when no stream captures mail.in.
	h, err := jetstream.New(ctx, js, "mail.in", "mail-big")
	if err != nil {
		log.Fatal(err)
	}
	srv := &gosmtpd.Server{Addr: ":25", Handler: h}
	log.Fatal(srv.ListenAndServe())
}

// A consumer: a durable pull consumer delivers every message into a
// Maildir, acknowledging each only once its file is synced and in new/.
func ExampleDeliver() {
	nc, err := nats.Connect("nats://n1:4222,nats://n2:4222,nats://n3:4222", nats.MaxReconnects(-1))
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	js, err := natsjs.New(nc)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	cons, err := js.CreateOrUpdateConsumer(ctx, "MAIL", natsjs.ConsumerConfig{
		Durable:   "maildir",
		AckPolicy: natsjs.AckExplicitPolicy,
		AckWait:   time.Minute, // longer than any one delivery takes
	})
	if err != nil {
		log.Fatal(err)
	}
	bucket, err := js.ObjectStore(ctx, "mail-big")
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(jetstream.Deliver(ctx, cons, bucket, jetstream.Maildir("/var/mail/inbound")))
}
