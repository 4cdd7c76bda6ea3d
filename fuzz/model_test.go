package fuzz

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// messageEnd is the replies that end a message (to the final dot, or to
// BDAT LAST): one in SMTP, one per accepted recipient in LMTP, fewer when
// the session ended before them. body is the message the client sent, as
// the reference decodes it.
type messageEnd struct {
	replies []reply
	body    []byte
}

// model walks the client's bytes beside the server's replies. Every
// command line gets one reply, in order (RFC 2920 keeps the order under
// pipelining); a command line ends at an LF, with or without a CR before it
// (the server's default, Postfix 3.9's normalize). A 354 makes the bytes that follow a DATA body, up to
// CRLF.CRLF, answered by one reply. A BDAT line is followed by its chunk,
// counted, not parsed, and answered after it; a chunk whose BDAT got 250
// joins the message, which a MAIL that got 250 starts afresh. In LMTP the
// end of a message gets one reply per recipient accepted since that MAIL
// (RFC 2033 §4.2), and a BDAT is accepted exactly when there is one (the
// configuration asks for no TLS or AUTH first). After a 334,
// the next line is an AUTH response, never a command. The walk stops at
// the end of the input, at STARTTLS's 220 (what follows is a TLS handshake
// the input does not make), and at the last reply.
type model struct {
	in      []byte
	pos     int
	replies []reply
	next    int
	maxLine int // the server's command line limit, for BDAT
	// refuseBareLF: the server refuses a line ended by a bare LF
	// (fsm.LineRefuse): it gets one reply and nothing in it is acted on.
	refuseBareLF bool
	lmtp         bool // the server speaks LMTP
	rcpts        int  // recipients accepted in the transaction in progress
	final        bool // the last reply taken ended a message

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
	if m.closing() && m.next < len(m.replies) {
		return fmt.Errorf("%v followed by %v", m.last(), m.replies[m.next:])
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
	m.final = false
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
	return m.endMessage(msg, m.finalReplies())
}

// finalReplies is how many replies end the message in progress.
func (m *model) finalReplies() int {
	if m.lmtp {
		return m.rcpts
	}
	return 1
}

// endMessage takes the n replies that end message msg, and ends the
// transaction; false when the session ended before all of them.
func (m *model) endMessage(msg []byte, n int) bool {
	end := messageEnd{body: msg}
	for range n {
		rep, ok := m.reply()
		if !ok {
			break
		}
		end.replies = append(end.replies, rep)
		m.final = true
	}
	m.ends = append(m.ends, end)
	m.pending, m.rcpts = nil, 0
	return len(end.replies) == n && !m.closing()
}

// closing reports whether the last reply ends the session: a 221, or a
// 421 other than one recipient's reply to a message in LMTP.
func (m *model) closing() bool {
	code := m.last().code
	return code == 221 || code == 421 && !(m.lmtp && m.final)
}

// command walks one line, its BDAT chunk if it has one, and its reply.
func (m *model) command() (more, inBody bool) {
	i := bytes.IndexByte(m.in[m.pos:], '\n')
	if i < 0 {
		return false, false
	}
	line := bytes.TrimSuffix(m.in[m.pos:m.pos+i], []byte("\r"))
	refused := m.refuseBareLF && len(line) == i
	m.pos += i + 1
	m.line = line
	if refused {
		line = nil // answered, never acted on
	}
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
	if isBDAT && last && (!m.lmtp || m.rcpts > 0) {
		m.inAuth = false
		return m.endMessage(append(m.pending, chunk...), m.finalReplies()), false
	}
	rep, ok := m.reply()
	if !ok {
		return false, false
	}
	if isBDAT && last { // refused: LMTP with no recipient
		m.ends = append(m.ends, messageEnd{replies: []reply{rep}, body: append(m.pending, chunk...)})
		m.pending = nil
	}
	m.transaction(line, isBDAT, chunk, rep)
	m.inAuth = rep.code == 334
	switch rep.code {
	case 354:
		return true, true
	case 220, 221, 421:
		return false, false
	}
	return true, false
}

// transaction follows the transaction through a command's reply: the
// chunks of a BDAT message, the recipients accepted.
func (m *model) transaction(line []byte, isBDAT bool, chunk []byte, rep reply) {
	positive := rep.code/100 == 2
	switch {
	case isBDAT:
		if rep.code == 250 {
			m.pending = append(m.pending, chunk...)
		}
	case m.inAuth: // an answer to a 334, not a command
	case isCommand(line, "MAIL") && positive:
		m.pending, m.rcpts = []byte{}, 0
	case isCommand(line, "RCPT") && positive:
		m.rcpts++
	case positive && (isCommand(line, "RSET") || isCommand(line, "LHLO") || isCommand(line, "EHLO") || isCommand(line, "HELO")):
		m.pending, m.rcpts = nil, 0
	}
}

// record is one message as the DATA hook saw it.
type record struct {
	body     []byte
	complete bool // the hook read the stream to io.EOF: it has the whole message
	// positive holds, for each recipient (one in SMTP), whether the server
	// is to answer with a 2xx: the hook's answer, or its ExceptionHandler's.
	positive []bool
}

// accepted reports whether the hook has the whole message and accepted it
// for at least one recipient.
func (r *record) accepted() bool { return r.complete && r.anyPositive() }

func (r *record) anyPositive() bool { return slices.Contains(r.positive, true) }

// positiveFor reports whether the hook accepted the message for recipient i.
func (r *record) positiveFor(i int) bool { return i < len(r.positive) && r.positive[i] }

// tookAll reports whether a hook that accepted the message but returned
// before io.EOF had read every byte of msg all the same: the server cannot
// tell it from one that read on to the end, and answers 250.
func (r *record) tookAll(msg []byte) bool { return r.anyPositive() && bytes.Equal(r.body, msg) }

// positive reports whether any reply that ends a message is a 2xx.
func (e *messageEnd) positive() bool {
	return slices.ContainsFunc(e.replies, func(r reply) bool { return r.code/100 == 2 })
}

// checkDelivery is the key invariant: each message end with a 2xx goes
// with the next message the hook received whole and accepted, in order,
// and the hook's bytes are the client's; each recipient's reply is a 2xx
// exactly when the hook accepted the message for that recipient; and every
// accepted message got its 2xx. Received whole means read to io.EOF, or
// every byte read by a hook that returned just before the end of the
// stream.
func checkDelivery(ends []messageEnd, recs []*record) error {
	cur := 0
	for _, e := range ends {
		if !e.positive() {
			continue
		}
		for cur < len(recs) && !recs[cur].accepted() && !recs[cur].tookAll(e.body) {
			cur++
		}
		if cur == len(recs) {
			return fmt.Errorf("%v for a message the handler did not receive whole: the client sent %q", e.replies, e.body)
		}
		rec := recs[cur]
		if !bytes.Equal(rec.body, e.body) {
			return fmt.Errorf("%v for a message the handler received as\n%q\nthe client sent\n%q", e.replies, rec.body, e.body)
		}
		for i, rep := range e.replies {
			if rep.code/100 == 2 != rec.positiveFor(i) {
				return fmt.Errorf("recipient %d got %v, but the handler's answers were %v", i, rep, rec.positive)
			}
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

// checkLastWords: nothing follows a 221 or a 421 in SMTP. (In LMTP a 421
// may be one recipient's reply to a message; the model checks there.)
func checkLastWords(replies []reply) error {
	for i, r := range replies[:max(len(replies)-1, 0)] {
		if r.code == 221 || r.code == 421 {
			return fmt.Errorf("%v followed by %v", r, replies[i+1:])
		}
	}
	return nil
}
