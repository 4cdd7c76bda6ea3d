package handlers

import "io"

// peerReader is a message with an X-Peer field added at the end of its
// header section: before the first empty line, or after the last line when
// the message has no empty line (it is all header). It reads through, with
// no buffer beyond the added line.
type peerReader struct {
	r         io.Reader
	field     string // "X-Peer: 192.0.2.1\r\n"
	inHeaders bool
	lineStart bool
	pending   []byte // output owed before reading on
	err       error  // the end of r, once pending is out
}

func newPeerReader(r io.Reader, ip string) *peerReader {
	return newHeaderReader(r, "X-Peer: "+ip+"\r\n")
}

// newHeaderReader adds fields, whole lines ending in CRLF, at the end of the
// header section of the message r, as peerReader adds X-Peer.
func newHeaderReader(r io.Reader, fields string) *peerReader {
	return &peerReader{r: r, field: fields, inHeaders: true, lineStart: true}
}

func (p *peerReader) Read(b []byte) (int, error) {
	if len(p.pending) > 0 {
		n := copy(b, p.pending)
		p.pending = p.pending[n:]
		return n, nil
	}
	if p.err != nil {
		return 0, p.err
	}
	n, err := p.r.Read(b)
	if p.inHeaders {
		n = p.scan(b[:n])
		if n == 0 && len(p.pending) > 0 {
			n = copy(b, p.pending)
			p.pending = p.pending[n:]
		}
	}
	if err == io.EOF && p.inHeaders {
		p.closeHeader()
	}
	if err != nil {
		p.err = err
		if len(p.pending) > 0 || n > 0 {
			return n, nil
		}
	}
	return n, err
}

// scan looks for the empty line in b; when found, the field and the rest
// of b are owed, and the part before is returned now.
func (p *peerReader) scan(b []byte) int {
	for i, c := range b {
		if p.lineStart && (c == '\r' || c == '\n') {
			p.inHeaders = false
			p.pending = append([]byte(p.field), b[i:]...)
			return i
		}
		p.lineStart = c == '\n'
	}
	return len(b)
}

// closeHeader adds the field after a message that had no empty line.
func (p *peerReader) closeHeader() {
	p.inHeaders = false
	if !p.lineStart {
		p.pending = append(p.pending, "\r\n"...)
	}
	p.pending = append(p.pending, p.field...)
}
