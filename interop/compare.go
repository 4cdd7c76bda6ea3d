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
// test printed, as
// multisets of normalized renderings. Missing messages are charged to the
// session that delivered them under aiosmtpd; extra ones to "(extra)".
func CompareMessages(want map[string][]Message, got []string) []Difference {
	left := map[string]int{}
	for _, g := range got {
		left[NormalizeDebugging(g)]++
	}
	var out []Difference
	for _, session := range sortedKeys(want) {
		for _, m := range want[session] {
			key := NormalizeDebugging(m.Debugging)
			if left[key] > 0 {
				left[key]--
				continue
			}
			out = append(out, Difference{Session: session, Step: StepMessages,
				Detail: fmt.Sprintf("not delivered: %q", key)})
		}
	}
	for _, key := range sortedKeys(left) {
		for range left[key] {
			out = append(out, Difference{Session: "(extra)", Step: StepMessages,
				Detail: fmt.Sprintf("delivered, but not by aiosmtpd: %q", key)})
		}
	}
	return out
}
