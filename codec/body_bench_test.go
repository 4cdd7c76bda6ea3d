package codec

import (
	"bytes"
	"testing"
)

// typicalBody is about 1 MiB of text in 78-octet lines ending in CRLF, one
// line in 64 starting with a dot (as quoted text and signatures do).
func typicalBody() []byte {
	const size = 1 << 20
	line := []byte("The quick brown fox jumps over the lazy dog; pack my box with five dozen jugs.")[:78]
	var body []byte
	for i := 0; len(body) < size; i++ {
		if i%64 == 63 {
			body = append(body, '.')
			body = append(body, line[1:]...)
		} else {
			body = append(body, line...)
		}
		body = append(body, "\r\n"...)
	}
	return body
}

// BenchmarkDotDecode1MiB decodes a dot-stuffed typical body in place, whole
// and as a driver does with reads of 16 KiB. SetBytes counts wire octets. The
// buffer is restored from a pristine copy, outside the timer, before each run.
func BenchmarkDotDecode1MiB(b *testing.B) {
	var e DotEncoder
	wire := e.Close(e.Append(nil, typicalBody()))
	for _, bc := range []struct {
		name  string
		piece int
	}{{"whole", len(wire)}, {"16KiB", 16 << 10}} {
		b.Run(bc.name, func(b *testing.B) {
			buf := make([]byte, len(wire))
			b.SetBytes(int64(len(wire)))
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				copy(buf, wire)
				b.StartTimer()
				if !decodePieces(b, buf, bc.piece) {
					b.Fatal("no end of data")
				}
			}
		})
	}
}

// decodePieces decodes buf in place, offering it at most piece octets at a
// time past what the decoder left unconsumed, and reports whether the end of
// data was found.
func decodePieces(b *testing.B, buf []byte, piece int) bool {
	var d DotDecoder
	d.MaxLine = 998
	for off := 0; off < len(buf); {
		end := min(off+piece, len(buf))
		_, n, done := d.Decode(buf[off:end])
		if done {
			return true
		}
		if n == 0 && end == len(buf) {
			b.Fatal("no progress")
		}
		off += n
	}
	return false
}

// BenchmarkDotEncode1MiB dot-stuffs a typical body into a buffer with room.
func BenchmarkDotEncode1MiB(b *testing.B) {
	body := typicalBody()
	var e DotEncoder
	dst := make([]byte, 0, len(body)+len(body)/32)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		dst = e.Close(e.Append(dst[:0], body))
	}
	if !bytes.HasSuffix(dst, []byte("\r\n.\r\n")) {
		b.Fatal("no end of data")
	}
}
