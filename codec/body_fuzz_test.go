package codec

import (
	"bytes"
	"testing"
)

// FuzzDotRoundTrip: for any message, encoding it (whole or in pieces) and
// decoding the result (whole or in pieces) gives the message back, with CRLF
// added when it did not end in one, and the decoder stops exactly at the end
// of what the encoder wrote.
func FuzzDotRoundTrip(f *testing.F) {
	for _, msg := range []string{"", ".", "a\r\n.\r\n", ".\r\n.\r\n", "a\n.\nb", "\r\n.\r", "a\r"} {
		f.Add([]byte(msg), []byte{0, 1})
	}
	f.Fuzz(func(t *testing.T, msg, sizes []byte) {
		var e DotEncoder
		wire := e.Close(e.Append(nil, msg))
		if split := encodeInPieces(msg, sizes); !bytes.Equal(split, wire) {
			t.Fatalf("%q encodes as %q whole and %q in pieces %v", msg, wire, split, sizes)
		}
		want := msg
		if len(msg) > 0 && !bytes.HasSuffix(msg, []byte("\r\n")) {
			want = append(append([]byte{}, msg...), "\r\n"...)
		}
		in := append(append([]byte{}, wire...), "QUIT\r\n"...)
		for _, pieces := range [][]byte{nil, sizes} {
			got, breach := decodeFed(in, pieces, 0)
			if breach != "" || !got.done || got.n != len(wire) || !bytes.Equal(got.body, want) {
				t.Fatalf("%q: wire %q pieces %v: body %q n %d/%d done %v %s",
					msg, wire, pieces, got.body, got.n, len(wire), got.done, breach)
			}
		}
	})
}

// encodeInPieces dot-stuffs msg given to Append in pieces of sizes[i]+1
// octets in turn (one piece when sizes is empty), then closes it.
func encodeInPieces(msg, sizes []byte) []byte {
	var e DotEncoder
	var wire []byte
	for i := 0; len(msg) > 0; i++ {
		size := len(msg)
		if len(sizes) > 0 {
			size = min(int(sizes[i%len(sizes)])+1, len(msg))
		}
		wire = e.Append(wire, msg[:size])
		msg = msg[size:]
	}
	return e.Close(wire)
}

// FuzzDotDecodeSplit: any input decodes alike whole, in pieces of sizes taken
// from the fuzz input, and by the byte-at-a-time reference decoder: the same
// body, the same end, the same flags.
func FuzzDotDecodeSplit(f *testing.F) {
	for _, c := range bodyCases {
		if len(c.in) < 64 {
			f.Add([]byte(c.in), []byte{0}, uint16(c.maxLine))
		}
	}
	f.Fuzz(func(t *testing.T, in, sizes []byte, maxLine uint16) {
		ref := refDecode(in, int(maxLine))
		wantFlags := flagsOf(ref)
		for _, pieces := range [][]byte{nil, sizes} {
			got, breach := decodeFed(in, pieces, int(maxLine))
			if diff := breach + sameBody(got, ref, wantFlags); diff != "" {
				t.Fatalf("%q pieces %v max %d: %s", in, pieces, maxLine, diff)
			}
		}
	})
}
