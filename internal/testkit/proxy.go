package testkit

import (
	"net"
	"net/netip"
	"testing"

	"github.com/pires/go-proxyproto"
)

// ProxyHeader renders, with go-proxyproto, a PROXY protocol header of the
// version (1 or 2) from source to destination ("ip:port" each), with tlvs
// (v2 only).
func ProxyHeader(t testing.TB, version byte, source, destination string, tlvs ...proxyproto.TLV) string {
	t.Helper()
	src := net.TCPAddrFromAddrPort(netip.MustParseAddrPort(source))
	dst := net.TCPAddrFromAddrPort(netip.MustParseAddrPort(destination))
	h := proxyproto.HeaderProxyFromAddrs(version, src, dst)
	if len(tlvs) > 0 {
		if err := h.SetTLVs(tlvs); err != nil {
			t.Fatal(err)
		}
	}
	b, err := h.Format()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
