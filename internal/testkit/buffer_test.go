package testkit

import (
	"strings"
	"sync"
	"testing"
)

// Run with -race: writers on many goroutines while the test reads.
func TestBufferConcurrentWrites(t *testing.T) {
	var b Buffer
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				b.Write([]byte("line\n"))
				_ = b.Len()
			}
		})
	}
	wg.Wait()
	if got := b.String(); got != strings.Repeat("line\n", 800) || b.Len() != 800*5 {
		t.Fatalf("got %d bytes, Len %d, want 800 whole lines", len(got), b.Len())
	}
}

func TestDebugLoggerKeepsDebugRecords(t *testing.T) {
	var b Buffer
	DebugLogger(&b).Debug("session ended", "id", 7)
	if got := b.String(); !strings.Contains(got, "level=DEBUG") || !strings.Contains(got, `msg="session ended" id=7`) {
		t.Fatalf("logged %q", got)
	}
}
