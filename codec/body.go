package codec

import "bytes"

// DotDecoder turns the bytes that follow a 354 reply into the message: it
// removes dot-stuffing (RFC 5321 §4.5.2) in place and finds the end of data,
// which is only ever CRLF "." CRLF. LF.LF, CRLF.LF, LF.CRLF, CR.CR and every
// other variant are data (SMTP smuggling: CVE-2023-51764, CVE-2024-27305).
//
// Line starts are only ever after CRLF; a "." that starts a line is removed
// (RFC 5321 §4.5.2: stuffed, or a lone leading dot). Bare CR, bare LF and NUL
// bytes are kept as data and reported in the flags, so that the caller can
// apply its policy after the end of data without having buffered the message.
//
// The zero value is ready for the first byte after the 354 reply, which
// starts a line. Reset makes it ready again.
type DotDecoder struct {
	state   uint8 // lineStart, midLine or afterCR
	lineLen int   // octets on the current line so far

	MaxLine  int  // longest text line in octets without CRLF; 0 = no limit
	LongLine bool // a line longer than MaxLine was seen
	Bare     bool // a bare CR or bare LF was seen
	Null     bool // a NUL byte was seen
}

// Reset readies d for a new message, keeping MaxLine.
func (d *DotDecoder) Reset() { *d = DotDecoder{MaxLine: d.MaxLine} }

// Decode decodes the start of buf in place. out is the decoded body, a prefix
// of buf (its bytes are overwritten; out is valid until buf is reused); n is
// how many input bytes were consumed (len(out) <= n); done is true when the
// terminating CRLF.CRLF was consumed, and then buf[n:] is the first byte after
// it. The CRLF before the final dot belongs to the body and is in out.
//
// When buf ends in "." or ".\r" at the start of a line, Decode cannot yet tell
// stuffing from the end of data: it leaves those (at most 2) bytes unconsumed
// and the caller passes them again, followed by more input.
func (d *DotDecoder) Decode(buf []byte) (out []byte, n int, done bool) {
	w, r := 0, 0
	for r < len(buf) {
		switch d.state {
		case lineStart:
			if buf[r] == '.' {
				switch {
				case r+1 == len(buf) || buf[r+1] == '\r' && r+2 == len(buf):
					return buf[:w], r, false // cannot tell yet
				case buf[r+1] == '\r' && buf[r+2] == '\n':
					d.state = lineStart
					return buf[:w], r + 3, true
				}
				r++ // a leading dot is removed (stuffing)
			}
			d.state = midLine
		case afterCR:
			if buf[r] == '\n' {
				buf[w] = '\n'
				w, r = w+1, r+1
				d.state, d.lineLen = lineStart, 0
				continue
			}
			d.Bare = true // the CR was not followed by LF
			d.state = midLine
		default:
			k := d.scanLine(buf[r:])
			if w != r {
				copy(buf[w:], buf[r:r+k])
			}
			w, r = w+k, r+k
		}
	}
	return buf[:w], r, false
}

// scanLine takes data bytes from the start of seg up to and including the
// next CR (state afterCR) or bare LF (state stays midLine), or all of seg,
// updating the flags, and returns how many bytes it took.
func (d *DotDecoder) scanLine(seg []byte) int {
	end := bytes.IndexByte(seg, '\r')
	if end < 0 {
		end = len(seg)
	}
	k := end
	if lf := bytes.IndexByte(seg[:end], '\n'); lf >= 0 {
		d.Bare, k = true, lf+1
	} else if end < len(seg) {
		k = end + 1
		d.state = afterCR
	}
	if !d.Null && bytes.IndexByte(seg[:k], 0) >= 0 {
		d.Null = true
	}
	d.lineLen += k
	if d.state == afterCR {
		d.lineLen-- // the CR of CRLF does not count
	}
	if d.MaxLine > 0 && d.lineLen > d.MaxLine {
		d.LongLine = true
	}
	return k
}

// Decoder states.
const (
	lineStart uint8 = iota
	midLine
	afterCR
)

// DotEncoder applies dot-stuffing: it doubles a "." at the start of every
// line and, on Close, appends the end-of-data marker (with a CRLF first when
// the message did not end with one). DotDecoder inverts it for every message
// that ends in CRLF. Used by the Proxy handler, the bench client and tests.
type DotEncoder struct {
	midLine bool // the last byte written was not the LF of a CRLF
	lastCR  bool // the last byte written was CR
}

// Append appends the dot-stuffed form of p to dst.
func (e *DotEncoder) Append(dst, p []byte) []byte {
	for len(p) > 0 {
		if !e.midLine && p[0] == '.' {
			dst = append(dst, '.')
		}
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			dst = append(dst, p...)
			e.midLine, e.lastCR = true, p[len(p)-1] == '\r'
			return dst
		}
		crlf := i > 0 && p[i-1] == '\r' || i == 0 && e.lastCR
		dst = append(dst, p[:i+1]...)
		p = p[i+1:]
		e.midLine, e.lastCR = !crlf, false
	}
	return dst
}

// Close appends the end-of-data marker to dst and readies e for a new message.
func (e *DotEncoder) Close(dst []byte) []byte {
	if e.midLine {
		dst = append(dst, "\r\n"...)
	}
	*e = DotEncoder{}
	return append(dst, ".\r\n"...)
}

// ParseBDAT parses the argument of BDAT: "chunk-size [LAST]" (RFC 3030 §2),
// case-insensitive LAST. ok is false for anything else.
func ParseBDAT(arg []byte) (size int64, last bool, ok bool) {
	num, rest, hasRest := cutByteMore(arg, ' ')
	if hasRest {
		if !EqualFold(rest, "LAST") {
			return 0, false, false
		}
		last = true
	}
	size, ok = ParseSize(num)
	return size, last, ok
}
