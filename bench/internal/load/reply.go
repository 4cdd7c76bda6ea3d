package load

import (
	"bufio"
	"fmt"
)

// ReplyError is a reply whose code was not the one a step expected.
type ReplyError struct {
	Step string // the command or stage that was answered
	Code int
}

func (e *ReplyError) Error() string {
	return fmt.Sprintf("%s: unexpected reply %d", e.Step, e.Code)
}

// readReply reads one reply, all its continuation lines included, and
// returns its code. It copies nothing: the lines are only looked at in r's
// buffer.
func readReply(r *bufio.Reader) (int, error) {
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		code, last, ok := parseReplyLine(line)
		if !ok {
			return 0, fmt.Errorf("malformed reply line %q", line)
		}
		if last {
			return code, nil
		}
	}
}

// parseReplyLine returns the code of a reply line and whether it is the last
// line of its reply ("250 x" rather than "250-x").
func parseReplyLine(line []byte) (code int, last, ok bool) {
	if len(line) < 4 {
		return 0, false, false
	}
	for _, c := range line[:3] {
		if c < '0' || c > '9' {
			return 0, false, false
		}
		code = code*10 + int(c-'0')
	}
	switch line[3] {
	case ' ', '\r', '\n':
		return code, true, true
	case '-':
		return code, false, true
	}
	return 0, false, false
}

// expect reads one reply and fails unless its first digit is class.
func expect(r *bufio.Reader, class int, step string) error {
	code, err := readReply(r)
	if err != nil {
		return fmt.Errorf("%s: %w", step, err)
	}
	if code/100 != class {
		return &ReplyError{Step: step, Code: code}
	}
	return nil
}
