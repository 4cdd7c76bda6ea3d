package observe

import (
	"io"
	"strconv"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// LogText returns an Observer that writes the lines of Log to w byte for
// byte as Log(slog.New(slog.NewTextHandler(w, nil))) writes them, for a
// fraction of the cost: it appends the line's fields straight into a
// reused buffer, without building a slog.Record or its attributes. With a
// line per message, slog's formatting was most of what the line cost a
// busy server. Each line is one Write to w, and Writes are not concurrent.
func LogText(w io.Writer) Observer { return &lineLog{w: w, now: time.Now} }

// LogJSON is LogText in the format of slog.NewJSONHandler(w, nil).
func LogJSON(w io.Writer) Observer { return &lineLog{w: w, json: true, now: time.Now} }

type lineLog struct {
	w    io.Writer
	mu   sync.Mutex // serialises the Writes, as slog's handlers do
	json bool
	now  func() time.Time // the line's time; tests fix it
}

// lineBufs holds the buffers lines are formatted in; one larger than
// keptLineBuf (a hostile reply or address) is not kept.
var lineBufs = sync.Pool{New: func() any { return new(lineBuf) }}

const keptLineBuf = 4 << 10

func (o *lineLog) Observe(e *Event) {
	msg := lineMessage(e)
	if msg == "" {
		return
	}
	l := lineBufs.Get().(*lineBuf)
	l.start(o.json, o.now(), msg)
	l.string("session", e.Session)
	l.string("client", e.Client)
	l.angle("from", e.Sender)
	switch e.Kind {
	case Message: // the fields and order of logObserver.message
		l.int("nrcpt", int64(e.Recipients))
		l.int("size", e.Size)
		l.reply(e)
		l.duration("duration", e.Duration)
		if e.Recipient != nil {
			l.angle("to", e.Recipient)
		}
		if e.Abandoned != nil {
			l.string("abandoned", e.Abandoned.Error())
		}
	case Recipient:
		l.angle("to", e.Recipient)
		l.reply(e)
	default:
		l.reply(e)
	}
	l.end()
	o.mu.Lock()
	o.w.Write(l.line)
	o.mu.Unlock()
	if cap(l.line) <= keptLineBuf && cap(l.value) <= keptLineBuf {
		lineBufs.Put(l)
	}
}

// lineMessage is the msg of e's line, as Log chooses it; "": e gets none.
func lineMessage(e *Event) string {
	switch {
	case e.Kind == Message && e.Reply.Positive():
		return "message accepted"
	case e.Kind == Message:
		return "message refused"
	case e.Kind == Mail && !e.Reply.Positive():
		return "sender refused"
	case e.Kind == Recipient && !e.Reply.Positive():
		return "recipient refused"
	}
	return ""
}

// lineBuf formats one line in the manner of slog's TextHandler or
// JSONHandler without options: time, level, msg, then the fields, text as
// key=value separated by spaces, a value quoted (strconv.Quote) when empty
// or holding a space, '=', '"', a control or non-printing character or
// invalid UTF-8; JSON as one object, strings escaped as slog escapes them.
type lineBuf struct {
	line  []byte
	value []byte // a value being put together: an address in brackets, a reply
	json  bool
}

func (l *lineBuf) start(json bool, t time.Time, msg string) {
	l.json, l.line = json, l.line[:0]
	t = t.Round(0) // no monotonic reading, as slog.Record
	if json {
		l.line = append(l.line, `{"time":"`...)
		l.line = t.AppendFormat(l.line, time.RFC3339Nano)
		l.line = append(l.line, `","level":"INFO","msg":`...)
		l.appendString(msg)
		return
	}
	l.line = append(l.line, "time="...)
	l.line = appendMillis(l.line, t)
	l.line = append(l.line, " level=INFO msg="...)
	l.appendString(msg)
}

// appendMillis appends t as RFC 3339 with exactly three digits of
// fractional seconds, as slog's TextHandler: 2026-12-06T09:54:42.123Z.
func appendMillis(b []byte, t time.Time) []byte {
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10) // RFC3339Nano then has 4 digits
	n := len(b) + len("2006-01-02T15:04:05.000")
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b[:n], b[n+1:]...) // without the 4th
}

func (l *lineBuf) end() {
	if l.json {
		l.line = append(l.line, '}')
	}
	l.line = append(l.line, '\n')
}

func (l *lineBuf) key(k string) {
	if l.json {
		l.line = append(l.line, ',', '"')
		l.line = append(l.line, k...)
		l.line = append(l.line, '"', ':')
		return
	}
	l.line = append(l.line, ' ')
	l.line = append(l.line, k...)
	l.line = append(l.line, '=')
}

func (l *lineBuf) string(k, v string) {
	l.key(k)
	l.appendString(v)
}

func (l *lineBuf) int(k string, n int64) {
	l.key(k)
	l.line = strconv.AppendInt(l.line, n, 10)
}

// duration is written as slog writes a time.Duration: its String in text,
// nanoseconds in JSON.
func (l *lineBuf) duration(k string, d time.Duration) {
	l.key(k)
	if l.json {
		l.line = strconv.AppendInt(l.line, int64(d), 10)
		return
	}
	l.line = append(l.line, d.String()...) // never quoted, as slog
}

// angle writes mailbox as angle does: <a@example.org>.
func (l *lineBuf) angle(k string, mailbox []byte) {
	l.value = append(append(append(l.value[:0], '<'), mailbox...), '>')
	l.string(k, bytesView(l.value))
}

func (l *lineBuf) reply(e *Event) {
	l.value = appendReplyLine(l.value[:0], e.Reply)
	l.string("reply", bytesView(l.value))
}

// bytesView is b as a string, without a copy: the string is used, and
// dropped, before b changes.
func bytesView(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func (l *lineBuf) appendString(s string) {
	switch {
	case l.json:
		l.line = append(l.line, '"')
		l.line = appendJSONEscaped(l.line, s)
		l.line = append(l.line, '"')
	case needsQuoting(s):
		l.line = strconv.AppendQuote(l.line, s)
	default:
		l.line = append(l.line, s...)
	}
}

// needsQuoting reports whether slog's TextHandler quotes s: when it is
// empty, or has a space, '=', '"', an ASCII control character, a Unicode
// space or non-printing character, U+FFFD or invalid UTF-8. A backslash
// alone does not make it quoted.
func needsQuoting(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b <= ' ' || b == '=' || b == '"' {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}

// appendJSONEscaped appends s as the inside of a JSON string, escaped as
// slog's JSONHandler escapes it: '"' and '\\' with a backslash, \n, \r and
// \t by name, the other ASCII controls as \u00XX, each byte of invalid
// UTF-8 as \ufffd, U+2028 and U+2029 as \u2028 and \u2029 (for JSONP);
// '<', '>' and '&' are left as they are.
func appendJSONEscaped(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	done := 0 // s[:done] is in b
	for i := 0; i < len(s); {
		c, r, size := s[i], rune(s[i]), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
			if (r != utf8.RuneError || size != 1) && r != '\u2028' && r != '\u2029' {
				i += size
				continue
			}
		} else if c >= ' ' && c != '"' && c != '\\' {
			i++
			continue
		}
		b = append(b, s[done:i]...)
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '\r':
			b = append(b, `\r`...)
		case c == '\t':
			b = append(b, `\t`...)
		case c < ' ':
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		case r == utf8.RuneError:
			b = append(b, `\ufffd`...)
		default: // U+2028, U+2029
			b = append(b, `\u202`...)
			b = append(b, hex[r&0xF])
		}
		i += size
		done = i
	}
	return append(b, s[done:]...)
}
