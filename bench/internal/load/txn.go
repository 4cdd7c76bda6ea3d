package load

import (
	"bufio"
	"time"
)

// lockStepTxn sends one message, waiting for each reply before the next
// command.
func (s *session) lockStepTxn() error {
	if err := s.send(s.p.mail); err != nil {
		return err
	}
	if err := expect(s.r, 2, "MAIL"); err != nil {
		return err
	}
	accepted := 0
	for _, rcpt := range s.p.rcpts {
		if err := s.send(rcpt); err != nil {
			return err
		}
		ok, err := readRcpt(s.r)
		if err != nil {
			return err
		}
		accepted += ok
	}
	return s.dataAndBody(accepted)
}

// dataAndBody sends DATA, waits for 354, then sends the body.
func (s *session) dataAndBody(accepted int) error {
	if err := s.send(s.p.data); err != nil {
		return err
	}
	if err := expect(s.r, 3, "DATA"); err != nil {
		return err
	}
	if err := s.send(s.p.body); err != nil {
		return err
	}
	return s.readFinal(accepted)
}

// pipelinedTxn sends MAIL, every RCPT and DATA in one write (RFC 2920),
// reads their replies, then sends the body.
func (s *session) pipelinedTxn() error {
	if err := s.send(s.p.envelope); err != nil {
		return err
	}
	accepted, err := s.readEnvelope()
	if err != nil {
		return err
	}
	if err := s.send(s.p.body); err != nil {
		return err
	}
	return s.readFinal(accepted)
}

// readEnvelope reads the replies to MAIL, every RCPT and DATA, and returns
// how many recipients were accepted.
func (s *session) readEnvelope() (int, error) {
	if err := expect(s.r, 2, "MAIL"); err != nil {
		return 0, err
	}
	accepted := 0
	for range s.p.rcpts {
		ok, err := readRcpt(s.r)
		if err != nil {
			return 0, err
		}
		accepted += ok
	}
	return accepted, expect(s.r, 3, "DATA")
}

// readRcpt reads a RCPT reply: 1 if accepted, 0 if refused with 4xx or 5xx.
func readRcpt(r *bufio.Reader) (int, error) {
	code, err := readReply(r)
	if err != nil {
		return 0, err
	}
	if code/100 == 2 {
		return 1, nil
	}
	return 0, nil
}

// readFinal reads the replies after the body: one in SMTP, one per accepted
// recipient in LMTP (RFC 2033 §4.2). Any refusal fails the message.
func (s *session) readFinal(accepted int) error {
	n := 1
	if s.cfg.LMTP {
		n = accepted
	}
	for range n {
		if err := expect(s.r, 2, "end of data"); err != nil {
			return err
		}
	}
	return nil
}

// send writes b in one call, before the next read of a reply. On a plain
// TCP connection with nothing buffered, the read itself writes it (see
// sockReader); b must then stay unchanged until that read.
func (s *session) send(b []byte) error {
	if s.sock != nil && s.r.Buffered() == 0 {
		if err := s.sock.flush(); err != nil {
			return err
		}
		s.sock.pending = b
		return nil
	}
	if s.sock != nil {
		if err := s.sock.flush(); err != nil {
			return err
		}
	}
	_, err := s.conn.Write(b)
	return err
}

// fullPipeline sends whole transactions, body included, each batch in one
// write. With Reconnect it sends the connection's single transaction, timed
// from t0 when the connection began; otherwise it keeps up to Window
// transactions unanswered until the session is over or the connection fails.
func (s *session) fullPipeline(t0 time.Time) {
	if s.cfg.Reconnect {
		s.started++
		s.conn.SetDeadline(t0.Add(s.cfg.Timeout))
		err := s.send(s.p.batch[:s.p.txnLen])
		if err == nil {
			err = s.readTxn()
		}
		if err != nil {
			s.fail(err, 1)
			return
		}
		s.succeed(t0)
		return
	}
	s.windowed()
}

// windowed tops the window up in one write whenever every reply received so
// far has been read, so that the server sees the next MAIL together with the
// previous body.
func (s *session) windowed() {
	s.sendTimes = s.sendTimes[:0]
	for {
		if len(s.sendTimes) == 0 || s.r.Buffered() == 0 {
			if err := s.topUp(); err != nil {
				s.fail(err, len(s.sendTimes))
				return
			}
		}
		if len(s.sendTimes) == 0 {
			return
		}
		if err := s.readTxn(); err != nil {
			s.fail(err, len(s.sendTimes))
			return
		}
		s.succeed(s.sendTimes[0])
		s.sendTimes = append(s.sendTimes[:0], s.sendTimes[1:]...)
	}
}

// topUp sends, in one write, as many whole transactions as the window and
// the run allow, and notes when they left.
func (s *session) topUp() error {
	n := 0
	for len(s.sendTimes)+n < s.cfg.Window && s.more() {
		s.started++
		n++
	}
	if n == 0 {
		return nil
	}
	now := time.Now()
	for range n {
		s.sendTimes = append(s.sendTimes, now)
	}
	s.conn.SetDeadline(now.Add(s.cfg.Timeout))
	return s.send(s.p.batch[:n*s.p.txnLen])
}

// readTxn reads every reply of one whole transaction.
func (s *session) readTxn() error {
	accepted, err := s.readEnvelope()
	if err != nil {
		return err
	}
	return s.readFinal(accepted)
}
