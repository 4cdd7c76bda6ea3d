package codec

import "encoding/base64"

// DecodeBase64 decodes padded standard base64 (RFC 4648 §4, the encoding of
// SASL in RFC 4954) from s in place and returns the decoded prefix of s (s's
// bytes are overwritten; the result is valid as long as s is). "=" alone
// decodes to an empty, non-nil slice (RFC 4954 §4: an empty initial
// response). Missing padding, misplaced "=", whitespace, CR, LF or any other
// byte outside the alphabet give ErrBadBase64. It never allocates.
func DecodeBase64(s []byte) ([]byte, error) {
	if len(s) == 1 && s[0] == '=' {
		return s[:0], nil
	}
	if !isPaddedBase64(s) {
		return nil, ErrBadBase64 // Decode itself would skip CR and LF; SASL allows neither
	}
	// Decode through a stack buffer: encoding/base64 does not promise that
	// decoding onto its own input works. The output never overtakes the
	// input (3 bytes for every 4), so copying back is safe.
	var buf [decodeChunk / 4 * 3]byte
	w := 0
	for r := 0; r < len(s); r += decodeChunk {
		n, err := base64.StdEncoding.Decode(buf[:], s[r:min(r+decodeChunk, len(s))])
		if err != nil {
			return nil, ErrBadBase64
		}
		w += copy(s[w:], buf[:n])
	}
	return s[:w], nil
}

// decodeChunk is how many base64 characters DecodeBase64 decodes at a time:
// whole quanta, so that padding can only occur in the last chunk.
const decodeChunk = 512

// isPaddedBase64 reports whether s is whole quanta of the standard alphabet
// with "=" only as the last one or two characters.
func isPaddedBase64(s []byte) bool {
	if len(s)%4 != 0 {
		return false
	}
	for i, ch := range s {
		switch {
		case ch >= 'A' && ch <= 'Z', ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9', ch == '+', ch == '/':
		case ch == '=' && (i == len(s)-1 || i == len(s)-2 && s[i+1] == '='):
		default:
			return false
		}
	}
	return true
}

// AppendBase64 appends the padded standard base64 encoding of src to dst and
// returns the extended slice.
func AppendBase64(dst, src []byte) []byte {
	return base64.StdEncoding.AppendEncode(dst, src)
}
