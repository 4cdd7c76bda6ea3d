package hooks

import (
	"io"
	"sync"
)

// body is the DATA hook's view of a message: an io.Reader over the chunks
// the driver hands over, with no buffer of its own. The chunk being read is
// the driver's memory: when the driver gives up waiting for the hook, it
// revokes the chunk under mu, so that a hook left behind never reads memory
// the driver reuses.
type body struct {
	m       *delivery
	mu      sync.Mutex
	cur     []byte // the rest of the chunk being read
	revoked error  // set by the driver when it stopped waiting
	err     error  // the end of the stream, once reached
}

// Read copies the next bytes of the message into p. After the last one it
// returns io.EOF, or the error that ended the message early.
func (b *body) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.revoked != nil {
		return 0, b.revoked
	}
	if len(b.cur) == 0 && !b.next() {
		return 0, b.err
	}
	n := copy(p, b.cur)
	b.cur = b.cur[n:]
	if len(b.cur) == 0 {
		b.m.taken <- struct{}{} // buffered for the one chunk in hand
	}
	return n, nil
}

// next waits for the next chunk, holding mu; false at the end of the
// message. The driver closes the stream before it revokes (delivery.abort),
// so that it never waits for mu while next waits for it.
func (b *body) next() bool {
	if b.err != nil {
		return false
	}
	chunk, ok := <-b.m.chunks
	if !ok {
		b.err = b.m.end
		return false
	}
	b.cur = chunk
	return true
}

// revoke takes back the chunk in hand; later reads fail with err.
func (b *body) revoke(err error) {
	b.mu.Lock()
	b.cur, b.revoked = nil, err
	b.mu.Unlock()
}

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
