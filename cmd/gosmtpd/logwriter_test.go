package main

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// Lines written by many goroutines all come out whole, each goroutine's in
// its order, and Close writes what waits.
func TestLineWriterKeepsLinesWholeAndInOrder(t *testing.T) {
	var out bytes.Buffer
	l := newLineWriter(&out)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				fmt.Fprintf(l, "g%d line %d\n", g, i)
			}
		})
	}
	wg.Wait()
	l.Close()
	next := map[string]int{}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	for _, line := range lines {
		var g string
		var i int
		if _, err := fmt.Sscanf(line, "%s line %d", &g, &i); err != nil || i != next[g] {
			t.Fatalf("line %q out of order or torn (want %s line %d)", line, g, next[g])
		}
		next[g]++
	}
	if len(lines) != 8000 {
		t.Fatalf("%d lines, want 8000", len(lines))
	}
	fmt.Fprintln(l, "after close")
	if !strings.HasSuffix(out.String(), "after close\n") {
		t.Error("a write after Close was not written")
	}
}

// stuck is a writer that blocks until released.
type stuck struct {
	release chan struct{}
	mu      sync.Mutex
	n       int
}

func (s *stuck) Write(p []byte) (int, error) {
	<-s.release
	s.mu.Lock()
	s.n += len(p)
	s.mu.Unlock()
	return len(p), nil
}

// While the output is stuck, writers are held once maxPendingLog bytes
// wait: memory stays bounded.
func TestLineWriterBoundsWhatWaits(t *testing.T) {
	s := &stuck{release: make(chan struct{})}
	l := newLineWriter(s)
	line := bytes.Repeat([]byte("x"), 1000)
	wrote := make(chan int)
	go func() {
		n := 0
		for range 3 * maxPendingLog / len(line) {
			l.Write(line)
			n++
		}
		wrote <- n
	}()
	time.Sleep(100 * time.Millisecond)
	l.mu.Lock()
	pending := len(l.buf)
	l.mu.Unlock()
	if pending > maxPendingLog+len(line) {
		t.Errorf("%d bytes wait, more than %d", pending, maxPendingLog)
	}
	close(s.release)
	if n := <-wrote; n != 3*maxPendingLog/len(line) {
		t.Errorf("%d writes", n)
	}
	l.Close()
	if s.n != 3*maxPendingLog/len(line)*len(line) {
		t.Errorf("%d bytes written", s.n)
	}
}
