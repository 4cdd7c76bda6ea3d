package jetstream

import (
	"slices"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/gosmtpd/gosmtpd/codec"
)

// FuzzPathRoundTrip: a path written into a header reads back as the same
// address and parameters, for every address the core lets through and
// parameters without control characters (clean replaces them),
// and ParseMessage never panics on whatever the headers hold.
func FuzzPathRoundTrip(f *testing.F) {
	f.Add("a@example.com", "SIZE=100 BODY=8BITMIME")
	f.Add(`"a b>c"@example.com`, "NOTIFY=NEVER")
	f.Add("", "")
	f.Add(`"x\"y"@z`, "ORCPT=rfc822;a>b")
	f.Fuzz(func(t *testing.T, addr, params string) {
		h := nats.Header{HeaderID: {"1"}, HeaderMailFrom: {addr + " " + params}, HeaderRcptTo: {params, addr},
			HeaderReceived: {params}, HeaderSize: {addr}}
		ParseMessage(h) // must not panic
		opts := strings.Fields(params)
		if !wellFormed(addr) || clean(params) != params {
			return
		}
		gotAddr, gotOpts := parsePath(clean(path(addr, opts)))
		if gotAddr != addr || !slices.Equal(gotOpts, opts) && len(gotOpts)+len(opts) > 0 {
			t.Fatalf("path(%q, %q) read back as %q, %q", addr, opts, gotAddr, gotOpts)
		}
	})
}

// wellFormed reports whether the core lets addr through as a MAIL or RCPT
// address: the protocol core's own parser decides, with SMTPUTF8 on.
func wellFormed(addr string) bool {
	p, rest, err := codec.ParsePath([]byte("<"+addr+">"), codec.PathOptions{AllowNull: true, AllowUTF8: true})
	return err == nil && len(rest) == 0 && string(p.Mailbox) == addr
}
