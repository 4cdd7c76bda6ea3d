package attacks_test

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pires/go-proxyproto"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
	"github.com/gosmtpd/gosmtpd/transport"
)

// proxyRecorder is a recorder that also keeps the PROXY headers it was
// asked about.
type proxyRecorder struct {
	*recorder
	mu      sync.Mutex
	headers []*hooks.ProxyInfo
}

func (p *proxyRecorder) HandlePROXY(_ context.Context, _ *hooks.Session, info *hooks.ProxyInfo) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.headers = append(p.headers, info)
	return nil
}

func (p *proxyRecorder) lastHeader() *hooks.ProxyInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.headers) == 0 {
		return nil
	}
	return p.headers[len(p.headers)-1]
}

const proxyTimeout = 300 * time.Millisecond

// startProxied serves h behind the PROXY protocol, trusting 127.0.0.1
// only.
func startProxied(t *testing.T, h hooks.Handler) string {
	trusted := func(a net.Addr) bool { return a.(*net.TCPAddr).IP.Equal(net.IPv4(127, 0, 0, 1)) }
	return start(t, &gosmtpd.Server{Handler: h,
		Proxy: &transport.ProxyOptions{Trusted: trusted, Timeout: proxyTimeout}})
}

// header formats a PROXY header of the version from 192.0.2.1:40000 to
// 198.51.100.1:25, with tlvs for v2.
func header(t *testing.T, version byte, tlvs ...proxyproto.TLV) string {
	return testkit.ProxyHeader(t, version, "192.0.2.1:40000", "198.51.100.1:25", tlvs...)
}

// deliverAs sends a message on c and checks the peer the handler saw.
func deliverAs(t *testing.T, c *client, rec *recorder, peer string) {
	t.Helper()
	c.transaction()
	c.Send("hello", ".")
	c.Expect("250 2.0.0")
	if m := rec.Next(t); m.Peer != peer && !strings.HasPrefix(m.Peer, peer+":") {
		t.Fatalf("the handler saw peer %q, want %s", m.Peer, peer)
	}
}

// T-22 (a): a header from an untrusted peer is not a header: it is an
// unknown command, and the session keeps the peer's real address.
func TestProxyHeaderFromUntrustedPeer(t *testing.T) {
	rec := newRecorder()
	c := dialFrom(t, "127.0.0.2", startProxied(t, rec))
	c.Expect("220 ")
	c.Write(header(t, 1))
	c.Expect("500 5.5.1")
	deliverAs(t, c, rec, "127.0.0.2")
}

// T-22 (b)-(f): a trusted peer whose header is missing, trickled,
// over-long, truncated or late is disconnected without a greeting within
// the header timeout; the server goes on.
func TestProxyHeaderAbuse(t *testing.T) {
	rec := newRecorder()
	addr := startProxied(t, rec)
	v2 := header(t, 2)
	for _, tc := range []struct {
		name, send string
		trickle    bool
	}{
		{"missing, client silent", "", false},
		{"missing, client talks", "EHLO client.test\r\n", false},
		{"trickled", header(t, 1), true},
		{"v1 over 107 bytes", "PROXY TCP4 " + strings.Repeat("1", 120), false},
		{"v2 truncated addresses", v2[:12] + "\x21\x11\x00\x04" + "\xc0\x00\x02\x01", false},
		{"v2 length 65535", v2[:12] + "\x21\x11\xff\xff" + strings.Repeat("\x00", 100), false},
		{"after a command", "EHLO client.test\r\n" + header(t, 1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, "tcp", addr)
			began := time.Now()
			if tc.trickle {
				trickle(t, c, tc.send, 100*time.Millisecond)
			} else if tc.send != "" {
				c.Write(tc.send)
			}
			c.ExpectClosed() // no greeting, nothing at all
			if d := time.Since(began); d > 5*proxyTimeout {
				t.Fatalf("closed after %v, want within the %v header timeout", d, proxyTimeout)
			}
		})
	}
	c := dial(t, "tcp", addr) // still serving
	c.Write(header(t, 1))
	c.Expect("220 ")
	deliverAs(t, c, rec, "192.0.2.1:40000")
}

// T-22 (g): v2 TLVs, here an AWS NLB VPC endpoint ID, are passed to the
// PROXY hook and otherwise skipped; the source address is the client's.
func TestProxyV2WithAWSTLVs(t *testing.T) {
	h := &proxyRecorder{recorder: newRecorder()}
	c := dial(t, "tcp", startProxied(t, h))
	vpce := append([]byte{0x01}, "vpce-08d2bf15fac5001c9"...)
	c.Write(header(t, 2, proxyproto.TLV{Type: 0xEA, Value: vpce}))
	c.Expect("220 ")
	deliverAs(t, c, h.recorder, "192.0.2.1:40000")
	info := h.lastHeader()
	if info == nil || info.Version != 2 || len(info.TLVs) != 1 || info.TLVs[0].Type != 0xEA ||
		string(info.TLVs[0].Value) != string(vpce) {
		t.Fatalf("the PROXY hook saw %+v", info)
	}
}
