package smtptest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
	smtptls "github.com/gosmtpd/gosmtpd/transport/tls"
)

// Message is a message the server accepted: its envelope (MailFrom,
// MailOptions, SMTPUTF8, RcptTos, RcptOptions), what was known of the
// session when it arrived (Peer, HeloName, TLS, AuthID, ...) and its bytes.
type Message struct {
	hooks.Envelope
	Session hooks.Session
	// Data is the message as the client sent it after DATA or BDAT,
	// dot-unstuffed, without the terminating dot.
	Data []byte
}

// Server is a running test server.
type Server struct {
	// Addr is the server's "127.0.0.1:port", for the client under test.
	Addr string
	// Config is the server being run. Options may set its fields before
	// it starts; its Handler is the recorder and must stay unset. It has
	// no per-client limits (MaxConnectionsPerClient and AuthFailureDelay
	// off): a test's clients all come from one address.
	Config *gosmtpd.Server
	// Wait bounds WaitMessages; default 10 seconds. An option may set it.
	Wait time.Duration

	t      testing.TB
	smtps  bool
	faults []fault // OnSender, OnRecipient, OnMessage
	ctl    *gosmtpd.Controller
	once   sync.Once

	mu      sync.Mutex
	msgs    []Message
	arrived chan struct{} // closed and replaced at each message
}

// Option changes a Server before it starts.
type Option func(*Server)

// StartTLS offers STARTTLS with a self-signed certificate for 127.0.0.1
// and localhost; TLSClientConfig trusts it.
func StartTLS(s *Server) { s.selfSigned() }

// SMTPS serves implicit TLS (RFC 8314) with a self-signed certificate for
// 127.0.0.1 and localhost; TLSClientConfig trusts it.
func SMTPS(s *Server) { s.selfSigned(); s.smtps = true }

// LMTP makes the server speak LMTP (RFC 2033) rather than SMTP.
func LMTP(s *Server) { s.Config.LMTP = true }

// NewServer starts a server and closes it when the test ends. It fails the
// test if the server cannot start. Outside a test t may be nil: then
// NewServer panics if the server cannot start, and the caller closes it.
func NewServer(t testing.TB, opts ...Option) *Server {
	if t != nil {
		t.Helper()
	}
	s := &Server{t: t, Wait: 10 * time.Second, arrived: make(chan struct{}),
		Config: &gosmtpd.Server{Hostname: "smtptest.invalid", Logger: slog.New(slog.DiscardHandler),
			// a test's clients all come from 127.0.0.1, and its wrong
			// passwords should not wait: no per-client limits
			MaxConnectionsPerClient: -1, AuthFailureDelay: -1}}
	for _, opt := range opts {
		opt(s)
	}
	if s.Config.Handler != nil {
		s.fatalf("smtptest: Config.Handler is the recorder; OnSender, OnRecipient and OnMessage make it refuse or " +
			"delay, or run a gosmtpd.Server for a handler of your own")
	}
	s.Config.Handler = (*recorder)(s)
	s.ctl = &gosmtpd.Controller{Server: s.Config, Address: "127.0.0.1:0", SMTPS: s.smtps}
	if err := s.ctl.Start(); err != nil {
		s.fatalf("smtptest: %v", err)
	}
	s.Addr = s.ctl.Addr().String()
	if t != nil {
		t.Cleanup(s.Close)
	}
	return s
}

// fatalf fails the test, or panics outside one.
func (s *Server) fatalf(format string, args ...any) {
	if s.t == nil {
		panic(fmt.Sprintf(format, args...))
	}
	s.t.Helper()
	s.t.Fatalf(format, args...)
}

func (s *Server) selfSigned() {
	cfg, err := smtptls.SelfSigned("127.0.0.1", "localhost")
	if err != nil {
		panic(fmt.Sprintf("smtptest: self-signed certificate: %v", err))
	}
	s.Config.TLSConfig = cfg
}

// TLSClientConfig returns a client configuration that trusts the server's
// certificate (its first, as StartTLS and SMTPS make), for ServerName
// "127.0.0.1"; nil when the server has no TLS. The value is new.
func (s *Server) TLSClientConfig() *tls.Config {
	cfg := s.Config.TLSConfig
	if cfg == nil || len(cfg.Certificates) == 0 {
		return nil
	}
	leaf := cfg.Certificates[0].Leaf
	if leaf == nil {
		var err error
		if leaf, err = x509.ParseCertificate(cfg.Certificates[0].Certificate[0]); err != nil {
			return nil
		}
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return &tls.Config{RootCAs: roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// Messages returns the messages received so far, in the order their final
// replies were decided. The slice is new; the messages are shared: do not
// change them.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msgs)
}

// WaitMessages waits until at least n messages have arrived and returns
// them all, as Messages; it fails the test when they do not arrive within
// s.Wait (outside a test it returns the fewer messages it has). Call it
// from the test's goroutine.
func (s *Server) WaitMessages(n int) []Message {
	if s.t != nil {
		s.t.Helper()
	}
	timeout := time.NewTimer(s.Wait)
	defer timeout.Stop()
	for {
		s.mu.Lock()
		msgs, arrived := slices.Clone(s.msgs), s.arrived
		s.mu.Unlock()
		if len(msgs) >= n {
			return msgs
		}
		select {
		case <-arrived:
		case <-timeout.C:
			if s.t != nil {
				s.t.Fatalf("smtptest: %d of %d messages after %v", len(msgs), n, s.Wait)
			}
			return msgs
		}
	}
}

// Close shuts the server down: sessions get up to 5 seconds to finish,
// then are ended. It is called when the test ends; calling it earlier
// (and again) is fine.
func (s *Server) Close() {
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.ctl.Stop(ctx); err != nil && s.t != nil {
			s.t.Errorf("smtptest: stopping the server: %v", err)
		}
	})
}

// recorder is the Server as the handler: it keeps every message.
type recorder Server

func (r *recorder) HandleDATA(ctx context.Context, sess *hooks.Session, env *hooks.Envelope, msg io.Reader) error {
	data, err := io.ReadAll(msg)
	if err != nil {
		return err // the message never arrived whole: nothing to record
	}
	if err := (*Server)(r).injectFault(ctx, atDATA, contains(data)); err != nil {
		return err // refused by OnMessage: not recorded
	}
	m := Message{Envelope: *env, Session: *sess, Data: data}
	m.MailOptions = slices.Clone(env.MailOptions)
	m.RcptTos = slices.Clone(env.RcptTos)
	m.RcptOptions = slices.Clone(env.RcptOptions)
	if sess.Proxy != nil {
		p := *sess.Proxy
		m.Session.Proxy = &p
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, m)
	close(r.arrived)
	r.arrived = make(chan struct{})
	return nil
}
