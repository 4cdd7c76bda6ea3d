package dispatch

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/gosmtpd/gosmtpd/codec"
	"github.com/gosmtpd/gosmtpd/fsm"
)

// xclient applies an XCLIENT the core accepted (Postfix's XCLIENT_README):
// the session starts over as the client the attributes describe. Its
// address and port become the session's Peer (so that X-Peer, Received:
// and the hooks see the original client), LOGIN its authenticated
// identity; the greeting and the transaction are forgotten, as after
// STARTTLS. The attributes stay in Session.XClient.
func (c *Caller) xclient(arg []byte) fsm.Decision {
	attrs := xattributes(arg)
	c.startOver()
	s := c.sess
	s.XClient = attrs
	if login, ok := attrs["LOGIN"]; ok && !unavailable(login) {
		s.AuthID, s.AuthUser, s.AuthMechanism = login, login, "XCLIENT"
	}
	if peer := xpeer(attrs["ADDR"], attrs["PORT"]); peer != "" {
		s.Peer = peer
	}
	c.resetEnvelope()
	c.xforward = nil
	return fsm.Decision{}
}

// xforwardAttrs keeps XFORWARD's attributes for the next transaction's
// envelope (Envelope.XForward), merged with those already given.
func (c *Caller) xforwardAttrs(arg []byte) fsm.Decision {
	if c.xforward == nil {
		c.xforward = map[string]string{}
	}
	for k, v := range xattributes(arg) {
		c.xforward[k] = v
	}
	return fsm.Decision{}
}

// xattributes decodes the core-checked attributes: names upper case,
// values xtext-decoded, [UNAVAILABLE] and [TEMPUNAVAIL] as they are.
func xattributes(arg []byte) map[string]string {
	attrs := map[string]string{}
	for _, item := range strings.Fields(string(arg)) {
		name, value, _ := strings.Cut(item, "=")
		if !unavailable(value) {
			if d, ok := codec.DecodeXtext([]byte(value)); ok {
				value = string(d)
			}
		}
		attrs[strings.ToUpper(name)] = value
	}
	return attrs
}

func unavailable(v string) bool {
	return strings.EqualFold(v, "[UNAVAILABLE]") || strings.EqualFold(v, "[TEMPUNAVAIL]")
}

// xpeer is ADDR and PORT as a Session.Peer, "ip:port" ("ip:0" without a
// port); "" when ADDR is missing or unavailable.
func xpeer(addr, port string) string {
	if addr == "" || unavailable(addr) {
		return ""
	}
	if len(addr) > 5 && strings.EqualFold(addr[:5], "IPV6:") {
		addr = addr[5:]
	}
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return ""
	}
	p, _ := strconv.ParseUint(port, 10, 16)
	return netip.AddrPortFrom(ip, uint16(p)).String()
}
