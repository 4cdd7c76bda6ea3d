package jetstream

import (
	"crypto/tls"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// The headers of a published message. Paths are written as SMTP writes
// them, in angle brackets and followed by their parameters, so that the
// null reverse-path is "<>" and nothing is lost.
const (
	// HeaderID identifies the transaction; every Nats-Msg-Id of its
	// messages starts with it.
	HeaderID = "Gosmtpd-Id"
	// HeaderMailFrom is the reverse-path and MAIL's parameters:
	// "<a@example.com> SIZE=1000 BODY=8BITMIME".
	HeaderMailFrom = "Gosmtpd-Mail-From"
	// HeaderRcptTo is a recipient and its RCPT parameters, one value per
	// recipient, in the order they were accepted.
	HeaderRcptTo = "Gosmtpd-Rcpt-To"
	// HeaderClient is the client's address, "ip:port" (under the PROXY
	// protocol, the original client's).
	HeaderClient = "Gosmtpd-Client"
	// HeaderHelo is the name the client gave in HELO, EHLO or LHLO.
	HeaderHelo = "Gosmtpd-Helo"
	// HeaderTLS is the TLS version and cipher suite, when the session used
	// TLS: "TLS 1.3 TLS_AES_128_GCM_SHA256".
	HeaderTLS = "Gosmtpd-Tls"
	// HeaderAuth is the identity the client authenticated as, when it did.
	HeaderAuth = "Gosmtpd-Auth"
	// HeaderReceived is when the message ended, RFC 3339 in UTC.
	HeaderReceived = "Gosmtpd-Received"
	// HeaderReceiver names the server that received the message
	// (Handler.Receiver) and its session: "mx1 session-id".
	HeaderReceiver = "Gosmtpd-Receiver"
	// HeaderSize is the length of the message in bytes.
	HeaderSize = "Gosmtpd-Size"
	// HeaderObject, when present, names the object of the bucket that
	// holds the message; the stream message's own payload is then empty.
	HeaderObject = "Gosmtpd-Object"
)

// envelopeHeader writes the envelope and the session into headers; the
// recipients are added per message.
func envelopeHeader(s *hooks.Session, e *hooks.Envelope, receiver, id string) nats.Header {
	h := nats.Header{}
	set := func(k, v string) {
		if v = clean(v); v != "" {
			h[k] = []string{v}
		}
	}
	set(HeaderID, id)
	set(HeaderMailFrom, path(e.MailFrom, e.MailOptions))
	set(HeaderReceived, now().UTC().Format(time.RFC3339Nano))
	if s == nil {
		return h
	}
	set(HeaderClient, s.Peer)
	set(HeaderHelo, s.HeloName)
	set(HeaderAuth, s.AuthID)
	set(HeaderReceiver, strings.TrimSpace(receiver+" "+s.ID))
	if s.TLS != nil {
		set(HeaderTLS, tls.VersionName(s.TLS.Version)+" "+tls.CipherSuiteName(s.TLS.CipherSuite))
	}
	return h
}

// rcptValues are the Gosmtpd-Rcpt-To values of e's recipients.
func rcptValues(e *hooks.Envelope) []string {
	out := make([]string, len(e.RcptTos))
	for i, r := range e.RcptTos {
		var opts []string
		if i < len(e.RcptOptions) {
			opts = e.RcptOptions[i]
		}
		out[i] = clean(path(r, opts))
	}
	return out
}

// path writes an address and its parameters as MAIL and RCPT carry them.
func path(addr string, opts []string) string {
	return strings.Join(append([]string{"<" + addr + ">"}, opts...), " ")
}

// clean keeps a header value on one line: the core never lets a control
// character into an address or a HELO name, but a header that broke the
// NATS message's framing would be worse than a mangled one. Other bytes
// are kept as they are, invalid UTF-8 included.
func clean(v string) string {
	if !strings.ContainsFunc(v, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return v
	}
	b := []byte(v)
	for i, c := range b {
		if c < ' ' || c == 0x7f {
			b[i] = '?'
		}
	}
	return string(b)
}

// headerSize is what h takes on the wire, roughly from above.
func headerSize(h nats.Header) int {
	n := len("NATS/1.0\r\n\r\n")
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// parsePath splits a header written by path: the address without its
// brackets, and the parameters. A quoted local part may hold spaces and
// angle brackets; the address ends at the first '>' outside quotes.
func parsePath(v string) (string, []string) {
	if !strings.HasPrefix(v, "<") {
		return "", strings.Fields(v)
	}
	quoted := false
	for i := 1; i < len(v); i++ {
		switch {
		case v[i] == '\\' && quoted:
			i++
		case v[i] == '"':
			quoted = !quoted
		case v[i] == '>' && !quoted:
			return v[1:i], strings.Fields(v[i+1:])
		}
	}
	return v[1:], nil
}
