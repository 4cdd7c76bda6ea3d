package gosmtpd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/pires/go-proxyproto"

	"github.com/gosmtpd/gosmtpd/transport/tcp"
	"github.com/gosmtpd/gosmtpd/transport/unix"
)

// DefaultReadyTimeout is how long Controller.Start waits for the server to
// be ready when neither the environment variable GOSMTPD_CONTROLLER_TIMEOUT
// nor ReadyTimeout says otherwise (aiosmtpd's 5 seconds).
const DefaultReadyTimeout = 5 * time.Second

// ReadyTimeoutEnv names the environment variable that overrides
// Controller.ReadyTimeout and DefaultReadyTimeout, as aiosmtpd's
// AIOSMTPD_CONTROLLER_TIMEOUT overrides its ready_timeout: seconds ("2.5")
// or a Go duration ("2500ms"). Slow CI machines set it.
const ReadyTimeoutEnv = "GOSMTPD_CONTROLLER_TIMEOUT"

// Controller runs a Server in the background, aiosmtpd's Controller: Start
// listens, serves on a goroutine and returns once the server answers
// connections; Stop shuts it down and returns once the port or socket is
// free. It suits tests and programs that run a server beside other work.
// Set the fields before Start. Like its Server, a Controller runs once:
// after Stop, start a new one with a new Server.
type Controller struct {
	Server *Server // what is served; nil: a zero Server (accept and discard)

	// Network is "tcp" (the default) or "unix".
	Network string
	// Address is, for "tcp", "host:port" as tcp.Listen takes it (port 0
	// picks a free port; default Server.Addr, else "localhost:8025", as
	// aiosmtpd); for "unix", the socket's path (see unix.Listen).
	Address string
	// SocketMode is the mode of a Unix socket file; 0: the umask's.
	SocketMode fs.FileMode
	// SMTPS serves implicit TLS (RFC 8314) with Server.TLSConfig instead
	// of plain SMTP, where STARTTLS is offered when TLSConfig is set.
	SMTPS bool
	// ReadyTimeout bounds Start's wait for the server; 0:
	// DefaultReadyTimeout. GOSMTPD_CONTROLLER_TIMEOUT, when set, overrides
	// it, as in aiosmtpd.
	ReadyTimeout time.Duration

	mu       sync.Mutex
	srv      *Server
	addr     net.Addr
	accepted chan struct{} // closed when the server accepts its first connection
	served   chan error    // Serve's result
}

// Start listens, starts serving on a goroutine and waits until the server
// is ready: it connects and reads the greeting (after a PROXY v2 LOCAL
// header when the server expects one, after a TLS handshake under SMTPS),
// or at least sees the connection accepted. On failure the server is
// closed and Start returns why.
func (c *Controller) Start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.srv != nil {
		return errors.New("gosmtpd: Controller already started")
	}
	timeout, err := c.readyTimeout()
	if err != nil {
		return err
	}
	srv := c.Server
	if srv == nil {
		srv = &Server{}
	}
	if c.SMTPS && srv.TLSConfig == nil {
		return errors.New("gosmtpd: Controller.SMTPS needs Server.TLSConfig")
	}
	if err := checkHandler(srv.Handler); err != nil {
		return err
	}
	l, err := c.listen(srv)
	if err != nil {
		return err
	}
	c.srv, c.addr = srv, l.Addr()
	c.accepted, c.served = make(chan struct{}), make(chan error, 1)
	c.serve(&readyListener{Listener: l, accepted: c.accepted})
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := c.waitReady(ctx); err != nil {
		srv.Close()
		<-c.served
		c.srv = nil
		return fmt.Errorf("gosmtpd: server not ready within %v: %w", timeout, err)
	}
	return nil
}

func (c *Controller) listen(srv *Server) (net.Listener, error) {
	switch c.Network {
	case "", "tcp":
		return tcp.Listen(c.tcpAddress(srv))
	case "unix":
		return unix.Listen(c.Address, c.SocketMode)
	}
	return nil, fmt.Errorf("gosmtpd: Controller network %q: want tcp or unix", c.Network)
}

func (c *Controller) tcpAddress(srv *Server) string {
	switch {
	case c.Address != "":
		return c.Address
	case srv.Addr != "":
		return srv.Addr
	}
	return "localhost:8025"
}

func (c *Controller) serve(l net.Listener) {
	srv, served := c.srv, c.served
	go func() {
		if c.SMTPS {
			served <- srv.ServeTLS(l)
		} else {
			served <- srv.Serve(l)
		}
	}()
}

