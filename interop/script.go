package interop

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Script is one scripted session, parsed from a file such as:
//
//	# RCPT before MAIL is a bad sequence (RFC 5321 4.1.4).
//	# config: smtputf8 size=1000
//	C: EHLO client.example
//	S: 250
//	C: RCPT TO:<a@example.com>
//	S: 503
//	C: QUIT
//	S: 221
//	S: close
//
// Lines:
//
//	C: text   send text followed by CRLF (escapes below)
//	C! text   send text as is, nothing appended
//	S: code   expect one complete reply (multi-line replies count once)
//	S: close  expect the server to close the connection
//	P: ms     write what is queued, then pause ms milliseconds
//	# ...     comment; "# config: ..." chooses the server options (Config)
//
// The letters mean what they mean in the core's transcripts
// (fsm/transcript_test.go), which add the lines only a core test can
// play (W: a read that timed out, E: the peer's close, ...).
//
// The 220 greeting is read before the first line and is not written in
// the script. A run of C lines is sent in one write and the S lines that
// follow are read after it, so several commands before their replies are
// pipelined (RFC 2920) exactly as written. At the end the runner half-closes
// the connection and expects nothing more than the server closing it.
//
// Escapes in C lines: \r \n \t \\ \xHH (one byte), and \{N:text} for text
// repeated N times (text may hold escapes except "}").
type Script struct {
	Name   string // file name without ".txt"
	Config Config
	Items  []Item

	sendBytes int // total of the Data of all items, checked against maxSendBytes
}

// ItemKind says what a script line asks for.
type ItemKind int

const (
	ItemSend   ItemKind = iota // write Data
	ItemExpect                 // read one reply with code Code, or the close
	ItemPause                  // flush queued data and sleep Pause
)

// CodeClose is the Code of an ItemExpect that waits for the server to close.
const CodeClose = -1

// Item is one line of a script that does something.
type Item struct {
	Kind  ItemKind
	Line  int    // line number in the file, from 1
	Data  []byte // ItemSend: the bytes to send, owned by the Item
	Code  int    // ItemExpect: the reply code, or CodeClose
	Pause time.Duration
}

// Expects returns how many replies (and closes) the script waits for,
// the greeting not included.
func (s *Script) Expects() int {
	n := 0
	for _, it := range s.Items {
		if it.Kind == ItemExpect {
			n++
		}
	}
	return n
}

// LoadScripts parses every *.txt file in dir, in name order.
func LoadScripts(dir string) ([]*Script, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return nil, err
	}
	scripts := make([]*Script, 0, len(files))
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		s, err := ParseScript(strings.TrimSuffix(filepath.Base(f), ".txt"), src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		scripts = append(scripts, s)
	}
	return scripts, nil
}

// ParseScript parses the text of one session; name labels errors and
// results.
func ParseScript(name string, src []byte) (*Script, error) {
	s := &Script{Name: name, Config: defaultConfig()}
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		if err := s.parseLine(n, strings.TrimSuffix(sc.Text(), "\r")); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(s.Items) == 0 {
		return nil, fmt.Errorf("no steps")
	}
	return s, nil
}

// parseLine adds the item on line n, if any, to s.
func (s *Script) parseLine(n int, line string) error {
	if strings.TrimSpace(line) == "" {
		return nil
	}
	if strings.HasPrefix(line, "#") {
		words, ok := strings.CutPrefix(strings.TrimSpace(line[1:]), "config:")
		if !ok {
			return nil
		}
		return parseConfig(&s.Config, words)
	}
	if len(line) < 2 || (line[1] != ':' && line[1] != '!') {
		return fmt.Errorf("want C:, C!, S:, P: or #, got %q", line)
	}
	tag, rest := line[:2], strings.TrimPrefix(line[2:], " ")
	item, err := parseItem(tag, rest)
	if err != nil {
		return err
	}
	item.Line = n
	s.sendBytes += len(item.Data)
	if s.sendBytes > maxSendBytes {
		return fmt.Errorf("the script sends more than %d bytes", maxSendBytes)
	}
	s.Items = append(s.Items, item)
	return nil
}

