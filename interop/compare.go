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

// CompareMessages matches the messages aiosmtpd delivered (per session,
// from the golden files) with the Debugging renderings the server under
// test printed. A rendering whose X-Peer line names a client port found in
// sessions (port to session name) is charged to that session; the others
// form a pool that any session may draw from. Messages that are missing
// or extra are reported per session; extra ones nobody can be charged with
// under "(extra)".
func CompareMessages(want map[string][]Message, got []string, sessions map[int]string) []Difference {
	bySession := map[string]map[string]int{}
	pool := map[string]int{}
	for _, g := range got {
		key := NormalizeDebugging(g)
		name, ok := sessions[debuggingPeerPort(g)]
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
		out = append(out, missingMessages(name, want[name], bySession[name], pool)...)
	}
	for _, name := range sortedKeys(bySession) {
		out = append(out, extraMessages(name, bySession[name])...)
	}
	return append(out, extraMessages("(extra)", pool)...)
}

// missingMessages takes each wanted message out of the session's own
// renderings, or else out of the pool, and reports those found in neither.
func missingMessages(name string, want []Message, own, pool map[string]int) []Difference {
	var out []Difference
	for _, m := range want {
		key := NormalizeDebugging(m.Debugging)
		switch {
		case own[key] > 0:
			own[key]--
		case pool[key] > 0:
			pool[key]--
		default:
			out = append(out, Difference{Session: name, Step: StepMessages,
				Detail: fmt.Sprintf("not delivered: %q", key)})
		}
	}
	return out
}

// extraMessages reports the renderings left over.
func extraMessages(name string, left map[string]int) []Difference {
	var out []Difference
	for _, key := range sortedKeys(left) {
		for range left[key] {
			out = append(out, Difference{Session: name, Step: StepMessages,
				Detail: fmt.Sprintf("delivered, but not by aiosmtpd: %q", key)})
		}
	}
	return out
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
