package transport

import (
	"bufio"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/pires/go-proxyproto"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// readProxy reads the PROXY protocol header a trusted peer must start with,
// before the greeting, and asks the PROXY hook about it. The parsing is
// go-proxyproto's; bytes read past the header are kept for the core.
func (c *conn) readProxy() error {
	p := c.o.Proxy
	if p.Trusted != nil && !p.Trusted(c.raw.RemoteAddr()) {
		return nil
	}
	c.raw.SetReadDeadline(time.Now().Add(orDefault(p.Timeout, defaultProxyTimeout)))
	br := bufio.NewReaderSize(c.raw, 512)
	h, err := proxyproto.Read(br)
	if err != nil {
		c.observeProxyFailed(err)
		c.logger().Info("PROXY header refused", "err", printable(err.Error()))
		return fmt.Errorf("smtp: PROXY header: %w", err)
	}
	c.raw.SetReadDeadline(time.Time{})
	if n := br.Buffered(); n > 0 {
		early, _ := br.Peek(n)
		c.nc = &prefixConn{Conn: c.raw, pending: append([]byte(nil), early...)}
	}
	info := proxyInfo(h)
	err = c.calls.Proxied(info)
	c.log = nil // log under the client's address from here on, not the proxy's
	if err != nil {
		c.observeProxyFailed(err)
		return fmt.Errorf("smtp: PROXY header refused: %w", err)
	}
	c.admitProxied(info.Source)
	return nil
}

// proxyInfo converts go-proxyproto's header to the handler API's.
func proxyInfo(h *proxyproto.Header) *hooks.ProxyInfo {
	info := &hooks.ProxyInfo{Version: int(h.Version), Local: h.Command.IsLocal()}
	info.Source, info.Destination = addrPort(h.SourceAddr), addrPort(h.DestinationAddr)
	if tlvs, err := h.TLVs(); err == nil {
		for _, t := range tlvs {
			info.TLVs = append(info.TLVs, hooks.ProxyTLV{Type: byte(t.Type), Value: t.Value})
		}
	}
	return info
}

func addrPort(a net.Addr) netip.AddrPort {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.AddrPort()
	case *net.UDPAddr:
		return a.AddrPort()
	}
	return netip.AddrPort{}
}

// prefixConn is a connection whose first reads return bytes already read
// from it.
type prefixConn struct {
	net.Conn
	pending []byte
}

func (p *prefixConn) Read(b []byte) (int, error) {
	if len(p.pending) == 0 {
		return p.Conn.Read(b)
	}
	n := copy(b, p.pending)
	p.pending = p.pending[n:]
	return n, nil
}
