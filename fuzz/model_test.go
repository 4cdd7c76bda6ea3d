package fuzz

import (
	"bytes"
	"fmt"
	"strings"
)

// messageEnd is a reply that ends a message (the one after the final dot,
// or the one to BDAT LAST) with the message the client sent, as the
// reference decodes it.
type messageEnd struct {
	reply reply
	body  []byte
}

// model walks the client's bytes beside the server's replies. Every
// CRLF-terminated line gets one reply, in order (RFC 2920 keeps the order
// under pipelining). A 354 makes the bytes that follow a DATA body, up to
// CRLF.CRLF, answered by one reply. A BDAT line is followed by its chunk,
// counted, not parsed, and answered after it; a chunk whose BDAT got 250
// joins the message, which a MAIL that got 250 starts afresh. After a 334,
// the next line is an AUTH response, never a command. The walk stops at
// the end of the input, at STARTTLS's 220 (what follows is a TLS handshake
// the input does not make), and at the last reply.
type model struct {
	in      []byte
	pos     int
	replies []reply
	next    int
	maxLine int // the server's command line limit, for BDAT

	ends    []messageEnd
	pending []byte // the chunks of the BDAT message in progress
	inAuth  bool   // the last reply was a 334
	line    []byte // the last line walked
	starved bool   // the input held a complete command or body that got no reply
	// panicked: a hook panicked, which ends the session after any reply
	// the ExceptionHandler chose.
	panicked bool
}

// walk runs the model from the start of m.in: in a message body when
// inBody, after skipping the greeting when greeting.
func (m *model) walk(greeting, inBody bool) error {
	if greeting {
		rep, ok := m.reply()
		if !ok || rep.code != 220 {
			return fmt.Errorf("greeting %v, want 220", rep)
		}
	}
	for more := true; more; {
		if inBody {
			more, inBody = m.body(), false
		} else {
			more, inBody = m.command()
		}
	}
	if m.starved && !m.closedOnPurpose() {
		return fmt.Errorf("no reply to %q and the session ended without a closing reply (last %v)", m.line, m.last())
	}
	return nil
}

func (m *model) reply() (reply, bool) {
	if m.next == len(m.replies) {
		m.starved = true
		return reply{}, false
	}
	m.next++
	return m.replies[m.next-1], true
}

func (m *model) last() reply {
	if m.next == 0 {
		return reply{}
	}
	return m.replies[m.next-1]
}

// closedOnPurpose reports whether the server's last words announced the
// end: 221 (QUIT), 421, the cross-protocol refusal, a reply to QUIT
// that a handler chose, or any reply after a hook panicked.
func (m *model) closedOnPurpose() bool {
	last := m.last()
	return m.panicked || last.code == 221 || last.code == 421 || isCommand(m.line, "QUIT") ||
		last.code == 500 && strings.Contains(strings.Join(last.lines, " "), "HTTP")
}

// body walks a DATA body and its reply.
func (m *model) body() bool {
	msg, n, ok := refUnstuff(m.in[m.pos:])
	if !ok {
		return false
	}
	m.pos += n
	rep, ok := m.reply()
	if !ok {
		return false
	}
	m.ends = append(m.ends, messageEnd{reply: rep, body: msg})
	return true
}

// command walks one line, its BDAT chunk if it has one, and its reply.
func (m *model) command() (more, inBody bool) {
	i := bytes.Index(m.in[m.pos:], []byte("\r\n"))
	if i < 0 {
		return false, false
	}
	line := m.in[m.pos : m.pos+i]
	m.pos += i + 2
	m.line = line
	var chunk []byte
	size, last, isBDAT := refBDAT(line, m.maxLine)
	isBDAT = isBDAT && !m.inAuth
	if isBDAT {
		if size > int64(len(m.in)-m.pos) {
			return false, false
		}
		chunk = m.in[m.pos : m.pos+int(size)]
		m.pos += int(size)
	}
	rep, ok := m.reply()
	if !ok {
		return false, false
	}
	switch {
	case isBDAT && last:
		m.ends = append(m.ends, messageEnd{reply: rep, body: append(m.pending, chunk...)})
		m.pending = nil
	case isBDAT && rep.code == 250:
		m.pending = append(m.pending, chunk...)
	case !m.inAuth && isCommand(line, "MAIL") && rep.code == 250:
		m.pending = []byte{}
	}
	m.inAuth = rep.code == 334
	switch rep.code {
	case 354:
		return true, true
	case 220, 221, 421:
		return false, false
	}
	return true, false
}

// record is one message as the DATA hook saw it.
type record struct {
	body     []byte
	complete bool // the hook read the stream to io.EOF: it has the whole message
	positive bool // the server is to answer it with a 2xx (the hook's answer, or its ExceptionHandler's)
}

func (r *record) accepted() bool { return r.complete && r.positive }

// tookAll reports whether a hook that accepted the message but returned
// before io.EOF had read every byte of msg all the same: the server cannot
// tell it from one that read on to the end, and answers 250.
func (r *record) tookAll(msg []byte) bool { return r.positive && bytes.Equal(r.body, msg) }

// checkDelivery is the key invariant: each 2xx that ends a message goes
// with the next message the hook received whole and accepted, in order,
// and the hook's bytes are the client's; and every such message got its
// 2xx. Received whole means read to io.EOF, or every byte read by a hook
// that returned just before the end of the stream.
func checkDelivery(ends []messageEnd, recs []*record) error {
	cur := 0
	for _, e := range ends {
		if e.reply.code/100 != 2 {
			continue
		}
		for cur < len(recs) && !recs[cur].accepted() && !recs[cur].tookAll(e.body) {
			cur++
		}
		if cur == len(recs) {
			return fmt.Errorf("%v for a message the handler did not receive whole: the client sent %q", e.reply, e.body)
		}
		if got := recs[cur].body; !bytes.Equal(got, e.body) {
			return fmt.Errorf("%v for a message the handler received as\n%q\nthe client sent\n%q", e.reply, got, e.body)
		}
		cur++
	}
	for ; cur < len(recs); cur++ {
		if recs[cur].accepted() {
			return fmt.Errorf("the handler accepted %q but the client got no 2xx for it", recs[cur].body)
		}
	}
	return nil
}

// checkLastWords: nothing follows a 221 or a 421.
func checkLastWords(replies []reply) error {
	for i, r := range replies[:max(len(replies)-1, 0)] {
		if r.code == 221 || r.code == 421 {
			return fmt.Errorf("%v followed by %v", r, replies[i+1:])
		}
	}
	return nil
}
