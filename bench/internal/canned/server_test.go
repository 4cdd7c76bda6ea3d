package canned

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

// TestServeAnswersPipelinedBatch sends a whole transaction, body and QUIT
// included, in one write and checks every reply in order.
func TestServeAnswersPipelinedBatch(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- Serve(ln) }()
	defer func() {
		ln.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	batch := "EHLO me\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n" +
		"Subject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n"
	if _, err := c.Write([]byte(batch)); err != nil {
		t.Fatal(err)
	}
	want := []string{"220 canned ESMTP", "250-canned", "250-PIPELINING", "250 8BITMIME",
		"250 ok", "250 ok", "354 go", "250 ok", "221 bye"}
	r := bufio.NewReader(c)
	for i, w := range want {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reply %d: %v", i, err)
		}
		if got := strings.TrimSuffix(line, "\r\n"); got != w {
			t.Fatalf("reply %d = %q, want %q", i, got, w)
		}
	}
	if _, err := r.ReadByte(); err == nil {
		t.Error("connection still open after QUIT")
	}
}
