package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/gosmtpd/gosmtpd/handlers"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// handler makes the handler -c names, with its arguments checked as
// aiosmtpd's from_cli checks them. aiosmtpd's dotted class paths
// ("aiosmtpd.handlers.Sink") name the same handlers.
func handler(o *options, stdout, stderr io.Writer) (hooks.Handler, error) {
	class := strings.ToLower(o.class[strings.LastIndexByte(o.class, '.')+1:])
	args := o.classArgs
	if err := o.nats.usedWithout(class); err != nil {
		return nil, err
	}
	if class != "proxy" && (o.relayNetworks != nil || o.relayDomains != nil || o.relayInsecure || o.relayUser != "") {
		return nil, usagef("--relay-networks, --relay-domains, --relay-user and --relay-tls-insecure need -c proxy")
	}
	switch class {
	case "debugging":
		return debugging(args, stdout, stderr)
	case "sink":
		if len(args) > 0 {
			return nil, usagef("Sink handler does not accept arguments")
		}
		return handlers.Sink{}, nil
	case "mailbox":
		return mailbox(args, minFree(o.size))
	case "proxy":
		return proxy(o, args, stderr)
	case "jetstream":
		return jetstreamHandler(o, args)
	}
	return nil, usagef("unknown handler %q (want debugging, sink, mailbox, proxy or jetstream)", o.class)
}

// mailbox is -c mailbox DIR [raw]: aiosmtpd's Mailbox adds X-Peer,
// X-MailFrom and X-RcptTo to each message, and so does this one, unless
// "raw" asks for the bytes exactly as received.
func mailbox(args []string, minFree int64) (hooks.Handler, error) {
	switch {
	case len(args) == 1:
		return &handlers.Mailbox{Dir: args[0], MinFree: minFree, EnvelopeHeaders: true}, nil
	case len(args) == 2 && args[1] == "raw":
		return &handlers.Mailbox{Dir: args[0], MinFree: minFree}, nil
	}
	return nil, usagef("Mailbox handler usage: -c mailbox DIR [raw]")
}

func debugging(args []string, stdout, stderr io.Writer) (hooks.Handler, error) {
	switch {
	case len(args) == 0 || len(args) == 1 && args[0] == "stdout":
		return &handlers.Debugging{W: stdout}, nil
	case len(args) == 1 && args[0] == "stderr":
		return &handlers.Debugging{W: stderr}, nil
	}
	return nil, usagef("Debugging usage: [stdout|stderr]")
}

func proxy(o *options, args []string, stderr io.Writer) (hooks.Handler, error) {
	if len(args) != 2 {
		return nil, usagef("Proxy handler usage: -c proxy HOST PORT")
	}
	if p, err := strconv.Atoi(args[1]); err != nil || p < 1 || p > 65535 {
		return nil, usagef("Proxy handler: invalid port %q", args[1])
	}
	p := &handlers.Proxy{Addr: net.JoinHostPort(args[0], args[1]), Hostname: o.hostname,
		RelayNetworks: o.relayNetworks, RelayDomains: o.relayDomains, Logger: logger(o, stderr)}
	if o.relayInsecure {
		p.TLS = &tls.Config{InsecureSkipVerify: true}
	}
	if o.relayUser != "" {
		p.Username, p.Password = o.relayUser, os.Getenv("GOSMTPD_RELAY_PASSWORD")
	}
	return p, nil
}

// checkHandler lets a handler that can tell whether it will be able to
// deliver (Mailbox: its directory is writable) say so at start. It runs
// after privileges are dropped, as the user that will deliver.
func checkHandler(h hooks.Handler) error {
	if c, ok := h.(interface{ Check() error }); ok {
		if err := c.Check(); err != nil {
			return fmt.Errorf("-c %T: %w", h, err)
		}
	}
	return nil
}

// closeHandler releases what a handler holds (the jetstream handler its
// NATS connection, drained) once the server has stopped.
func closeHandler(h hooks.Handler) {
	if c, ok := h.(io.Closer); ok {
		c.Close()
	}
}

// minFree is the free space the Mailbox keeps: 1.5 times the size limit,
// as Postfix's smtpd does (0: the Mailbox's default, for -s 0).
func minFree(size int64) int64 { return size / 2 * 3 }
