package codec

import "encoding/base64"

// DecodeBase64 decodes standard base64 (RFC 4648, padded) from s in place and
// returns the decoded prefix, or ErrBadBase64. "=" alone decodes to an empty,
// non-nil slice (RFC 4954 §4: an empty initial response).
func DecodeBase64(s []byte) ([]byte, error) {
	if len(s) == 1 && s[0] == '=' {
		return s[:0], nil
	}
	if !isBase64(s) {
		return nil, ErrBadBase64 // Decode would skip CR and LF; SASL allows neither
	}
	n, err := base64.StdEncoding.Decode(s, s) // in place: dst never overtakes src
	if err != nil {
		return nil, ErrBadBase64
	}
	return s[:n], nil
}

func isBase64(s []byte) bool {
	for _, ch := range s {
		if !(ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '+' || ch == '/' || ch == '=') {
			return false
		}
	}
	return true
}

// AppendBase64 appends the standard base64 encoding of src to dst.
func AppendBase64(dst, src []byte) []byte {
	return base64.StdEncoding.AppendEncode(dst, src)
}
