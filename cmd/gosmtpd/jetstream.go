package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/jetstream"
)

// natsOptions are the flags of -c jetstream: how to reach and trust the
// NATS servers, as the nats command names them.
type natsOptions struct {
	creds, nkey, user, password, token string
	tlscert, tlskey, tlsca             string
	bucket                             string
	timeout                            time.Duration
}

// natsConnectTimeout bounds the start: connecting and finding the stream.
const natsConnectTimeout = 10 * time.Second

func init() {
	flags = append(flags, natsFlags...)
}

var natsFlags = []flagSpec{
	{long: "nats-creds", arg: "FILE", kind: value, help: "with -c jetstream: a NATS credentials file (JWT and seed)", set: func(o *options, v string) error { o.nats.creds = v; return nil }},
	{long: "nats-nkey", arg: "FILE", kind: value, help: "with -c jetstream: a NATS nkey seed file", set: func(o *options, v string) error { o.nats.nkey = v; return nil }},
	{long: "nats-user", arg: "USER", kind: value, help: "with -c jetstream: a NATS user; its password from $NATS_PASSWORD", set: func(o *options, v string) error { o.nats.user = v; return nil }},
	{long: "nats-tlscert", arg: "FILE", kind: value, help: "with -c jetstream: client certificate (PEM) for NATS over TLS", set: func(o *options, v string) error { o.nats.tlscert = v; return nil }},
	{long: "nats-tlskey", arg: "FILE", kind: value, help: "with -c jetstream: its key (PEM)", set: func(o *options, v string) error { o.nats.tlskey = v; return nil }},
	{long: "nats-tlsca", arg: "FILE", kind: value, help: "with -c jetstream: the CA certificates (PEM) that sign the NATS servers'", set: func(o *options, v string) error { o.nats.tlsca = v; return nil }},
	{long: "nats-bucket", arg: "NAME", kind: value, help: "with -c jetstream: the object store for messages over the NATS max payload (without it, -s must fit in that payload)",
		set: func(o *options, v string) error { o.nats.bucket = v; return nil }},
	{long: "nats-timeout", arg: "DURATION", kind: value, help: "with -c jetstream: how long a message may wait for the stream's acknowledgement before 451 (default 30s)",
		set: durationFlag(func(o *options) *time.Duration { return &o.nats.timeout })},
}

// jetstreamHandler connects to the NATS servers of -c jetstream
// NATS_URL[,NATS_URL...] SUBJECT and returns the handler, once a stream
// capturing SUBJECT is found: without one the server does not start.
func jetstreamHandler(o *options, args []string) (hooks.Handler, error) {
	if len(args) != 2 {
		return nil, usagef("JetStream handler usage: -c jetstream NATS_URL[,NATS_URL...] SUBJECT")
	}
	opts, err := o.nats.connectOptions(o.hostname)
	if err != nil {
		return nil, err
	}
	nc, err := nats.Connect(args[0], opts...)
	if err != nil {
		return nil, fmt.Errorf("jetstream: connecting to %s: %w", args[0], err)
	}
	h, err := newJetStream(nc, args[1], o.nats)
	if err == nil {
		err = sizeFits(o.size, o.nats.bucket, nc.MaxPayload())
	}
	if err != nil {
		nc.Close()
		return nil, err
	}
	h.Receiver = o.hostname // "": the host's name
	return h, nil
}

// sizeFits refuses a size limit (-s; 0 is none) that lets in messages
// bigger than one NATS message can carry when there is no bucket for them:
// the server would offer SIZE and then refuse such messages after their
// DATA.
func sizeFits(size int64, bucket string, maxPayload int64) error {
	if bucket != "" || size > 0 && size <= maxPayload {
		return nil
	}
	return fmt.Errorf("jetstream: the NATS servers carry at most %d bytes a message, and -s allows %s: "+
		"give --nats-bucket NAME for bigger messages (nats object add NAME), or -s %d or less",
		maxPayload, sizeText(size), maxPayload)
}

func sizeText(size int64) string {
	if size == 0 {
		return "any size"
	}
	return fmt.Sprint(size)
}

func newJetStream(nc *nats.Conn, subject string, no natsOptions) (*natsHandler, error) {
	js, err := natsjs.New(nc)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), natsConnectTimeout)
	defer cancel()
	h, err := jetstream.New(ctx, js, subject, no.bucket)
	if err != nil {
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	h.Timeout = no.timeout
	return &natsHandler{Handler: h, nc: nc}, nil
}

// natsHandler is the handler with its connection, closed at shutdown once
// the sessions are done.
type natsHandler struct {
	*jetstream.Handler
	nc *nats.Conn
}

// Close drains the connection: what is in flight is sent first.
func (h *natsHandler) Close() error { return h.nc.Drain() }

// connectOptions are the nats.Connect options the flags ask for. The
// client reconnects for ever: a message arriving meanwhile waits up to
// --nats-timeout and gets 451 if the servers are still away.
func (no natsOptions) connectOptions(hostname string) ([]nats.Option, error) {
	name := "gosmtpd"
	if hostname != "" {
		name += " " + hostname
	}
	opts := []nats.Option{nats.Name(name), nats.MaxReconnects(-1), nats.ReconnectWait(250 * time.Millisecond),
		nats.Timeout(natsConnectTimeout)}
	if no.creds != "" {
		opts = append(opts, nats.UserCredentials(no.creds))
	}
	if no.nkey != "" {
		opt, err := nats.NkeyOptionFromSeed(no.nkey)
		if err != nil {
			return nil, fmt.Errorf("--nats-nkey: %w", err)
		}
		opts = append(opts, opt)
	}
	if no.user != "" {
		opts = append(opts, nats.UserInfo(no.user, os.Getenv("NATS_PASSWORD")))
	}
	if t := os.Getenv("NATS_TOKEN"); t != "" {
		opts = append(opts, nats.Token(t))
	}
	return no.tlsOptions(opts)
}

func (no natsOptions) tlsOptions(opts []nats.Option) ([]nats.Option, error) {
	if (no.tlscert == "") != (no.tlskey == "") {
		return nil, usagef("--nats-tlscert and --nats-tlskey must be specified together")
	}
	if no.tlscert != "" {
		opts = append(opts, nats.ClientCert(no.tlscert, no.tlskey))
	}
	if no.tlsca != "" {
		opts = append(opts, nats.RootCAs(strings.Split(no.tlsca, ",")...))
	}
	return opts, nil
}

// usedWithout refuses the NATS flags with another handler than jetstream.
func (no natsOptions) usedWithout(class string) error {
	if no != (natsOptions{}) && class != "jetstream" {
		return usagef("the --nats-* flags go with -c jetstream")
	}
	return nil
}
