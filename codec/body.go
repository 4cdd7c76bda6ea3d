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
// The flags cover every body byte consumed so far, whatever the split of the
// input into calls, and are final once the end of data is consumed.
//
// The length of a line is its octets up to its CRLF, not counting the CRLF or
// a removed leading dot (RFC 5321 §4.5.3.1.6); a bare CR or LF is an octet of
// the line like any other, since it ends no line.
//
// The zero value is ready for the first byte after the 354 reply, which
// starts a line. Reset makes it ready again.
type DotDecoder struct {
	state   uint8 // lineStart, midLine or afterCR
	lineLen int   // octets on the current line so far, without a final CR

	MaxLine  int  // longest text line in octets without CRLF; 0 = no limit
	LongLine bool // a line longer than MaxLine was seen
	Bare     bool // a bare CR or bare LF was seen
	Null     bool // a NUL byte was seen
}

// Decoder states between calls.
const (
	lineStart uint8 = iota // the next byte starts a line
	midLine                // the next byte continues a line
	afterCR                // the last byte was a CR: CRLF or a bare CR
)

// Reset readies d for a new message, keeping MaxLine.
func (d *DotDecoder) Reset() { *d = DotDecoder{MaxLine: d.MaxLine} }

// Decode decodes the start of buf in place. out is the decoded body, a prefix
// of buf (its bytes are overwritten; out is valid until buf is reused); n is
// how many input bytes were consumed (len(out) <= n); done is true when the
// terminating CRLF.CRLF was consumed, and then buf[n:] is the first byte after
// it, unchanged. The CRLF before the final dot belongs to the body and is in
// out. After done, d is at the start of a line again, ready for the next
// message; the flags stay until Reset.
//
// When buf ends in "." or ".\r" at the start of a line, Decode cannot yet tell
// stuffing from the end of data: it leaves those (at most 2) bytes unconsumed
// and the caller passes them again, followed by more input. A CR at the end of
// buf is consumed: whether it was bare is settled by the next call.
//
// The scan looks for LF only (bytes.IndexByte), so its cost is one call per
// line; body bytes move only after a removed dot, a stretch at a time. Bare CR
// and NUL are found afterwards by whole-buffer passes over out.
func (d *DotDecoder) Decode(buf []byte) (out []byte, n int, done bool) {
	if len(buf) == 0 {
		return buf, 0, false
	}
	s := bodyScan{buf: buf, line: -d.lineLen}
	r, atStart := d.resume(&s)
	for {
		if atStart {
			switch lineHead(buf[r:]) {
			case headWait:
				d.state, d.lineLen = lineStart, 0
				return d.finish(&s, r), r, false
			case headEnd:
				d.state, d.lineLen = lineStart, 0
				return d.finish(&s, r), r + len(".\r\n"), true
			case headStuffed:
				s.drop(r)
				r++
			}
			s.line = r
		}
		i := bytes.IndexByte(buf[r:], '\n')
		if i < 0 {
			break
		}
		r += i + 1
		atStart = d.endsLine(&s, r-1)
	}
	d.saveTail(&s)
	return d.finish(&s, len(buf)), len(buf), false
}

// bodyScan is the working state of one Decode call over buf.
type bodyScan struct {
	buf   []byte
	w     int // the body so far is buf[:w]
	span  int // buf[span:] up to the scan is body not yet moved to buf[w:]
	line  int // where the current line's octets start in buf; < 0 when it began in an earlier call
	pairs int // CRLFs with both octets in this call's body
}

// drop removes the dot at buf[at] from the body.
func (s *bodyScan) drop(at int) {
	s.flush(at)
	s.span = at + 1
}

// flush moves the body bytes before end into place.
func (s *bodyScan) flush(end int) {
	if s.w != s.span {
		copy(s.buf[s.w:], s.buf[s.span:end])
	}
	s.w += end - s.span
	s.span = end
}

// resume settles a CR that ended the previous call and returns where the scan
// starts and whether that is the start of a line. buf is not empty.
func (d *DotDecoder) resume(s *bodyScan) (int, bool) {
	switch {
	case d.state != afterCR:
		return 0, d.state == lineStart
	case s.buf[0] == '\n':
		d.checkLine(d.lineLen)
		return 1, true
	}
	d.Bare = true // the CR was not followed by LF: it is an octet of its line
	s.line--
	return 0, false
}

// What a line starts with, as far as the end of data is concerned.
const (
	headData    = iota // not a dot: plain data
	headStuffed        // a dot followed by data: the dot is removed
	headEnd            // ".\r\n": the end of data
	headWait           // nothing, ".", or ".\r": more input decides
)

// lineHead classifies rest, the input from the start of a line on.
func lineHead(rest []byte) int {
	switch {
	case len(rest) == 0:
		return headWait
	case rest[0] != '.':
		return headData
	case len(rest) == 1:
		return headWait
	case rest[1] != '\r':
		return headStuffed
	case len(rest) == 2:
		return headWait
	case rest[2] == '\n':
		return headEnd
	}
	return headStuffed
}

// endsLine handles the LF at buf[lf]: a CRLF ends the line, a bare LF is data.
// It reports whether a line starts after it.
func (d *DotDecoder) endsLine(s *bodyScan, lf int) bool {
	if lf == 0 || s.buf[lf-1] != '\r' {
		d.Bare = true
		return false
	}
	s.pairs++
	d.checkLine(lf - 1 - s.line)
	return true
}

// saveTail remembers the line that buf ends in, for the next call: its length
// so far, and whether its last byte is a CR still to be settled.
func (d *DotDecoder) saveTail(s *bodyScan) {
	end := len(s.buf)
	d.state = midLine
	if s.buf[end-1] == '\r' {
		d.state = afterCR
		end--
	}
	d.lineLen = end - s.line
	d.checkLine(d.lineLen)
}

// checkLine records a line (or the start of one) of n octets.
func (d *DotDecoder) checkLine(n int) {
	if d.MaxLine > 0 && n > d.MaxLine {
		d.LongLine = true
	}
}

// finish moves the rest of the body before end into place, sets the flags
// that are found by passes over the whole of this call's body, and returns
// that body. d.state must already be the state after this call.
func (d *DotDecoder) finish(s *bodyScan, end int) []byte {
	s.flush(end)
	out := s.buf[:s.w]
	if !d.Bare {
		crs := bytes.Count(out, []byte{'\r'})
		if d.state == afterCR {
			crs-- // the final CR is settled by the next call
		}
		d.Bare = crs > s.pairs // a CR that is in no CRLF
	}
	if !d.Null {
		d.Null = bytes.IndexByte(out, 0) >= 0
	}
	return out
}
