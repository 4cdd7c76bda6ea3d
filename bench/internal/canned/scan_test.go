package canned

import "testing"

// TestDataScannerFindsTerminatorAcrossSplits feeds bodies in pieces of every
// size and checks that the end is found at the same offset each time.
func TestDataScannerFindsTerminatorAcrossSplits(t *testing.T) {
	cases := []struct {
		name, stream string
		end          int // offset just past the terminator; -1 if none
	}{
		{"empty body", ".\r\nQUIT\r\n", 3},
		{"one line", "hi\r\n.\r\nQUIT\r\n", 7},
		{"border of CR", "a\r\n.\r\r\n.\r\nX", 10},
		{"bare LF dot is not the end", "a\n.\nb\r\n.\r\n", 10},
		{"dot-stuffed line", "..x\r\n..\r\n.\r\n", 12},
		{"no terminator", "a\r\n.x\r\n", -1},
	}
	for _, tc := range cases {
		for piece := 1; piece <= len(tc.stream); piece++ {
			if got := scanInPieces(tc.stream, piece); got != tc.end {
				t.Errorf("%s, pieces of %d: end at %d, want %d", tc.name, piece, got, tc.end)
			}
		}
	}
}

// scanInPieces returns the offset just past the terminator, or -1.
func scanInPieces(stream string, piece int) int {
	s := newDataScanner()
	for off := 0; off < len(stream); off += piece {
		chunk := []byte(stream[off:min(off+piece, len(stream))])
		if n, done := s.scan(chunk); done {
			return off + n
		}
	}
	return -1
}
