package jetstream

import (
	"slices"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"
)

// FuzzPathRoundTrip: a path written into a header reads back as the same
// address and parameters, for every address the core lets through (no
// control characters; spaces and angle brackets only inside a quoted local
// part) and parameters without control characters (clean replaces them),
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

// wellFormed approximates the addresses the core accepts: no control
// characters, and space, '<', '>' and '\' only inside a quoted local part,
// whose quotes are balanced.
func wellFormed(addr string) bool {
	quoted := false
	for i := 0; i < len(addr); i++ {
		c := addr[i]
		switch {
		case c < ' ' || c == 0x7f:
			return false
		case c == '"':
			quoted = !quoted
		case c == '\\':
			if !quoted || i+1 == len(addr) {
				return false
			}
			i++
		case (c == ' ' || c == '<' || c == '>') && !quoted:
			return false
		}
	}
	return !quoted
}
