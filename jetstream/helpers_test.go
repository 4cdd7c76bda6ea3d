package jetstream

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
	"github.com/gosmtpd/gosmtpd/jetstream/internal/natstest"
)

// connect opens a JetStream client to urls, closed when the test ends.
func connect(t testing.TB, urls string) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(urls, nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// natsWith starts one JetStream server with a stream MAIL on mail.> and an
// object store "big", and returns a client.
func natsWith(t testing.TB, cfg jetstream.StreamConfig) (*natstest.Cluster, jetstream.JetStream) {
	t.Helper()
	return natsConfig(t, cfg, "")
}

// natsConfig is natsWith with a server configuration (natstest.StartConfig).
func natsConfig(t testing.TB, cfg jetstream.StreamConfig, config string) (*natstest.Cluster, jetstream.JetStream) {
	t.Helper()
	c := natstest.StartConfig(t, 1, config)
	js := connect(t, c.URLs())
	ctx := testContext(t)
	if cfg.Name == "" {
		cfg.Name, cfg.Subjects = "MAIL", []string{"mail.>"}
	}
	if _, err := js.CreateStream(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: "big"}); err != nil {
		t.Fatal(err)
	}
	return c, js
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// newHandler is New's Handler for mail.in with the bucket "big".
func newHandler(t testing.TB, js jetstream.JetStream) *Handler {
	t.Helper()
	h, err := New(testContext(t), js, "mail.in", "big")
	if err != nil {
		t.Fatal(err)
	}
	h.Receiver = "mx-test"
	return h
}

// serve runs a gosmtpd server with h for the rest of the test and returns
// a greeted client.
func serve(t testing.TB, h any, lmtp bool) *testkit.Client {
	t.Helper()
	ctl := &gosmtpd.Controller{Server: &gosmtpd.Server{Handler: h, LMTP: lmtp, Hostname: "mx.test"}, Address: "127.0.0.1:0"}
	if err := ctl.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ctl.Stop(context.Background()) })
	c := testkit.Dial(t, "tcp", ctl.Addr().String())
	c.Expect("220")
	if lmtp {
		c.Send("LHLO client.test")
	} else {
		c.Send("EHLO client.test")
	}
	c.Expect("250")
	return c
}

// stored returns every message of the stream MAIL, in order.
func stored(t testing.TB, js jetstream.JetStream) []*jetstream.RawStreamMsg {
	t.Helper()
	ctx := testContext(t)
	s, err := js.Stream(ctx, "MAIL")
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []*jetstream.RawStreamMsg
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}
