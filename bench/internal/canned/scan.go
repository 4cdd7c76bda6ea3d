package canned

import "bytes"

// endOfData is the only sequence that ends a DATA body (RFC 5321 §4.1.1.4).
var endOfData = []byte("\r\n.\r\n")

// dataScanner finds the end of a DATA body across reads of any size.
// matched counts how many leading bytes of endOfData the bytes seen so far
// end with; it starts at 2 because the CRLF that ends the DATA command line
// also opens the terminator ("DATA\r\n.\r\n" is an empty body).
type dataScanner struct{ matched int }

func newDataScanner() dataScanner { return dataScanner{matched: 2} }

// scan consumes p and returns how many bytes of p belong to the body,
// terminator included, and whether the terminator was found.
func (s *dataScanner) scan(p []byte) (n int, done bool) {
	for i := 0; s.matched > 0 && i < len(p); i++ {
		if s.step(p[i]) {
			return i + 1, true
		}
		if s.matched == 0 {
			return s.scanFrom(p, i+1)
		}
	}
	return s.scanFrom(p, 0)
}

// scanFrom searches p[from:] with no partial match pending.
func (s *dataScanner) scanFrom(p []byte, from int) (int, bool) {
	if s.matched != 0 {
		return len(p), false // p was used up while finishing a partial match
	}
	if i := bytes.Index(p[from:], endOfData); i >= 0 {
		return from + i + len(endOfData), true
	}
	s.matched = 0
	tail := p[max(from, len(p)-len(endOfData)+1):]
	for _, c := range tail {
		s.step(c)
	}
	return len(p), false
}

// step advances the partial match by one byte and reports a full match.
func (s *dataScanner) step(c byte) bool {
	for {
		if c == endOfData[s.matched] {
			s.matched++
			if s.matched == len(endOfData) {
				s.matched = 0
				return true
			}
			return false
		}
		if s.matched == 0 {
			return false
		}
		// Fall back to the longest border of endOfData[:matched]: only
		// "\r\n.\r" has one ("\r"), every other prefix restarts empty.
		if s.matched == 4 {
			s.matched = 1
		} else {
			s.matched = 0
		}
	}
}
