package interop

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// ParseGolden reads a file written by Transcript.Golden back into a
// transcript (without its Script). Only what the comparison needs is kept:
// codes, texts, the end, trailing bytes and the messages.
func ParseGolden(src []byte) (*Transcript, error) {
	t := &Transcript{}
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(nil, 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := t.parseGoldenLine(line); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
	}
	return t, sc.Err()
}

// parseGoldenLine adds the fact on one line to t.
func (t *Transcript) parseGoldenLine(line string) error {
	kind, rest, _ := strings.Cut(line, " ")
	switch kind {
	case "reply":
		return t.parseGoldenReply(rest)
	case "error":
		return nil // informative only
	case "end":
		t.End = End(rest)
		if rest == "none" {
			t.End = EndNone
		}
		return nil
	case "trailing":
		s, err := strconv.Unquote(rest)
		t.Trailing = []byte(s)
		return err
	case "message":
		return t.parseGoldenMessage(rest)
	}
	return fmt.Errorf("unknown golden line %q", line)
}

// parseGoldenReply reads `INDEX line LINE CODE LINES "text"`.
func (t *Transcript) parseGoldenReply(rest string) error {
	f := strings.SplitN(rest, " ", 6)
	if len(f) != 6 || f[1] != "line" {
		return fmt.Errorf("malformed reply %q", rest)
	}
	var st Step
	var err [5]error
	st.Index, err[0] = strconv.Atoi(f[0])
	st.Line, err[1] = strconv.Atoi(f[2])
	st.Got.Code, err[2] = parseCode(f[3])
	st.Got.Lines, err[3] = strconv.Atoi(f[4])
	st.Got.Text, err[4] = strconv.Unquote(f[5])
	for _, e := range err {
		if e != nil {
			return fmt.Errorf("malformed reply %q: %w", rest, e)
		}
	}
	if st.Index != len(t.Steps) {
		return fmt.Errorf("reply %d out of order", st.Index)
	}
	t.Steps = append(t.Steps, st)
	return nil
}

// parseGoldenMessage reads `N field "value"`.
func (t *Transcript) parseGoldenMessage(rest string) error {
	f := strings.SplitN(rest, " ", 3)
	if len(f) != 3 {
		return fmt.Errorf("malformed message %q", rest)
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n < 1 || n > len(t.Messages)+1 {
		return fmt.Errorf("message number %q out of order", f[0])
	}
	value, err := strconv.Unquote(f[2])
	if err != nil {
		return fmt.Errorf("malformed message value %q: %w", f[2], err)
	}
	if n > len(t.Messages) {
		t.Messages = append(t.Messages, Message{})
	}
	return t.Messages[n-1].set(f[1], value)
}

// set fills one field of m from a golden message line.
func (m *Message) set(field, value string) error {
	switch field {
	case "from":
		m.From = value
	case "to":
		m.To = append(m.To, value)
	case "option":
		m.Options = append(m.Options, value)
	case "content":
		m.Content = []byte(value)
	case "debugging":
		m.Debugging = value
	default:
		return fmt.Errorf("unknown message field %q", field)
	}
	return nil
}
