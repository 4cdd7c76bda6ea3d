package jetstream

import (
	"crypto/tls"
	"slices"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// The headers written for an envelope read back as the same envelope:
// the null reverse-path, quoted local parts with spaces and brackets,
// parameters, and the session's facts.
func TestHeadersRoundTrip(t *testing.T) {
	s := &hooks.Session{ID: "7", Peer: "192.0.2.7:50124", HeloName: "mail\r\nX: y", AuthID: "alice",
		TLS: &tls.ConnectionState{Version: tls.VersionTLS13, CipherSuite: tls.TLS_AES_128_GCM_SHA256}}
	e := &hooks.Envelope{MailFrom: "", MailOptions: []string{"BODY=8BITMIME", "SMTPUTF8"},
		RcptTos:     []string{`"a b>c"@example.com`, "d@example.com"},
		RcptOptions: [][]string{{"NOTIFY=NEVER"}, nil}}
	tr := &transaction{id: "0123", rcpts: rcptValues(e), header: envelopeHeader(s, e, "mx1", "0123")}
	m := tr.message("mail.in", -1)
	got, err := ParseMessage(m.Header)
	if err != nil {
		t.Fatal(err)
	}
	if got.Envelope.MailFrom != "" || !slices.Equal(got.Envelope.MailOptions, e.MailOptions) ||
		!slices.Equal(got.Envelope.RcptTos, e.RcptTos) || !slices.Equal(got.Envelope.RcptOptions[0], e.RcptOptions[0]) ||
		len(got.Envelope.RcptOptions[1]) != 0 {
		t.Errorf("envelope %+v, want %+v", got.Envelope, e)
	}
	if got.Helo != "mail??X: y" || got.Auth != "alice" || got.Client != s.Peer || got.Receiver != "mx1 7" ||
		got.TLS != "TLS 1.3 TLS_AES_128_GCM_SHA256" || got.ID != "0123" || m.Header.Get(nats.MsgIdHdr) != "0123" {
		t.Errorf("message %+v", got)
	}
	if _, err := ParseMessage(nats.Header{"Other": {"x"}}); err != ErrNotGosmtpd {
		t.Errorf("a foreign message: %v, want ErrNotGosmtpd", err)
	}
}