// readyTimeout is the environment's, else ReadyTimeout, else the default.
// The environment wins, as AIOSMTPD_CONTROLLER_TIMEOUT wins over the
// ready_timeout given in code: a slow CI machine lengthens every test's wait
// without editing the tests.
func (c *Controller) readyTimeout() (time.Duration, error) {
	v := os.Getenv(ReadyTimeoutEnv)
	switch {
	case v == "" && c.ReadyTimeout > 0:
		return c.ReadyTimeout, nil
	case v == "":
		return DefaultReadyTimeout, nil
	}
	d, err := parseTimeout(v)
	if err != nil {
		return 0, fmt.Errorf("gosmtpd: %s=%q: want seconds or a duration", ReadyTimeoutEnv, v)
	}
	return d, nil
}

// parseTimeout reads seconds ("1.5", as aiosmtpd) or a Go duration
// ("1500ms"); it must be positive.
func parseTimeout(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		secs, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil || secs > float64(time.Duration(1<<62)/time.Second) {
			return 0, err
		}
		d = time.Duration(secs * float64(time.Second))
	}
	if d <= 0 {
		return 0, errors.New("not positive")
	}
	return d, nil
}

// Addr returns the address the server listens on, with the port picked
// when Address asked for port 0 (127.0.0.1's for "localhost"); nil before
// Start.
func (c *Controller) Addr() net.Addr {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.addr
}

// Stop shuts the server down (Server.Shutdown: sessions in a transaction
// may finish until ctx ends) and returns once Serve has returned and the
// address can be listened on again. Stop without Start does nothing.
func (c *Controller) Stop(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.srv == nil {
		return nil
	}
	err := c.srv.Shutdown(ctx)
	if serr := <-c.served; serr != nil && !errors.Is(serr, ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	c.srv = nil
	return errors.Join(err, c.waitFree(ctx))
}

// readyListener tells when the server accepted its first connection.
type readyListener struct {
	net.Listener
	accepted chan struct{}
	once     sync.Once
}

func (l *readyListener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err == nil {
		l.once.Do(func() { close(l.accepted) })
	}
	return nc, err
}

// The PROXY v2 LOCAL command: a connection of the proxy's own, a health
// check, served under its own address.
var proxyLocal = &proxyproto.Header{Version: 2, Command: proxyproto.LOCAL}

// waitReady connects to the server as a client and waits for its
// greeting, else for the connection to be accepted, else for Serve to
// fail, until ctx ends.
func (c *Controller) waitReady(ctx context.Context) error {
	var d net.Dialer
	nc, err := d.DialContext(ctx, c.addr.Network(), c.addr.String())
	if err != nil {
		return err
	}
	defer nc.Close()
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Now()) })
	defer stop()
	greetErr := c.readGreeting(nc)
	select {
	case err := <-c.served:
		c.served <- err // for Stop
		return fmt.Errorf("serve: %w", err)
	case <-c.accepted:
		nc.Close()
		return c.srv.waitIdle(ctx)
	default:
		return greetErr
	}
}

// readGreeting reads the first reply of a session: any reply, a 421 too.
func (c *Controller) readGreeting(nc net.Conn) error {
	if p := c.srv.Proxy; p != nil && (p.Trusted == nil || p.Trusted(nc.LocalAddr())) {
		if _, err := proxyLocal.WriteTo(nc); err != nil {
			return err
		}
	}
	r := nc
	if c.SMTPS {
		// the server's own certificate, on a connection it made itself:
		// nothing to verify, only the handshake to run
		r = tls.Client(nc, &tls.Config{InsecureSkipVerify: true})
	}
	buf := make([]byte, 512)
	n, err := r.Read(buf)
	if n >= 4 && buf[0] >= '2' && buf[0] <= '5' {
		return nil
	}
	if err == nil {
		err = fmt.Errorf("greeting %q", buf[:n])
	}
	return err
}

// waitIdle waits until every connection slot is free again, so that the
// connection of a readiness check no longer counts against
// MaxConnections (or MaxConnectionsPerClient) when Start returns.
func (s *Server) waitIdle(ctx context.Context) error {
	for s.slots.inUse.Load() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
	return nil
}

// waitFree waits until the address can be listened on again.
func (c *Controller) waitFree(ctx context.Context) error {
	for {
		err := c.probeFree()
		if err == nil || !errors.Is(err, errStillBound) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("gosmtpd: %v still in use after Stop", c.addr)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

var errStillBound = errors.New("still bound")

// probeFree reports errStillBound while the address is taken.
func (c *Controller) probeFree() error {
	if c.addr.Network() == "unix" {
		if _, err := os.Lstat(c.addr.String()); err == nil {
			return errStillBound
		}
		return nil
	}
	l, err := net.Listen("tcp", c.addr.String())
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return errStillBound
		}
		return err
	}
	return l.Close()
}
