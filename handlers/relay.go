package handlers

import (
	"net/netip"
	"strings"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// Who a Proxy relays for: RFC 5321 §3.6.2 leaves it to the relay, and an
// open relay, one that takes mail from anyone to anywhere, is abused within
// hours of its port being exposed. As Postfix's default does
// (permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination),
// the Proxy relays for clients in its networks, for authenticated clients
// and, for anyone, to the domains it serves; others are refused at RCPT
// with 554 5.7.1.

var replyRelayDenied = hooks.Reply{Code: 554, Enhanced: "5.7.1", Text: "Error: relay access denied"}

// mayRelay reports whether the session may send to rcpt.
func (p *Proxy) mayRelay(s *hooks.Session, rcpt string) bool {
	return s.Authenticated() || p.trustedClient(s.Peer) || p.servedDomain(rcpt)
}

// trustedClient reports whether peer is in RelayNetworks, or, when none
// are set, a loopback address or a Unix socket's client (the same host).
func (p *Proxy) trustedClient(peer string) bool {
	ap, err := netip.ParseAddrPort(peer)
	if err != nil {
		return p.RelayNetworks == nil && !strings.Contains(peer, ":") // a Unix socket's peer
	}
	addr := ap.Addr().Unmap()
	if p.RelayNetworks == nil {
		return addr.IsLoopback()
	}
	for _, n := range p.RelayNetworks {
		if n.Contains(addr) {
			return true
		}
	}
	return false
}

// servedDomain reports whether rcpt's domain is in RelayDomains: an entry
// "example.com" is that domain, ".example.com" its subdomains.
func (p *Proxy) servedDomain(rcpt string) bool {
	at := strings.LastIndexByte(rcpt, '@')
	if at < 0 {
		return false
	}
	domain := strings.TrimSuffix(strings.ToLower(rcpt[at+1:]), ".")
	for _, d := range p.RelayDomains {
		d = strings.ToLower(d)
		if domain == d || strings.HasPrefix(d, ".") && strings.HasSuffix(domain, d) {
			return true
		}
	}
	return false
}

// mailOptions are MAIL's parameters as relayed: AUTH= becomes AUTH=<> for
// a client that did not authenticate (RFC 4954 §5: it must not vouch for
// an identity the relay did not check), and only parameters of extensions
// the upstream offers go on (RFC 5321 §4.1.1.11: others would be 555
// there). DSN's are dropped when the upstream lacks DSN; RFC 3461 §5.2.2
// would then have a relay send a "relayed" DSN for NOTIFY=SUCCESS, which
// the Proxy, relaying as it goes with no queue of its own, does not.
func mailOptions(options []string, authenticated bool, up *upstream) []string {
	var out []string
	for _, o := range options {
		key, _, _ := strings.Cut(o, "=")
		key = strings.ToUpper(key)
		if key == "AUTH" && !authenticated {
			o = "AUTH=<>"
		}
		if up.offersParam(key) {
			out = append(out, o)
		}
	}
	return out
}

// paramExtension maps a parameter to the EHLO keyword whose extension
// brings it; a parameter not listed goes on when the upstream lists the
// parameter's own name (an embedder's extension, typically).
var paramExtension = map[string]string{
	"SIZE": "SIZE", "BODY": "8BITMIME", "SMTPUTF8": "SMTPUTF8", "AUTH": "AUTH",
	"RET": "DSN", "ENVID": "DSN", "NOTIFY": "DSN", "ORCPT": "DSN",
	"REQUIRETLS": "REQUIRETLS", "BY": "DELIVERBY", "MT-PRIORITY": "MT-PRIORITY", "RRVS": "RRVS",
}
