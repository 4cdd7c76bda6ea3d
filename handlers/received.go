package handlers

import (
	"strings"
	"time"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// receivedField is the Received: trace field a relay adds at the top of a
// message (RFC 5321 §4.4): who sent it (the HELO name and the client's IP
// address), who took it, with which protocol (RFC 3848: ESMTP, and S for
// TLS, A for AUTH), the session's ID, the recipient when there is only
// one, and when.
func receivedField(s *hooks.Session, e *hooks.Envelope, by string, now time.Time) string {
	var b strings.Builder
	b.WriteString("Received: from ")
	b.WriteString(heloToken(s.HeloName))
	b.WriteString(" (" + traceAddress(s.Peer) + ")\r\n\tby ")
	b.WriteString(traceToken(by))
	b.WriteString(" (gosmtpd) with " + protocolName(s))
	if s.ID != "" {
		b.WriteString(" id " + traceToken(s.ID))
	}
	if len(e.RcptTos) == 1 {
		b.WriteString("\r\n\tfor <" + traceToken(e.RcptTos[0]) + ">")
	}
	b.WriteString(";\r\n\t" + now.Format(time.RFC1123Z) + "\r\n")
	return b.String()
}

// heloToken is the HELO name as a trace field shows it: an address literal
// keeps its brackets.
func heloToken(name string) string {
	if len(name) > 2 && name[0] == '[' && name[len(name)-1] == ']' {
		return "[" + traceToken(name[1:len(name)-1]) + "]"
	}
	return traceToken(name)
}

// protocolName is RFC 3848's name for how the message came.
func protocolName(s *hooks.Session) string {
	p := "SMTP"
	if s.Extended {
		p = "ESMTP"
	}
	if s.TLS != nil {
		p += "S"
	}
	if s.Authenticated() {
		p += "A"
	}
	if p == "SMTPS" || p == "SMTPA" || p == "SMTPSA" {
		p = "E" + p // RFC 3848 names only the ESMTP forms
	}
	return p
}

// traceAddress is the client's address as a trace field shows it: an IP
// literal in brackets, or the peer as it is (a Unix socket's).
func traceAddress(peer string) string {
	ip := peerIP(peer)
	if ip == "" {
		return "unknown"
	}
	if strings.Contains(ip, ":") {
		return "[IPv6:" + traceToken(ip) + "]"
	}
	return "[" + traceToken(ip) + "]"
}

// traceToken keeps a value the client chose from breaking the field: only
// printable ASCII but the characters that delimit its parts (parentheses,
// brackets, angle brackets, ";", "\"), each else replaced by "_", and at
// most 255 characters. "" becomes "unknown".
func traceToken(s string) string {
	if s == "" {
		return "unknown"
	}
	if len(s) > 255 {
		s = s[:255]
	}
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune("()[]<>;\\\"", r) {
			return '_'
		}
		return r
	}, s)
}
