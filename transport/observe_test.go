package transport_test

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
	"github.com/gosmtpd/gosmtpd/observe"
	"github.com/gosmtpd/gosmtpd/transport"
)

// eventLog keeps a line per event.
type eventLog struct {
	mu    sync.Mutex
	lines []string
}

func (r *eventLog) Observe(e *observe.Event) {
	line := e.Kind.String()
	switch e.Kind {
	case observe.TLSHandshake:
		line += fmt.Sprintf(" implicit=%v ok=%v", e.Implicit, e.Cause == nil)
		if e.Cause == nil {
			line += " " + tls.VersionName(e.TLSVersion)
		}
	case observe.SessionEnded:
		line += " " + e.Reason
		if e.Duration <= 0 {
			line += " without duration"
		}
	case observe.ProxyFailed:
		line += fmt.Sprintf(" cause=%v", e.Cause != nil)
	case observe.Mail, observe.Recipient, observe.Message:
		line += fmt.Sprintf(" %d from=%s", e.Reply.Code, e.Sender)
	}
	if e.Session == "" || e.Client == "" {
		line += " without session or client"
	}
	r.mu.Lock()
	r.lines = append(r.lines, line)
	r.mu.Unlock()
}

func (r *eventLog) expect(t *testing.T, want ...string) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Equal(r.lines, want) {
		t.Errorf("observed\n%s\nwant\n%s", strings.Join(r.lines, "\n"), strings.Join(want, "\n"))
	}
}

// pipeAddr gives net.Pipe's ends an address, as sockets have.
type pipeAddr struct{ net.Conn }

func (pipeAddr) RemoteAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 4321} }

func TestObservedImplicitTLS(t *testing.T) {
	serverTLS, clientTLS := testkit.TLSConfigs(t, "localhost")
	var r eventLog
	o := options(nil)
	o.TLSConfig, o.Observer = serverTLS, &r
	s := testkit.ServePipe(t, o, func(c net.Conn) net.Conn { return &transport.ImplicitTLS{Conn: pipeAddr{c}} })
	s.StartTLS(clientTLS)
	s.Expect("220")
	s.Send("EHLO c", "MAIL FROM:<a@x>", "QUIT")
	s.ExpectAll("250", "250", "221")
	io.Copy(io.Discard, s.Reader) // the server's close_notify: a pipe has no buffer
	s.Wait()
	r.expect(t, "SessionStarted", "TLSHandshake implicit=true ok=true TLS 1.3", "Mail 250 from=a@x", "SessionEnded quit")
}

func TestObservedFailedHandshakes(t *testing.T) {
	serverTLS, _ := testkit.TLSConfigs(t, "localhost")
	var r eventLog
	o := options(nil)
	o.TLSConfig, o.Observer, o.TLSHandshakeTimeout = serverTLS, &r, 5*time.Second
	s := testkit.ServePipe(t, o, func(c net.Conn) net.Conn { return pipeAddr{c} })
	s.Expect("220")
	s.Send("EHLO c", "STARTTLS")
	s.ExpectAll("250", "220")
	s.Write("GET / HTTP/1.1\r\n\r\n")
	s.Wait()
	r.expect(t, "SessionStarted", "TLSHandshake implicit=false ok=false", "SessionEnded tls_failed")
}

func TestObservedProxyFailure(t *testing.T) {
	var r eventLog
	o := options(nil)
	o.Observer, o.Proxy = &r, &transport.ProxyOptions{Timeout: 5 * time.Second}
	s := testkit.ServePipe(t, o, func(c net.Conn) net.Conn { return pipeAddr{c} })
	s.Write("PROXY garbage\r\n")
	s.Wait()
	r.expect(t, "SessionStarted", "ProxyFailed cause=true", "SessionEnded proxy")
}
