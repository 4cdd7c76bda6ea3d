package hooks

import "io"

// ReadMessage reads a whole message, for handlers that want it as bytes: at
// most limit bytes (<0: no limit), else it fails with a 552 5.3.4 Reply (a
// hook may return it as is). The slice is new and belongs to the caller.
func ReadMessage(msg io.Reader, limit int64) ([]byte, error) {
	if limit < 0 {
		return io.ReadAll(msg)
	}
	b, err := io.ReadAll(io.LimitReader(msg, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, Reply{Code: 552, Enhanced: "5.3.4", Text: "Error: message exceeds fixed maximum message size"}
	}
	return b, nil
}
