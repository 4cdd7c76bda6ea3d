package interop

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"syscall"
	"time"
)

// Runner plays scripts over TCP. Its timeouts make a hung or silent server
// fail one step quickly instead of stalling the test run.
type Runner struct {
	DialTimeout  time.Duration // connecting
	ReplyTimeout time.Duration // waiting for each reply, or for the close
	EndTimeout   time.Duration // waiting for the close after the client's EOF
	// Ports, when set, keeps each session's client port unique per
	// server, so that its messages can be told from other sessions'.
	Ports *PortLedger
}

// DefaultRunner has timeouts fit for loopback servers.
var DefaultRunner = Runner{
	DialTimeout:  3 * time.Second,
	ReplyTimeout: 3 * time.Second,
	EndTimeout:   3 * time.Second,
	Ports:        &PortLedger{},
}

// maxReplyLine bounds one reply line, so that a server sending garbage
// without a newline cannot make the runner grow without end.
const maxReplyLine = 64 << 10

// Run plays s against the server at addr and records what it answered. It
// never fails: connection trouble is recorded in the transcript.
func (r Runner) Run(addr string, s *Script) *Transcript {
	t := &Transcript{Script: s}
	conn, err := r.dial(addr)
	if err != nil {
		t.Steps = append(t.Steps, Step{Want: 220, Err: err.Error()})
		return t
	}
	defer conn.Close()
	t.LocalPort = localPort(conn)
	p := &player{r: r, conn: conn, in: bufio.NewReaderSize(conn, 4096), t: t}
	p.play(s)
	return t
}

// dial connects to addr, from a fresh client port when r.Ports is set.
func (r Runner) dial(addr string) (net.Conn, error) {
	if r.Ports == nil {
		return net.DialTimeout("tcp", addr, r.DialTimeout)
	}
	return r.Ports.Dial(addr, r.DialTimeout)
}

// player is the state of one Run.
type player struct {
	r       Runner
	conn    net.Conn
	in      *bufio.Reader
	t       *Transcript
	pending []byte // bytes queued by C lines, written at the next S or W
	closed  bool   // the server closed (or reset) the connection
	stuck   bool   // a read timed out or failed: later steps are not played
}

// play runs every item of s, then the end of the session.
func (p *player) play(s *Script) {
	p.expect(0, 220)
	for _, it := range s.Items {
		switch it.Kind {
		case ItemSend:
			p.pending = append(p.pending, it.Data...)
		case ItemPause:
			p.flush()
			time.Sleep(it.Pause)
		case ItemExpect:
			p.flush()
			p.expect(it.Line, it.Code)
		}
	}
	p.flush()
	p.finish()
}

// flush writes the queued bytes in one write. A write that fails because
// the server has gone is not a step of its own: the reads that follow see
// the close.
func (p *player) flush() {
	if len(p.pending) == 0 || p.closed || p.stuck {
		p.pending = p.pending[:0]
		return
	}
	_ = p.conn.SetWriteDeadline(time.Now().Add(p.r.ReplyTimeout))
	if _, err := p.conn.Write(p.pending); err != nil && p.t.WriteErr == "" {
		p.t.WriteErr = err.Error()
	}
	p.pending = p.pending[:0]
}

// expect reads one reply (or the close) for the expectation on line.
func (p *player) expect(line, want int) {
	st := Step{Index: len(p.t.Steps), Line: line, Want: want}
	switch {
	case p.stuck:
		st.Err = "not played: an earlier step failed"
	case p.closed:
		st.Got.Code = CodeClose
	default:
		st.Got, st.Err = p.readReply()
	}
	p.t.Steps = append(p.t.Steps, st)
}

// readReply reads one complete reply, or notes the close.
func (p *player) readReply() (Reply, string) {
	_ = p.conn.SetReadDeadline(time.Now().Add(p.r.ReplyTimeout))
	var rep Reply
	for {
		line, err := p.readLine()
		if err != nil {
			return p.readFailed(rep, err)
		}
		code, last, err := parseReplyLine(line)
		if err != nil {
			p.stuck = true
			return rep, err.Error()
		}
		if rep.Lines == 0 {
			rep.Text = string(bytes.TrimLeft(line[3:], " -"))
		}
		rep.Lines++
		if rep.Lines > 1 && code != rep.Code {
			p.stuck = true
			return rep, fmt.Sprintf("code changed inside a multi-line reply: %d then %d", rep.Code, code)
		}
		rep.Code = code
		if last {
			return rep, ""
		}
	}
}

// readFailed records how a read ended early.
func (p *player) readFailed(rep Reply, err error) (Reply, string) {
	if isClose(err) && rep.Lines == 0 {
		p.closed = true
		return Reply{Code: CodeClose}, ""
	}
	if isClose(err) {
		p.closed = true
		return rep, "connection closed inside a multi-line reply"
	}
	p.stuck = true
	return rep, err.Error()
}

// isClose tells whether err means the server closed or reset the connection.
func isClose(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)
}

// readLine returns one line without its CRLF (or LF), in a new slice owned
// by the caller.
func (p *player) readLine() ([]byte, error) {
	var line []byte
	for {
		chunk, err := p.in.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxReplyLine {
			return nil, fmt.Errorf("reply line longer than %d bytes", maxReplyLine)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if len(line) > 0 && errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("connection closed inside a reply line %q", line)
			}
			return nil, err
		}
		return bytes.TrimRight(line, "\r\n"), nil
	}
}

// parseReplyLine checks the "ddd-" / "ddd " / "ddd" shape of a reply line
// and says whether it is the last line of its reply.
func parseReplyLine(line []byte) (code int, last bool, err error) {
	if len(line) < 3 {
		return 0, false, fmt.Errorf("malformed reply line %q", line)
	}
	n, err := strconv.Atoi(string(line[:3]))
	if err != nil || n < 200 || n > 599 {
		return 0, false, fmt.Errorf("malformed reply line %q", line)
	}
	if len(line) == 3 || line[3] == ' ' {
		return n, true, nil
	}
	if line[3] == '-' {
		return n, false, nil
	}
	return 0, false, fmt.Errorf("malformed reply line %q", line)
}

// finish half-closes the connection and waits for the server to close its
// side, recording anything it still sends.
func (p *player) finish() {
	if p.stuck {
		return
	}
	if p.closed {
		p.t.End = EndClosed
		return
	}
	if tc, ok := p.conn.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
	_ = p.conn.SetReadDeadline(time.Now().Add(p.r.EndTimeout))
	rest, err := io.ReadAll(io.LimitReader(p.in, maxReplyLine))
	p.t.Trailing = rest
	switch {
	case err == nil || isClose(err):
		p.t.End = EndClosed
	default:
		p.t.End = EndOpen
	}
}