// parseItem turns the tag and text of one line into an Item.
func parseItem(tag, rest string) (Item, error) {
	switch tag {
	case "C:", "C!":
		data, err := Unescape(rest)
		if err != nil {
			return Item{}, err
		}
		if tag == "C:" {
			data = append(data, '\r', '\n')
		}
		return Item{Kind: ItemSend, Data: data}, nil
	case "S:":
		return parseExpect(strings.TrimSpace(rest))
	case "P:":
		ms, err := strconv.Atoi(strings.TrimSpace(rest))
		if err != nil || ms < 0 || ms > 5000 {
			return Item{}, fmt.Errorf("P: wants 0..5000 milliseconds, got %q", rest)
		}
		return Item{Kind: ItemPause, Pause: time.Duration(ms) * time.Millisecond}, nil
	}
	return Item{}, fmt.Errorf("unknown tag %q", tag)
}

// parseExpect reads the argument of an S: line.
func parseExpect(arg string) (Item, error) {
	if arg == "close" {
		return Item{Kind: ItemExpect, Code: CodeClose}, nil
	}
	code, err := strconv.Atoi(arg)
	if err != nil || code < 200 || code > 599 || len(arg) != 3 {
		return Item{}, fmt.Errorf("S: wants a reply code 200..599 or close, got %q", arg)
	}
	return Item{Kind: ItemExpect, Code: code}, nil
}

// Unescape returns the bytes a C line stands for; see Script for the
// escapes. The result is newly allocated and owned by the caller.
func Unescape(s string) ([]byte, error) {
	var out []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			out = append(out, s[i])
			continue
		}
		if i+1 == len(s) {
			return nil, fmt.Errorf("lone backslash at the end of %q", s)
		}
		b, used, err := unescapeOne(s[i+1:])
		if err != nil {
			return nil, err
		}
		if len(out)+len(b) > maxLineBytes {
			return nil, fmt.Errorf("line expands to more than %d bytes", maxLineBytes)
		}
		out = append(out, b...)
		i += used
	}
	return out, nil
}

// unescapeOne decodes the escape that starts s (just after the backslash)
// and says how many bytes of s it used.
func unescapeOne(s string) ([]byte, int, error) {
	switch s[0] {
	case 'r':
		return []byte{'\r'}, 1, nil
	case 'n':
		return []byte{'\n'}, 1, nil
	case 't':
		return []byte{'\t'}, 1, nil
	case '\\':
		return []byte{'\\'}, 1, nil
	case 'x':
		if len(s) < 3 {
			return nil, 0, fmt.Errorf("short \\x escape in %q", s)
		}
		v, err := strconv.ParseUint(s[1:3], 16, 8)
		if err != nil {
			return nil, 0, fmt.Errorf("bad \\x escape %q", s[:3])
		}
		return []byte{byte(v)}, 3, nil
	case '{':
		return unescapeRepeat(s)
	}
	return nil, 0, fmt.Errorf("unknown escape \\%c", s[0])
}

// Bounds on what escapes expand to, so that a mistyped count (or a fuzzed
// script) cannot exhaust memory.
const (
	maxRepeat    = 8 << 20  // one \{N:text} escape
	maxLineBytes = 16 << 20 // one C line
	maxSendBytes = 64 << 20 // all C lines of a script
)

// unescapeRepeat decodes "{N:text}" at the start of s.
func unescapeRepeat(s string) ([]byte, int, error) {
	end := strings.IndexByte(s, '}')
	colon := strings.IndexByte(s, ':')
	if end < 0 || colon < 0 || colon > end {
		return nil, 0, fmt.Errorf("want \\{N:text} in %q", s)
	}
	n, err := strconv.Atoi(s[1:colon])
	if err != nil || n < 0 || n > 1<<20 {
		return nil, 0, fmt.Errorf("bad repeat count in %q", s[:end+1])
	}
	unit, err := Unescape(s[colon+1 : end])
	if err != nil {
		return nil, 0, err
	}
	if len(unit) > 0 && n > maxRepeat/len(unit) {
		return nil, 0, fmt.Errorf("%q repeats to more than %d bytes", s[:end+1], maxRepeat)
	}
	return bytes.Repeat(unit, n), end + 1, nil
}
