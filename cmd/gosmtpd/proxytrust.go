package main

import (
	"net"
	"net/netip"
)

// defaultProxyTrusted are the peers --proxy-protocol trusts when
// --proxy-trusted does not say: this machine only. A balancer elsewhere
// must be named, so that no client on the internet can send a header and
// choose its own address.
var defaultProxyTrusted = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// trusting returns ProxyOptions.Trusted for the networks (nil: the
// default's).
func trusting(networks []netip.Prefix) func(net.Addr) bool {
	if networks == nil {
		networks = defaultProxyTrusted
	}
	return func(peer net.Addr) bool {
		tcp, ok := peer.(*net.TCPAddr)
		if !ok {
			return true // a Unix socket: only local processes reach it
		}
		ip := tcp.AddrPort().Addr().Unmap()
		for _, n := range networks {
			if n.Contains(ip) {
				return true
			}
		}
		return false
	}
}
