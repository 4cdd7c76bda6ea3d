package interop

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/handlers"
	"github.com/gosmtpd/gosmtpd/hooks"
)

// recorder is the handler of the in-process gosmtpd servers: it keeps each
// message it received whole (exact envelope and bytes, as the aiosmtpd
// helper records them) with the rendering of gosmtpd's own Debugging
// handler, and answers like aiosmtpd's Sink (once per recipient in LMTP).
// A message whose stream failed is not kept: it was not delivered.
type recorder struct {
	server string // the Config.Key of the server it records for
	mu     sync.Mutex
	got    []Delivery
}

func (r *recorder) HandleDATA(ctx context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	content, err := io.ReadAll(msg)
	if err != nil {
		return err
	}
	var rendering bytes.Buffer
	if err := (&handlers.Debugging{W: &rendering}).HandleDATA(ctx, s, e, bytes.NewReader(content)); err != nil {
		return err
	}
	m := Message{From: nullPath(e.MailFrom), Options: append([]string(nil), e.MailOptions...),
		Content: content, Debugging: rendering.String()}
	for _, to := range e.RcptTos {
		m.To = append(m.To, nullPath(to))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, Delivery{Client: Client{r.server, peerPort(s.Peer)}, Message: m})
	return nil
}

func (r *recorder) HandleLMTPDATA(ctx context.Context, s *hooks.Session, e *hooks.Envelope, msg io.Reader) []error {
	err := r.HandleDATA(ctx, s, e, msg)
	answers := make([]error, len(e.RcptTos))
	for i := range answers {
		answers[i] = err
	}
	return answers
}

// nullPath spells the null path as aiosmtpd records it: gosmtpd's
// envelope has "" for <>.
func nullPath(addr string) string {
	if addr == "" {
		return "<>"
	}
	return addr
}

// peerPort returns the port of an "ip:port" address, or 0.
func peerPort(addr string) int {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(port)
	return n
}

// libraryServer is one in-process gosmtpd.Server with its recorder.
type libraryServer struct {
	srv    *gosmtpd.Server
	rec    *recorder
	addr   string
	served chan error
}

// libraryFleet is one in-process gosmtpd.Server per config, configured as
// the CLI flags of Config.CLIArgs configure the gosmtpd command, each with
// a recorder. It is the gosmtpd side of the comparison of delivered
// bytes: the CLI only prints Debugging renderings, which lose CRLFs, bare
// CRs and invalid UTF-8.
type libraryFleet struct {
	servers map[string]*libraryServer
	once    sync.Once
}

// startLibraryFleet starts a server for each config on a loopback port.
func startLibraryFleet(t testing.TB, configs []Config) *libraryFleet {
	t.Helper()
	f := &libraryFleet{servers: map[string]*libraryServer{}}
	t.Cleanup(func() { f.stop(t) })
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, c := range configs {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		s := &libraryServer{srv: librarySettings(c), rec: &recorder{server: c.Key()},
			addr: l.Addr().String(), served: make(chan error, 1)}
		s.srv.Handler, s.srv.Logger = s.rec, quiet
		go func() { s.served <- s.srv.Serve(l) }()
		f.servers[c.Key()] = s
	}
	return f
}

// librarySettings is the Server the gosmtpd command makes of c's flags.
func librarySettings(c Config) *gosmtpd.Server {
	srv := &gosmtpd.Server{Hostname: c.Hostname, Ident: c.Ident, LMTP: c.LMTP, SMTPUTF8: c.SMTPUTF8}
	switch {
	case c.Size == 0:
		srv.MaxMessageSize = -1 // -s 0: no limit
	case c.Size > 0:
		srv.MaxMessageSize = int64(c.Size)
	}
	return srv
}

func (f *libraryFleet) addr(c Config) string {
	c.Serial = false
	return f.servers[c.Key()].addr
}

// delivered shuts the servers down, so that every session and handler has
// ended, and returns what the recorder kept.
func (f *libraryFleet) delivered(t testing.TB) []Delivery {
	f.stop(t)
	var got []Delivery
	for _, key := range sortedKeys(f.servers) {
		rec := f.servers[key].rec
		rec.mu.Lock()
		got = append(got, rec.got...)
		rec.mu.Unlock()
	}
	return got
}

// stop shuts every server down gracefully, once.
func (f *libraryFleet) stop(t testing.TB) {
	f.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, key := range sortedKeys(f.servers) {
			s := f.servers[key]
			if err := s.srv.Shutdown(ctx); err != nil {
				t.Errorf("shutdown of %s: %v", key, err)
			}
			if err := <-s.served; !errors.Is(err, gosmtpd.ErrServerClosed) {
				t.Errorf("serve %s: %v", key, err)
			}
		}
	})
}
