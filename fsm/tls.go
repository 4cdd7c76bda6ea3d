package fsm

// Rules of this file: STARTTLS (RFC 3207). After the 220 every unconsumed
// plaintext byte is thrown away, so that commands pipelined before the
// handshake can never run inside TLS (CVE-2011-0411, CVE-2024-34083); after
// the handshake the session starts over (§4.2).

import "github.com/gosmtpd/gosmtpd/codec"

func (c *Conn) starttls(cmd codec.Command, _ error) (step, bool) {
	switch {
	case len(cmd.Arg) > 0:
		return c.refuse(replySyntaxTLS)
	case c.tls:
		return c.refuse(replyTLSActive)
	case !c.cfg.tlsAvailable:
		return c.refuse(replyTLSNA)
	}
	c.queue(replyTLSReady)
	c.r = c.w
	c.phase = phaseStartTLS
	return step{}, false
}

// TLSEstablished reports a finished handshake after ActStartTLS: the session
// starts over (RFC 3207 §4.2): a new EHLO is required, AUTH is forgotten.
func (c *Conn) TLSEstablished(TLSInfo) {
	c.mustWaitTLS()
	c.r, c.w = 0, 0
	c.tls = true
	c.authed, c.extended = false, false
	c.resetTransaction()
	c.state = StateConnected
	c.phase = phaseCommand
}

// TLSFailed reports a failed handshake after ActStartTLS: the core closes
// without another reply (the peer is not speaking plaintext any more).
func (c *Conn) TLSFailed() {
	c.mustWaitTLS()
	c.close(ErrTLSFailed)
}

func (c *Conn) mustWaitTLS() {
	if c.phase != phaseTLSWait {
		panic("fsm: TLS result without ActStartTLS")
	}
}
