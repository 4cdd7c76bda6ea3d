package fsm

import "testing"

// TestSteadyStateTransactionAllocatesNothing: once a session is greeted, a
// whole transaction through the core costs no allocation.
func TestSteadyStateTransactionAllocatesNothing(t *testing.T) {
	d := newTestDriver(&Config{}, false)
	d.feed([]byte("EHLO client.example\r\n"))
	msg := message(body1K)
	d.out = make([]byte, 0, 4096)
	allocs := testing.AllocsPerRun(200, func() {
		for _, l := range mailLines {
			d.feed(l)
		}
		d.feed(msg)
		d.out = d.out[:0]
	})
	if allocs != 0 {
		t.Fatalf("a steady-state transaction allocates %v times; want 0", allocs)
	}
	if d.closed {
		t.Fatal("session closed")
	}
}
