package dispatch

import (
	"testing"
	"unsafe"
)

// A mailbox equal to the last transaction's is the same string; any other
// is a copy of the core's bytes, so that later reads into the buffer
// change no recorded address.
func TestRecentAddrs(t *testing.T) {
	var r recentAddrs
	buf := []byte("a@x.test")
	first := r.senderOf(buf)
	r.sender = first
	if again := r.senderOf([]byte("a@x.test")); unsafe.StringData(again) != unsafe.StringData(first) {
		t.Error("the same sender was copied again")
	}
	copy(buf, "b@y.test")
	if first != "a@x.test" {
		t.Errorf("the recorded sender follows the buffer: %q", first)
	}
	if other := r.senderOf(buf); other != "b@y.test" || unsafe.StringData(other) == unsafe.StringData(first) {
		t.Errorf("a new sender gave %q, sharing the old one's bytes", other)
	}
	for i := range recentRecipients + 1 {
		r.noteRecipient(i, r.recipientOf(i, []byte("rcpt@z.test")))
	}
	if got := r.recipientOf(1, []byte("rcpt@z.test")); unsafe.StringData(got) != unsafe.StringData(r.recipients[1]) {
		t.Error("the same recipient was copied again")
	}
	if got := r.recipientOf(recentRecipients, []byte("rcpt@z.test")); got != "rcpt@z.test" {
		t.Errorf("a recipient past the kept ones gave %q", got)
	}
}
