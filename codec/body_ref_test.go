package codec

import "bytes"

// bodyResult is everything a decode of a whole input reports: the body, the
// input octets consumed, whether the end of data was consumed, and the flags.
type bodyResult struct {
	body     []byte
	n        int
	done     bool
	bare     bool
	null     bool
	longLine bool
}

// refDecode is the specification of DotDecoder written for clarity rather
// than speed: one byte at a time over the whole input, into a new slice. A
// line starts at the start of the input and after every CRLF; a dot that
// starts a line is removed, and the end of data is a dot that starts a line
// followed by CRLF. At the end of the input, "." or ".\r" at the start of a
// line is left unconsumed, and a final CR is neither bare nor part of a line
// ending yet (so it does not count in the length of its line either).
func refDecode(in []byte, maxLine int) bodyResult {
	res := bodyResult{body: []byte{}}
	lineStart, lineLen := true, 0
	for i := 0; i < len(in); i++ {
		if lineStart && in[i] == '.' {
			rest := in[i+1:]
			if bytes.HasPrefix(rest, []byte("\r\n")) {
				res.n, res.done = i+3, true
				return res
			}
			if len(rest) == 0 || len(rest) == 1 && rest[0] == '\r' {
				res.n = i
				return res
			}
			i++ // the dot is removed; rest is not empty
		}
		c := in[i]
		res.body = append(res.body, c)
		lineStart = false
		lineLen++
		switch {
		case c == 0:
			res.null = true
		case c == '\r' && i+1 < len(in) && in[i+1] != '\n':
			res.bare = true
		case c == '\n' && (i == 0 || in[i-1] != '\r'):
			res.bare = true
		case c == '\n':
			lineStart, lineLen = true, 0
		}
		known := lineLen
		if c == '\r' && i+1 == len(in) {
			known-- // a final CR may yet be the CR of a CRLF
		}
		if c == '\r' && i+1 < len(in) && in[i+1] == '\n' {
			known-- // the CR of a CRLF is not part of the line
		}
		if maxLine > 0 && known > maxLine {
			res.longLine = true
		}
	}
	res.n = len(in)
	return res
}

// decodeFed decodes in as a driver does: it appends each piece to the bytes
// the decoder left unconsumed, decodes that and keeps the rest for the next
// round. Piece i is sizes[i%len(sizes)]+1 octets long; no sizes means one
// piece. It stops at the end of data or when the input is used up and
// reports what a whole decode reports. It also checks the contract of every
// call and returns a description of the first breach ("" if none).
func decodeFed(in []byte, sizes []byte, maxLine int) (bodyResult, string) {
	d := DotDecoder{MaxLine: maxLine}
	res := bodyResult{body: []byte{}}
	var kept []byte
	for i := 0; ; i++ {
		size := len(in)
		if len(sizes) > 0 {
			size = min(int(sizes[i%len(sizes)])+1, len(in))
		}
		buf := append(kept, in[:size]...)
		in = in[size:]
		after := append([]byte(nil), buf...)
		out, n, done := d.Decode(buf)
		if breach := checkDecodeCall(buf, after, out, n, done); breach != "" {
			return res, breach
		}
		res.body = append(res.body, out...)
		res.n += n
		res.done = done
		res.bare, res.null, res.longLine = d.Bare, d.Null, d.LongLine
		kept = append([]byte(nil), buf[n:]...)
		if done || len(in) == 0 {
			return res, ""
		}
	}
}

// checkDecodeCall checks what one Decode call may do: out is a prefix of buf
// no longer than n, at most two octets ("." or ".\r") stay unconsumed unless
// the end of data was found, and the bytes from n on are left as they were.
func checkDecodeCall(buf, orig, out []byte, n int, done bool) string {
	switch {
	case n < 0 || n > len(buf):
		return "n out of range"
	case len(out) > n:
		return "out longer than the input consumed"
	case len(out) > 0 && &out[0] != &buf[0]:
		return "out is not a prefix of buf"
	case !bytes.Equal(buf[n:], orig[n:]):
		return "bytes past n were written"
	case !done && len(buf)-n > 2:
		return "more than two octets left unconsumed"
	case !done && n < len(buf) && orig[n] != '.':
		return "left unconsumed something other than a dot"
	}
	return ""
}
