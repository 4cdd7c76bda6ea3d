package interop

import (
	"fmt"
	"strconv"
	"strings"
)

// Reply is one complete server reply as the runner saw it.
type Reply struct {
	Code  int    // the reply code; CodeClose if the server closed instead; 0 if nothing came
	Text  string // the text of the first line, after the code and separator
	Lines int    // how many lines the reply had
}

// Step is the outcome of one expectation: the greeting or an S line.
type Step struct {
	Index int    // 0 for the greeting, then one per S line in script order
	Line  int    // line of the S line in the script; 0 for the greeting
	Want  int    // the code the script expects, or CodeClose
	Got   Reply  // what came
	Err   string // why nothing usable came (timeout, malformed reply, ...)
}

// OK tells whether the step got what the script expects.
func (s Step) OK() bool { return s.Err == "" && s.Got.Code == s.Want }

// End says how a session ended after its last step.
type End string

const (
	EndClosed End = "closed" // the server closed the connection (after QUIT or the client's EOF)
	EndOpen   End = "open"   // the server kept the connection open after the client's EOF
	EndNone   End = ""       // not reached: a step failed
)

// Transcript is everything one run of a script observed.
type Transcript struct {
	Script    *Script
	Steps     []Step
	End       End
	Trailing  []byte    // bytes the server sent after the last expected reply
	WriteErr  string    // the first failed write, if any (informative only)
	LocalPort int       // the client's port, to match messages to the session
	Messages  []Message // messages the server delivered during the session
}

// Message is one delivered message as the server's handler saw it.
type Message struct {
	From      string
	To        []string
	Options   []string
	Content   []byte // the message bytes after dot-unstuffing
	Debugging string // the message as aiosmtpd's Debugging handler prints it
}

// Problems lists how the transcript departs from its script: wrong codes,
// read failures, bytes after the last reply, a server that stayed open.
func (t *Transcript) Problems() []string {
	var out []string
	for _, st := range t.Steps {
		if !st.OK() {
			out = append(out, fmt.Sprintf("reply %d (script line %d): want %s, got %s",
				st.Index, st.Line, codeString(st.Want), st.describe()))
		}
	}
	if len(t.Trailing) > 0 {
		out = append(out, fmt.Sprintf("unexpected bytes after the last reply: %q", t.Trailing))
	}
	if t.End == EndOpen {
		out = append(out, "the server kept the connection open after the client's EOF")
	}
	return out
}

// describe renders what a step got, for error messages.
func (s Step) describe() string {
	if s.Err != "" {
		return fmt.Sprintf("%s (%s)", codeString(s.Got.Code), s.Err)
	}
	if s.Got.Code == CodeClose {
		return "close"
	}
	return fmt.Sprintf("%d %q", s.Got.Code, s.Got.Text)
}

// codeString spells a code as the script and golden files do.
func codeString(code int) string {
	switch code {
	case CodeClose:
		return "close"
	case 0:
		return "none"
	}
	return strconv.Itoa(code)
}

// parseCode is the inverse of codeString.
func parseCode(s string) (int, error) {
	switch s {
	case "close":
		return CodeClose, nil
	case "none":
		return 0, nil
	}
	return strconv.Atoi(s)
}

// Golden renders the transcript in the golden-file format, one fact a line:
//
//	reply INDEX line LINE CODE LINES "first line text"
//	end closed|open
//	trailing "bytes"
//	message N from|to|option|content|debugging "value"
//
// header is written first as a comment.
func (t *Transcript) Golden(header string) string {
	var b strings.Builder
	for _, line := range strings.Split(header, "\n") {
		fmt.Fprintf(&b, "# %s\n", line)
	}
	for _, st := range t.Steps {
		fmt.Fprintf(&b, "reply %d line %d %s %d %q\n", st.Index, st.Line, codeString(st.Got.Code), st.Got.Lines, st.Got.Text)
		if st.Err != "" {
			fmt.Fprintf(&b, "error %d %q\n", st.Index, st.Err)
		}
	}
	fmt.Fprintf(&b, "end %s\n", codeStringEnd(t.End))
	if len(t.Trailing) > 0 {
		fmt.Fprintf(&b, "trailing %q\n", t.Trailing)
	}
	for i, m := range t.Messages {
		m.golden(&b, i+1)
	}
	return b.String()
}

// codeStringEnd spells End for the golden file.
func codeStringEnd(e End) string {
	if e == EndNone {
		return "none"
	}
	return string(e)
}

// golden writes one message's lines.
func (m Message) golden(b *strings.Builder, n int) {
	fmt.Fprintf(b, "message %d from %q\n", n, m.From)
	for _, to := range m.To {
		fmt.Fprintf(b, "message %d to %q\n", n, to)
	}
	for _, o := range m.Options {
		fmt.Fprintf(b, "message %d option %q\n", n, o)
	}
	fmt.Fprintf(b, "message %d content %q\n", n, m.Content)
	fmt.Fprintf(b, "message %d debugging %q\n", n, m.Debugging)
}
