package interop

import (
	"fmt"
	"strconv"
	"strings"
)

// CompareReplies lists where got (the server under test) differs from want (aiosmtpd's
// golden transcript) for one session: reply codes step by step, how the
// session ended, and bytes after the last reply. Reply texts are not
// compared: only codes are part of the protocol.
func CompareReplies(session string, want, got *Transcript) []Difference {
	var out []Difference
	n := max(len(want.Steps), len(got.Steps))
	for i := range n {
		w, g := stepAt(want, i), stepAt(got, i)
		if w.Got.Code == g.Got.Code && g.Err == "" {
			continue
		}
		out = append(out, Difference{Session: session, Step: strconv.Itoa(i),
			Detail: fmt.Sprintf("script line %d: aiosmtpd %s, got %s", w.Line, w.describe(), g.describe())})
	}
	if want.End != got.End || string(want.Trailing) != string(got.Trailing) {
		out = append(out, Difference{Session: session, Step: StepEnd,
			Detail: fmt.Sprintf("aiosmtpd: end %s, trailing %q; got: end %s, trailing %q",
				codeStringEnd(want.End), want.Trailing, codeStringEnd(got.End), got.Trailing)})
	}
	return out
}

// stepAt returns step i of t, or a step that got nothing.
func stepAt(t *Transcript, i int) Step {
	if i < len(t.Steps) {
		return t.Steps[i]
	}
	return Step{Index: i, Err: "no such step"}
}

// DebuggingBegin and DebuggingEnd frame each message printed by aiosmtpd's
// Debugging handler (and gosmtpd's, which prints the same format).
const (
	DebuggingBegin = "---------- MESSAGE FOLLOWS ----------"
	DebuggingEnd   = "------------ END MESSAGE ------------"
)

// ParseDebugging cuts the output of a Debugging handler into one string per
// message, markers included; other lines (logs) are skipped. A message whose
// end marker is missing is returned as it is.
func ParseDebugging(out string) []string {
	var msgs []string
	var cur *strings.Builder
	for _, line := range strings.SplitAfter(out, "\n") {
		switch {
		case strings.TrimRight(line, "\r\n") == DebuggingBegin:
			if cur != nil {
				msgs = append(msgs, cur.String())
			}
			cur = &strings.Builder{}
			cur.WriteString(line)
		case cur != nil:
			cur.WriteString(line)
			if strings.TrimRight(line, "\r\n") == DebuggingEnd {
				msgs = append(msgs, cur.String())
				cur = nil
			}
		}
	}
	if cur != nil {
		msgs = append(msgs, cur.String())
	}
	return msgs
}

// xPeerPrefix starts the line Debugging adds after the headers; its value
// (the client's address and port) differs from run to run.
const xPeerPrefix = "X-Peer: "

// NormalizeDebugging replaces the value of X-Peer lines so that renderings
// of one message from different runs compare equal.
func NormalizeDebugging(msg string) string {
	lines := strings.SplitAfter(msg, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, xPeerPrefix) {
			lines[i] = xPeerPrefix + "<peer>\n"
		}
	}
	return strings.Join(lines, "")
}

// Client names the client end of a session: the server it talked to (its
// Config.Key) and its port. Ports alone are ambiguous: sessions with
// different servers may use one port at the same time.
type Client struct {
	Server string
	Port   int // 0 when unknown
}

// Delivery is one message a server under test delivered, with the client
// of the session that sent it.
type Delivery struct {
	Client
	Message
}

// Facts selects what of a message a comparison looks at, as one string;
// two messages compare equal when their facts are equal.
type Facts func(Message) string

// ExactFacts are the envelope, the exact bytes and the Debugging rendering
// (X-Peer value normalised). Option keywords and values are compared
// without case: aiosmtpd upper-cases them, gosmtpd keeps them as sent, and
// RFC 5321 2.4 makes keywords case-insensitive.
func ExactFacts(m Message) string {
	opts := make([]string, len(m.Options))
	for i, o := range m.Options {
		opts[i] = strings.ToUpper(o)
	}
	return fmt.Sprintf("from %q to %q options %q content %q debugging %q",
		m.From, m.To, opts, m.Content, NormalizeDebugging(m.Debugging))
}

