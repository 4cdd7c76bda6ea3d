package transport

import "sync"

// inputPool lends the sessions of a server their input buffers
// (fsm.BufferPool): the core lends its buffer back whenever it waits for
// its client with nothing pending, so that idle sessions, most of a busy
// server's at any instant, hold no read buffer: with a thousand sessions it
// is the difference between 8 KiB per connection and 8 KiB per running
// one. On a plain socket the driver reads only once the socket is readable
// (socket.go), so a buffer is borrowed just before it is filled.
//
// A free list rather than a sync.Pool: a pool is emptied at every garbage
// collection and, under the race detector, drops items at random, so that
// a session streaming a large message would allocate a buffer per wait. The
// list keeps at most maxFreeInputs buffers of each size; beyond that a
// buffer lent back is left to the garbage collector.
type inputPool struct {
	mu   sync.Mutex
	free map[int][][]byte // by size
}

// maxFreeInputs bounds what the free lists keep: 128 buffers of 8 KiB, 1 MiB.
const maxFreeInputs = 128

func newInputPool() *inputPool { return &inputPool{free: map[int][][]byte{}} }

// Get returns a free buffer of len size, or nil when there is none.
func (p *inputPool) Get(size int) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	bufs := p.free[size]
	n := len(bufs)
	if n == 0 {
		return nil
	}
	b := bufs[n-1]
	bufs[n-1] = nil
	p.free[size] = bufs[:n-1]
	return b
}

// Put keeps b for a later Get, while the list of its size has room.
func (p *inputPool) Put(b []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if bufs := p.free[len(b)]; len(bufs) < maxFreeInputs {
		p.free[len(b)] = append(bufs, b)
	}
}
