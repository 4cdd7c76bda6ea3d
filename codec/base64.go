package codec

// DecodeBase64 decodes standard base64 (RFC 4648, padded) from s in place and
// returns the decoded prefix, or ErrBadBase64. "=" alone decodes to an empty,
// non-nil slice (RFC 4954 §4: an empty initial response).
func DecodeBase64(s []byte) ([]byte, error) { panic("TODO") }

// AppendBase64 appends the standard base64 encoding of src to dst.
func AppendBase64(dst, src []byte) []byte { panic("TODO") }
