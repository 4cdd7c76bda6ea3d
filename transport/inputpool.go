package transport

import "sync"

// A session waiting for its client lends its input buffer to a free list,
// so that idle sessions, most of a busy server's at any instant, hold no
// read buffer: with a thousand sessions it is the difference between 8 KiB
// per connection and 8 KiB per running one. Only the raw-socket path lends
// (rawread.go): it knows when it waits, and reads only once the socket is
// readable, so the buffer is taken back just before it is filled.
//
// A free list rather than a sync.Pool: a pool is emptied at every garbage
// collection and, under the race detector, drops items at random, so that
// a session streaming a large message would allocate a buffer per wait. The
// list keeps at most maxFreeInputs buffers of each size; beyond that a
// lent buffer is left to the garbage collector.

// maxFreeInputs bounds what the free lists keep: 128 buffers of 8 KiB, 1 MiB.
const maxFreeInputs = 128

// freeInputs holds one free list per buffer size (*inputList): the size
// follows the core's configuration, and sessions of servers that share a
// configuration share a list.
var freeInputs sync.Map

// inputList is a bounded stack of input buffers of one size.
type inputList struct {
	mu   sync.Mutex
	bufs [][]byte
}

func inputListOf(size int) *inputList {
	if l, ok := freeInputs.Load(size); ok {
		return l.(*inputList)
	}
	l, _ := freeInputs.LoadOrStore(size, &inputList{})
	return l.(*inputList)
}

func (l *inputList) put(b []byte) {
	l.mu.Lock()
	if len(l.bufs) < maxFreeInputs {
		l.bufs = append(l.bufs, b)
	}
	l.mu.Unlock()
}

// get returns a buffer, or nil when the list is empty.
func (l *inputList) get() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.bufs)
	if n == 0 {
		return nil
	}
	b := l.bufs[n-1]
	l.bufs[n-1] = nil
	l.bufs = l.bufs[:n-1]
	return b
}

// lendInput puts the core's input buffer on the free list while the
// session waits, when the core can spare it (see fsm.Conn.ReleaseInput).
func (c *conn) lendInput() {
	if b := c.core.ReleaseInput(); b != nil {
		c.inputList(len(b)).put(b)
	}
}

// takeInput gives the core a free buffer before it is filled, when it has
// none (a new session, or one that lent its buffer); with the list empty
// the core makes a new one.
func (c *conn) takeInput() {
	size := c.core.MissingInput()
	if size == 0 {
		return
	}
	if b := c.inputList(size).get(); b != nil {
		c.core.RestoreInput(b)
	}
}

// inputList is the free list of the session's buffer size, looked up once.
func (c *conn) inputList(size int) *inputList {
	if c.inputs == nil {
		c.inputs = inputListOf(size)
	}
	return c.inputs
}
