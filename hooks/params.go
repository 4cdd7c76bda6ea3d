package hooks

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gosmtpd/gosmtpd/codec"
)

// MailParams are MAIL's parameters, typed. The protocol core has already
// checked their syntax (a malformed one never reaches a hook); the raw
// strings stay in Envelope.MailOptions. A parameter the client did not
// send has its zero value.
type MailParams struct {
	Size     int64  // SIZE= (RFC 1870): the client's estimate of the message size
	Body     string // BODY= (RFC 6152, RFC 3030), upper case: "7BIT", "8BITMIME" or "BINARYMIME"
	SMTPUTF8 bool   // SMTPUTF8 (RFC 6531)

	Ret   string // DSN's RET= (RFC 3461 §4.3), upper case: "FULL" or "HDRS"
	EnvID string // DSN's ENVID= (RFC 3461 §4.4), xtext-decoded: printable ASCII

	RequireTLS bool             // REQUIRETLS (RFC 8689): relay only over verified TLS
	DeliverBy  *codec.DeliverBy // BY= (RFC 2852): deliver within this time, or notify or return
	Priority   *int             // MT-PRIORITY= (RFC 6710): -9 (lowest) to 9 (highest)
}

// RcptParams are one recipient's RCPT parameters, typed, as MailParams are
// MAIL's.
type RcptParams struct {
	// Notify is DSN's NOTIFY= (RFC 3461 §4.1): codec.NotifyNever alone, or
	// any of NotifySuccess, NotifyFailure and NotifyDelay; 0 when absent.
	Notify codec.Notify
	// ORcptType and ORcpt are DSN's ORCPT= (RFC 3461 §4.2): the address
	// type as sent ("rfc822", "utf-8") and the original recipient,
	// decoded (xtext, or RFC 6533's \x{HEX} escapes into UTF-8).
	ORcptType, ORcpt string
	// RRVS is RRVS='s time (RFC 7293): the recipient must have owned the
	// mailbox since then. RRVSAction is 'R' (reject the message when
	// that cannot be checked) or 'C' (continue); zero when absent.
	RRVS       time.Time
	RRVSAction byte
}

// ParseMailParams types MAIL's parameters, as the server fills
// Envelope.MailParams. opts are "KEY=value" or "KEY" strings as
// MAILHandler receives them; malformed values are left at zero.
func ParseMailParams(opts []string) MailParams {
	var p MailParams
	for _, o := range opts {
		key, value, _ := strings.Cut(o, "=")
		switch strings.ToUpper(key) {
		case "SIZE":
			p.Size, _ = strconv.ParseInt(value, 10, 64)
		case "BODY":
			p.Body = strings.ToUpper(value)
		case "SMTPUTF8":
			p.SMTPUTF8 = true
		case "RET":
			p.Ret = strings.ToUpper(value)
		case "ENVID":
			p.EnvID = decodeXtext(value)
		case "REQUIRETLS":
			p.RequireTLS = true
		case "BY":
			if by, ok := codec.ParseDeliverBy([]byte(value)); ok {
				p.DeliverBy = &by
			}
		case "MT-PRIORITY":
			if n, ok := codec.ParseMTPriority([]byte(value)); ok {
				p.Priority = &n
			}
		}
	}
	return p
}

// ParseRcptParams types one recipient's RCPT parameters, as the server
// fills Envelope.RcptParams.
func ParseRcptParams(opts []string) RcptParams {
	var p RcptParams
	for _, o := range opts {
		key, value, _ := strings.Cut(o, "=")
		switch strings.ToUpper(key) {
		case "NOTIFY":
			p.Notify, _ = codec.ParseNotify([]byte(value))
		case "ORCPT":
			p.ORcptType, p.ORcpt = parseORCPT(value)
		case "RRVS":
			p.RRVS, p.RRVSAction = parseRRVS(value)
		}
	}
	return p
}

func parseORCPT(v string) (addrType, addr string) {
	t, a, ok := codec.SplitORCPT([]byte(v), true)
	if !ok {
		return "", ""
	}
	if codec.EqualFold(t, "utf-8") {
		return string(t), decodeUnicodeEscapes(string(a))
	}
	return string(t), decodeXtext(string(a))
}

func parseRRVS(v string) (time.Time, byte) {
	dt, action, ok := codec.ParseRRVS([]byte(v))
	if !ok {
		return time.Time{}, 0
	}
	t, err := time.Parse(time.RFC3339Nano, strings.ToUpper(string(dt)))
	if err != nil {
		return time.Time{}, 0
	}
	return t, action
}

func decodeXtext(s string) string {
	out, ok := codec.DecodeXtext([]byte(s))
	if !ok {
		return ""
	}
	return string(out)
}

// decodeUnicodeEscapes turns RFC 6533's \x{HEX} escapes into UTF-8; the
// value is already checked.
func decodeUnicodeEscapes(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, `\x{`)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		cp, err := strconv.ParseUint(s[i+3:i+end], 16, 32)
		if err != nil || !utf8.ValidRune(rune(cp)) {
			return ""
		}
		b.WriteRune(rune(cp))
		s = s[i+end+1:]
	}
}
