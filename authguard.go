package gosmtpd

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"time"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// The failure delay (Dovecot's auth_failure_delay, made to grow): after
// each failed password check from a client, its next check waits
// Server.AuthFailureDelay (authDelayBase by default), doubled for each
// further failure, at most authDelayMax;
// its checks are spaced by that delay. So one address gets about ten
// password checks in 20 seconds, however many sessions it opens, while
// other addresses are not slowed. The count is forgotten authForget after
// the last failure.
const (
	authDelayBase = 200 * time.Millisecond
	authDelayMax  = 5 * time.Second
	authForget    = 10 * time.Minute
	// authClientsMax bounds the clients remembered; past it the
	// forgotten ones, then any, make room.
	authClientsMax = 65536
)

// authGuard is the Server's Authenticator around the configured one: it
// spaces a client's checks after its failures and logs every failure
// (authlog.go).
type authGuard struct {
	next  hooks.Authenticator
	group clientGrouping
	log   *authFailureLog
	base  time.Duration // the first delay; 0: none

	mu      sync.Mutex
	clients map[netip.Addr]*authClient
}

// authClient is what the guard remembers of one client.
type authClient struct {
	failures  int // not yet forgotten
	lastFail  time.Time
	notBefore time.Time // the next check may not start before
}

func newAuthGuard(next hooks.Authenticator, base time.Duration, group clientGrouping, log *authFailureLog) *authGuard {
	return &authGuard{next: next, base: base, group: group, log: log, clients: map[netip.Addr]*authClient{}}
}

// Authenticate runs the check once the client's delay is over, and counts
// and logs a refusal of the credentials (535). Nothing is held while the
// check runs: an Authenticator that hangs delays no other check.
func (g *authGuard) Authenticate(ctx context.Context, s *hooks.Session, e *hooks.Envelope, c *hooks.Credentials) error {
	key, ok := g.clientOf(s.Peer)
	if !ok || g.base <= 0 { // a Unix socket's peer is local: not delayed
		err := g.next.Authenticate(ctx, s, e, c)
		if badCredentials(err) {
			g.log.failed(s, c)
		}
		return err
	}
	if err := sleep(ctx, g.reserve(key)); err != nil {
		return err
	}
	err := g.next.Authenticate(ctx, s, e, c)
	if badCredentials(err) {
		g.failed(key)
		g.log.failed(s, c)
	}
	return err
}

// badCredentials reports whether err refused the credentials themselves
// (535, RFC 4954 §6), as opposed to a temporary failure or a policy.
func badCredentials(err error) bool {
	var rep hooks.Reply
	return errors.As(err, &rep) && rep.Code == 535
}

func (g *authGuard) clientOf(peer string) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(peer)
	if err != nil {
		return netip.Addr{}, false
	}
	return g.group.ofIP(ap.Addr().Unmap()), true
}

// reserve returns how long a check of the client must wait: a client with
// failures gets one check per delay, its sessions in turn, whether they
// come one after another or at once.
func (g *authGuard) reserve(key netip.Addr) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	cl := g.clients[key]
	if cl == nil {
		return 0
	}
	now := time.Now()
	if now.Sub(cl.lastFail) > authForget {
		delete(g.clients, key)
		return 0
	}
	start := now
	if cl.notBefore.After(now) {
		start = cl.notBefore
	}
	cl.notBefore = start.Add(authDelay(g.base, cl.failures))
	return start.Sub(now)
}

// failed counts a failure, and puts off the client's next check by the
// delay it now has.
func (g *authGuard) failed(key netip.Addr) {
	g.mu.Lock()
	defer g.mu.Unlock()
	cl := g.clients[key]
	if cl == nil {
		g.makeRoom()
		cl = &authClient{}
		g.clients[key] = cl
	}
	now := time.Now()
	cl.failures++
	cl.lastFail = now
	if next := now.Add(authDelay(g.base, cl.failures)); next.After(cl.notBefore) {
		cl.notBefore = next
	}
}

// makeRoom forgets clients when the table is full: first those whose
// failures are forgotten, then any. Called with g.mu held.
func (g *authGuard) makeRoom() {
	if len(g.clients) < authClientsMax {
		return
	}
	now := time.Now()
	for key, cl := range g.clients {
		if now.Sub(cl.lastFail) > authForget {
			delete(g.clients, key)
		}
	}
	for key := range g.clients {
		if len(g.clients) < authClientsMax {
			return
		}
		delete(g.clients, key)
	}
}

// authDelay is the wait after n failures.
func authDelay(base time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < authDelayMax; i++ {
		d *= 2
	}
	return min(d, authDelayMax)
}

// sleep waits d, or until ctx ends (its error).
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// authenticator is the Authenticator the sessions use: the configured one
// (Authenticator, or the Handler's Authenticate method) behind the guard;
// nil when there is none.
func (s *Server) authenticator() hooks.Authenticator {
	a := s.Authenticator
	if a == nil {
		a, _ = s.Handler.(hooks.Authenticator)
	}
	if a == nil {
		return nil
	}
	base := s.AuthFailureDelay
	switch {
	case base == 0:
		base = authDelayBase
	case base < 0:
		base = 0
	}
	return newAuthGuard(a, base, s.grouping(), &authFailureLog{l: s.logger()})
}
