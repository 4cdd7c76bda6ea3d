package dispatch

import (
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
