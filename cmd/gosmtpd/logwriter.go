package main

import (
	"io"
	"sync"
	"time"
)

// lineWriter writes what the command logs to w from a goroutine of its
// own, in batches: a session that logs a line only appends it to a buffer,
// and the lines gathered over logFlushDelay go out in one write. With a
// line per message, writing each on the session's goroutine took about 6%
// of the server's CPU with fully pipelined clients (a system call for every
// message or two), and a slow reader of the log (a terminal, a pipe) held
// the sessions up.
//
// Order is kept: every write goes through the one buffer. A line waits at
// most logFlushDelay. While w is stuck, at most maxPendingLog bytes wait,
// then Write blocks as a direct write would. Close writes what is left;
// lines still in the buffer when the process is killed (SIGKILL) are lost.
type lineWriter struct {
	w     io.Writer
	mu    sync.Mutex
	room  *sync.Cond // signalled when the buffer is emptied
	buf   []byte     // what waits to be written
	spare []byte     // the buffer written last, reused (the writing goroutine's)
	shut  bool
	wake  chan struct{} // has data, or shut
	done  chan struct{}
}

const (
	maxPendingLog = 1 << 20          // bytes that may wait while w is slow
	logFlushDelay = time.Millisecond // how long the first line of a batch waits for others
	keptLogBuffer = 64 << 10         // the largest batch buffer kept for the next batch
)

func newLineWriter(w io.Writer) *lineWriter {
	l := &lineWriter{w: w, wake: make(chan struct{}, 1), done: make(chan struct{})}
	l.room = sync.NewCond(&l.mu)
	go l.run()
	return l
}

// Write queues p, whole, for writing; after Close it writes p itself.
func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	for len(l.buf) >= maxPendingLog && !l.shut {
		l.room.Wait()
	}
	if l.shut {
		l.mu.Unlock()
		return l.w.Write(p)
	}
	l.buf = append(l.buf, p...)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (l *lineWriter) run() {
	defer close(l.done)
	for range l.wake {
		time.Sleep(logFlushDelay) // let the batch gather
		l.mu.Lock()
		out, shut := l.buf, l.shut
		l.buf = l.spare[:0]
		l.mu.Unlock()
		l.room.Broadcast()
		if len(out) > 0 {
			l.w.Write(out)
		}
		l.spare = nil
		if cap(out) <= keptLogBuffer { // a usual batch's buffer, not a burst's
			l.spare = out[:0]
		}
		if shut {
			return
		}
	}
}

// Close writes what waits and stops the writing goroutine; later writes go
// straight to w.
func (l *lineWriter) Close() {
	l.mu.Lock()
	l.shut = true
	l.mu.Unlock()
	l.room.Broadcast()
	select {
	case l.wake <- struct{}{}:
	default:
	}
	<-l.done
}