// RenderingFacts are the Debugging rendering alone (X-Peer value
// normalised): all that a server printing it on stdout shows.
func RenderingFacts(m Message) string { return NormalizeDebugging(m.Debugging) }

// CompareMessages matches the messages each session should have delivered
// (want, per session name) with those the server under test delivered. A
// delivery whose client is in sessions (client to session name) is charged
// to that session; the others form a pool that any session may draw from.
// Messages that are missing or extra are reported per session; extra ones
// nobody can be charged with under "(extra)".
func CompareMessages(want map[string][]Message, got []Delivery, sessions map[Client]string, facts Facts) []Difference {
	bySession := map[string]map[string]int{}
	pool := map[string]int{}
	for _, g := range got {
		key := facts(g.Message)
		name, ok := sessions[g.Client]
		if !ok {
			pool[key]++
			continue
		}
		if bySession[name] == nil {
			bySession[name] = map[string]int{}
		}
		bySession[name][key]++
	}
	var out []Difference
	for _, name := range sortedKeys(want) {
		out = append(out, missingMessages(name, want[name], bySession[name], pool, facts)...)
	}
	for _, name := range sortedKeys(bySession) {
		out = append(out, extraMessages(name, bySession[name])...)
	}
	return append(out, extraMessages("(extra)", pool)...)
}

// missingMessages takes each wanted message out of the session's own
// deliveries, or else out of the pool, and reports those found in neither.
func missingMessages(name string, want []Message, own, pool map[string]int, facts Facts) []Difference {
	var out []Difference
	for _, m := range want {
		key := facts(m)
		switch {
		case own[key] > 0:
			own[key]--
		case pool[key] > 0:
			pool[key]--
		default:
			out = append(out, Difference{Session: name, Step: StepMessages,
				Detail: fmt.Sprintf("not delivered: %s", key)})
		}
	}
	return out
}

// extraMessages reports the deliveries left over.
func extraMessages(name string, left map[string]int) []Difference {
	var out []Difference
	for _, key := range sortedKeys(left) {
		for range left[key] {
			out = append(out, Difference{Session: name, Step: StepMessages,
				Detail: fmt.Sprintf("delivered, but not expected: %s", key)})
		}
	}
	return out
}

// BySession groups deliveries by the session their client names; those of
// unknown clients are left out.
func BySession(got []Delivery, sessions map[Client]string) map[string][]Message {
	out := map[string][]Message{}
	for _, g := range got {
		if name, ok := sessions[g.Client]; ok {
			out[name] = append(out[name], g.Message)
		}
	}
	return out
}

// RenderedDeliveries cuts the output of server's Debugging handler into
// deliveries, each charged to the client port of its X-Peer line (0 when it
// has none).
func RenderedDeliveries(server, out string) []Delivery {
	var got []Delivery
	for _, r := range ParseDebugging(out) {
		got = append(got, Delivery{Client: Client{server, debuggingPeerPort(r)}, Message: Message{Debugging: r}})
	}
	return got
}

// debuggingPeerPort returns the client port in a rendering's X-Peer line
// (the last number on it: "('127.0.0.1', 5025)" and "127.0.0.1:5025" both
// end with the port), or 0 when there is none.
func debuggingPeerPort(msg string) int {
	for _, line := range strings.Split(msg, "\n") {
		value, ok := strings.CutPrefix(line, xPeerPrefix)
		if !ok {
			continue
		}
		end := strings.LastIndexFunc(value, isDigit) + 1
		start := strings.LastIndexFunc(value[:end], func(r rune) bool { return !isDigit(r) }) + 1
		port, err := strconv.Atoi(value[start:end])
		if err != nil {
			return 0
		}
		return port
	}
	return 0
}

// isDigit reports whether r is an ASCII digit.
func isDigit(r rune) bool { return r >= '0' && r <= '9' }
