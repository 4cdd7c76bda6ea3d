package load

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"sync/atomic"
	"time"
)

// maxConsecutiveErrors ends a session whose server keeps failing, so that a
// broken server costs a run its errors, not its time.
const maxConsecutiveErrors = 10

// session is one client connection's state, touched only by its goroutine.
type session struct {
	cfg  *Config
	p    *payload
	stop *atomic.Bool // set when the run's duration is over

	conn net.Conn
	r    *bufio.Reader
	sock *sockReader // under r on a plain TCP connection, else nil

	started     int // messages begun, against cfg.Messages
	delivered   int64
	errors      int64
	consecutive int
	firstErr    error
	latency     histogram
	sendTimes   []time.Time // Full mode: when each unanswered transaction was sent
}

// more reports whether the session should begin another message.
func (s *session) more() bool {
	return !s.stop.Load() &&
		(s.cfg.Messages <= 0 || s.started < s.cfg.Messages) &&
		s.consecutive < maxConsecutiveErrors
}

// run sends messages until the run is over, then says QUIT.
func (s *session) run() {
	for s.more() {
		t0 := time.Now()
		if s.conn == nil {
			if err := s.connect(t0); err != nil {
				s.fail(err, 1)
				s.started++
				time.Sleep(5 * time.Millisecond) // do not spin on a refusing server
				continue
			}
		}
		if s.cfg.Mode == Full {
			s.fullPipeline(t0)
		} else {
			s.oneMessage(t0)
		}
		if s.cfg.Reconnect {
			s.quit()
		}
	}
	s.quit()
}

// oneMessage sends one message in LockStep or Pipelined mode; t0 is when
// the message (or, with Reconnect, its connection) began.
func (s *session) oneMessage(t0 time.Time) {
	s.started++
	s.conn.SetDeadline(t0.Add(s.cfg.Timeout))
	var err error
	if s.cfg.Mode == Pipelined {
		err = s.pipelinedTxn()
	} else {
		err = s.lockStepTxn()
	}
	if err != nil {
		s.fail(err, 1)
		return
	}
	s.succeed(t0)
}

// succeed records a delivered message begun at t0.
func (s *session) succeed(t0 time.Time) {
	s.latency.record(time.Since(t0))
	s.delivered++
	s.consecutive = 0
}

// fail records n lost messages and drops the connection, whose state is
// unknown after an error.
func (s *session) fail(err error, n int) {
	s.errors += int64(n)
	s.consecutive++
	if s.firstErr == nil {
		s.firstErr = err
	}
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
}

// connect dials, reads the greeting, says EHLO (LHLO) and, if asked,
// upgrades with STARTTLS and says EHLO again.
func (s *session) connect(t0 time.Time) error {
	conn, err := net.DialTimeout("tcp", s.cfg.Addr, s.cfg.Timeout)
	if err != nil {
		return err
	}
	conn.SetDeadline(t0.Add(s.cfg.Timeout))
	s.setConn(conn)
	if err := s.greet(); err != nil {
		conn.Close()
		return err
	}
	if s.cfg.StartTLS {
		if err := s.startTLS(); err != nil {
			s.conn.Close()
			return err
		}
	}
	return nil
}

// setConn makes c the session's connection, reusing the read buffer.
func (s *session) setConn(c net.Conn) {
	s.conn = c
	var src io.Reader = c
	if s.sock = newSockReader(c); s.sock != nil {
		src = s.sock
	}
	if s.r == nil {
		s.r = bufio.NewReaderSize(src, 4096)
	} else {
		s.r.Reset(src)
	}
}

func (s *session) greet() error {
	if err := expect(s.r, 2, "greeting"); err != nil {
		return err
	}
	return s.hello()
}

func (s *session) hello() error {
	if err := s.send(s.p.hello); err != nil {
		return err
	}
	return expect(s.r, 2, "EHLO")
}

func (s *session) startTLS() error {
	if err := s.send(s.p.startTLS); err != nil {
		return err
	}
	if err := expect(s.r, 2, "STARTTLS"); err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(s.cfg.Addr)
	tc := tls.Client(s.conn, &tls.Config{InsecureSkipVerify: true, ServerName: host})
	if err := tc.Handshake(); err != nil {
		return err
	}
	s.setConn(tc)
	return s.hello()
}

// quit ends the connection politely, if there is one.
func (s *session) quit() {
	if s.conn == nil {
		return
	}
	s.conn.SetDeadline(time.Now().Add(s.cfg.Timeout))
	if err := s.send(s.p.quit); err == nil {
		readReply(s.r)
	}
	s.conn.Close()
	s.conn = nil
}
