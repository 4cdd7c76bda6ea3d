package fuzz

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/pires/go-proxyproto"

	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/transport"
)

// What FuzzProxyHeader puts before its fuzzed bytes: the prefix % 4.
var proxyPrefixes = []string{
	"",                                    // nothing: the bytes are the whole header
	"PROXY ",                              // the v1 signature
	"\r\n\r\n\x00\r\nQUIT\n",              // the v2 signature
	"PROXY TCP6 2001:db8::1 ::1 1 25\r\n", // a whole valid v1 header
}

// smtpAfterProxy follows every header: a valid header lets it through as
// commands.
const smtpAfterProxy = "EHLO c.fuzz\r\nQUIT\r\n"

// FuzzProxyHeader sends a PROXY protocol header, fuzzed after a valid or
// invalid prefix, in front of the SMTP dialogue; see the package
// documentation.
func FuzzProxyHeader(f *testing.F) {
	f.Add(uint8(0), false, []byte{}, []byte("PROXY TCP4 192.0.2.1 198.51.100.1 4321 25\r\n"))
	f.Add(uint8(0), true, []byte{}, []byte("PROXY TCP4 192.0.2.1 198.51.100.1 4321 25\r\n"))
	f.Add(uint8(1), false, []byte{}, []byte("UNKNOWN\r\n"))
	f.Add(uint8(1), false, []byte{3}, []byte("TCP4 192.0.2.1 198.51.100.1 4321 25\r\n")) // split: refused
	f.Add(uint8(1), false, []byte{}, []byte("TCP4 999.0.0.1 1.1.1.1 1 2\r\n"))
	f.Add(uint8(2), false, []byte{0, 7}, v2Header(0x21, 0x11, "\xc0\x00\x02\x01\xc6\x33\x64\x01\x10\xe1\x00\x19"))
	f.Add(uint8(2), false, []byte{}, v2Header(0x20, 0x00, ""))
	f.Add(uint8(2), false, []byte{}, v2Header(0x21, 0x11, "\xc0\x00\x02\x01\xc6\x33\x64\x01\x10\xe1\x00\x19\x04\x00\x03abc"))
	f.Add(uint8(3), false, []byte{}, []byte("MAIL FROM:<a@c.fuzz>\r\n"))
	f.Add(uint8(0), false, []byte{}, []byte("EHLO no.header\r\n"))
	f.Fuzz(func(t *testing.T, prefix uint8, refuse bool, cuts, header []byte) {
		in := append([]byte(proxyPrefixes[int(prefix)%len(proxyPrefixes)]), header...)
		in = append(in, smtpAfterProxy...)
		runProxy(t, in, cuts, refuse)
	})
}

// v2Header is a v2 header after its 12-byte signature: version and
// command, family and protocol, length, addresses and TLVs.
func v2Header(verCmd, family byte, rest string) []byte {
	return append([]byte{verCmd, family, byte(len(rest) >> 8), byte(len(rest))}, rest...)
}

// proxyRecorder records the peer that the hooks see.
type proxyRecorder struct {
	refuse bool
	mu     sync.Mutex
	info   *hooks.ProxyInfo
	peers  []string // s.Peer at each hook call
}

func (p *proxyRecorder) saw(s *hooks.Session) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.peers = append(p.peers, s.Peer)
}

func (p *proxyRecorder) HandlePROXY(_ context.Context, s *hooks.Session, info *hooks.ProxyInfo) error {
	p.saw(s)
	p.mu.Lock()
	p.info = info
	p.mu.Unlock()
	if p.refuse {
		return errors.New("fuzz: PROXY header refused")
	}
	return nil
}

func (p *proxyRecorder) HandleEHLO(_ context.Context, s *hooks.Session, _ *hooks.Envelope, _ string, caps []string) ([]string, error) {
	p.saw(s)
	return caps, nil
}

// runProxy runs one session with a PROXY header expected and checks it
// against go-proxyproto's reading of the same bytes.
func runProxy(t *testing.T, in, cuts []byte, refuse bool) {
	before := snapshot()
	want, wantErr := proxyproto.Read(bufio.NewReaderSize(bytes.NewReader(in), 512))
	h := &proxyRecorder{refuse: refuse}
	o := &transport.Options{Logger: discard, Proxy: &transport.ProxyOptions{Timeout: time.Minute}}
	o.Core.Hostname = "mx.fuzz"
	o.Handler = h
	srv, cli := pipe()
	done := make(chan error, 1)
	go func() { done <- transport.ServeConn(context.Background(), srv, o) }()
	outc := collect(cli)
	if err := writePieces(cli, in, cuts); err != nil {
		t.Fatalf("writing: %v", err)
	}
	srv.endInput()
	serveErr := waitServe(t, done)
	out := <-outc
	cli.Close()
	checkGoroutines(t, before)

	valid := wantErr == nil && !refuse
	switch {
	case len(out) > 0 && !valid:
		failf(t, in, out, "the header is refused (%v, hook refusing: %v) but the server wrote", wantErr, refuse)
	case len(out) == 0 && serveErr == nil:
		failf(t, in, out, "nothing written, but ServeConn returned nil")
	case len(out) == 0 && valid && (len(cuts) == 0 || want.Version == 2):
		// go-proxyproto refuses a v1 header split over reads, on purpose.
		failf(t, in, out, "a valid header (%v), but no greeting (ServeConn: %v)", want, serveErr)
	case len(out) > 0 && !bytes.HasPrefix(out, []byte("220 ")):
		failf(t, in, out, "the server's first words are not a greeting")
	}
	if _, err := parseReplies(out); err != nil {
		failf(t, in, out, "%v", err)
	}
	if len(out) > 0 {
		checkPeer(t, in, out, want, h)
	}
}

// checkPeer checks that every hook saw the header's source as the peer
// (net.Pipe's address without a usable source), and that the PROXY hook
// got what the header says.
func checkPeer(t *testing.T, in, out []byte, want *proxyproto.Header, h *proxyRecorder) {
	t.Helper()
	peer, src := "pipe", addrPort(want.SourceAddr)
	if !want.Command.IsLocal() && src.IsValid() {
		peer = src.String()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.info == nil {
		failf(t, in, out, "a valid header (%v), but the PROXY hook was not called", want)
	}
	if h.info.Version != int(want.Version) || h.info.Local != want.Command.IsLocal() || h.info.Source != src {
		failf(t, in, out, "the PROXY hook got %+v from %v", *h.info, want)
	}
	for _, p := range h.peers {
		if p != peer {
			failf(t, in, out, "a hook saw peer %q, want %q from %v", p, peer, want)
		}
	}
}

// addrPort is the address of a TCP or UDP source, else invalid.
func addrPort(a net.Addr) netip.AddrPort {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.AddrPort()
	case *net.UDPAddr:
		return a.AddrPort()
	}
	return netip.AddrPort{}
}
