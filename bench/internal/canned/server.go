package canned

import (
	"bytes"
	"errors"
	"net"
	"sync"
)

// The fixed replies. EHLO and LHLO announce PIPELINING so that clients that
// check for it pipeline; every other command line gets replyOK.
var (
	replyGreeting = []byte("220 canned ESMTP\r\n")
	replyEHLO     = []byte("250-canned\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
	replyOK       = []byte("250 ok\r\n")
	replyGo       = []byte("354 go\r\n")
	replyBye      = []byte("221 bye\r\n")
)

// readSize is the size of each connection's read buffer. Lines longer than
// the buffer are answered once, when their CRLF arrives.
const readSize = 64 << 10

// Serve answers every connection that ln accepts until ln is closed, then
// closes the connections still open and returns nil once they have ended.
func Serve(ln net.Listener) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns = map[net.Conn]struct{}{}
	)
	defer func() {
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	}()
	for {
		c, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		if err != nil {
			return err
		}
		mu.Lock()
		conns[c] = struct{}{}
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			serveConn(c)
			mu.Lock()
			delete(conns, c)
			mu.Unlock()
		}()
	}
}

// serveConn runs one session until the peer quits or the connection fails.
func serveConn(c net.Conn) {
	defer c.Close()
	s := session{in: make([]byte, readSize), out: make([]byte, 0, 4096)}
	if _, err := c.Write(replyGreeting); err != nil {
		return
	}
	for !s.quit {
		n, err := c.Read(s.in[s.pending:])
		if n > 0 {
			s.consume(n)
			if len(s.out) > 0 {
				if _, werr := c.Write(s.out); werr != nil {
					return
				}
				s.out = s.out[:0]
			}
		}
		if err != nil {
			return
		}
	}
}

// session is the whole state of one connection: the unread tail of a
// command line, whether a body is being skipped, and the replies queued for
// the next write.
type session struct {
	in      []byte // read buffer; in[:pending] is an incomplete command line
	pending int
	out     []byte // replies queued by consume, written once per read
	inData  bool
	data    dataScanner
	quit    bool
}

// consume handles the n bytes just read after in[:pending].
func (s *session) consume(n int) {
	buf := s.in[:s.pending+n]
	for len(buf) > 0 && !s.quit {
		if s.inData {
			used, done := s.data.scan(buf)
			buf = buf[used:]
			if done {
				s.inData = false
				s.out = append(s.out, replyOK...)
			}
			continue
		}
		eol := bytes.IndexByte(buf, '\n')
		if eol < 0 {
			break
		}
		s.answer(bytes.TrimSuffix(buf[:eol], []byte("\r")))
		buf = buf[eol+1:]
	}
	s.keepPending(buf)
}

// keepPending moves an incomplete command line to the front of the read
// buffer. A line that fills the whole buffer is dropped, not answered twice.
func (s *session) keepPending(rest []byte) {
	if s.inData || len(rest) == len(s.in) {
		s.pending = 0
		return
	}
	s.pending = copy(s.in, rest)
}

// answer queues the fixed reply to one command line.
func (s *session) answer(line []byte) {
	switch {
	case len(line) == 4 && bytes.EqualFold(line, []byte("DATA")):
		s.inData = true
		s.data = newDataScanner()
		s.out = append(s.out, replyGo...)
	case len(line) == 4 && bytes.EqualFold(line, []byte("QUIT")):
		s.quit = true
		s.out = append(s.out, replyBye...)
	case len(line) >= 4 && (bytes.EqualFold(line[:4], []byte("EHLO")) || bytes.EqualFold(line[:4], []byte("LHLO"))):
		s.out = append(s.out, replyEHLO...)
	default:
		s.out = append(s.out, replyOK...)
	}
}
