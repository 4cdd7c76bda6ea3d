package dispatch

import (
	"strings"
	"unicode/utf8"

	"github.com/gosmtpd/gosmtpd/codec"
	"github.com/gosmtpd/gosmtpd/hooks"
)

var replyBadAuthParam = hooks.Reply{Code: 501, Enhanced: "5.5.4", Text: "Error: malformed AUTH= parameter"}

// mailAuth reads MAIL's AUTH= parameter (RFC 4954 §5) from opts: its
// xtext-decoded mailbox, "<>" for a client that is not authenticated (the
// RFC's rule whatever it sent), "" without the parameter. ok is false for
// a value that is not xtext or decodes to control bytes or invalid UTF-8
// (it would let a handler that copies it into a header inject lines).
func mailAuth(opts []string, authenticated bool) (mailbox string, ok bool) {
	for _, o := range opts {
		key, value, hasValue := strings.Cut(o, "=")
		if !hasValue || !strings.EqualFold(key, "AUTH") {
			continue
		}
		decoded, ok := codec.DecodeXtext([]byte(value))
		if !ok || len(decoded) == 0 || !utf8.Valid(decoded) || hasControl(decoded) {
			return "", false
		}
		if !authenticated {
			return "<>", true
		}
		return string(decoded), true
	}
	return "", true
}

func hasControl(b []byte) bool {
	for _, ch := range b {
		if ch < ' ' || ch == 0x7f {
			return true
		}
	}
	return false
}
