package attacks_test

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// trickleDATA opens a session from ip, starts a message with DATA (or,
// with bdat, a BDAT chunk of 10,000 octets) and sends one byte of it every
// interval until the server ends the session or limit passes. It returns
// how long after the message began the session lasted, and the server's
// last reply.
func trickleDATA(ip, addr string, bdat bool, interval, limit time.Duration) (time.Duration, string, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 3 * time.Second}
	nc, err := d.Dial("tcp", addr)
	if err != nil {
		return 0, "", err
	}
	defer nc.Close()
	br := bufio.NewReader(nc)
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	commands := []string{"", "EHLO slow.test", "MAIL FROM:<a@slow.test>", "RCPT TO:<b@mx.test>"}
	if !bdat {
		commands = append(commands, "DATA")
	}
	for _, cmd := range commands {
		if cmd != "" {
			fmt.Fprintf(nc, "%s\r\n", cmd)
		}
		if rep, err := readReply(br); err != nil || rep[0] > '3' {
			return 0, rep, fmt.Errorf("%q got %q, %v", cmd, rep, err)
		}
	}
	if bdat {
		fmt.Fprintf(nc, "BDAT 10000 LAST\r\n") // no reply until the chunk is whole
	}
	began := time.Now()
	for time.Since(began) < limit {
		nc.SetReadDeadline(time.Now().Add(interval))
		rep, err := readReply(br)
		if err == nil || !errors.Is(err, os.ErrDeadlineExceeded) {
			return time.Since(began), rep, nil // a reply, or the connection closed
		}
		nc.Write([]byte("x"))
	}
	return time.Since(began), "", nil
}

// T-40: clients trickling a message a byte at a time are cut off by the
// minimum data rate (500 bytes a second beyond the first --timeout, on by
// default): with --timeout 4s and a byte every 400 ms (the attack: 20s
// and a byte every 2 s; every byte used to renew the 3 minute data
// timeout), each of 20 such sessions, half in DATA and half in a BDAT
// chunk, ends with 421 4.4.2 within 6 seconds, and a fresh client is
// served meanwhile.
func TestTrickledDATAIsCutOff(t *testing.T) {
	p := startCommand(t, 0, "-c", "sink", "--timeout", "4s")
	const clients = 20
	var wg sync.WaitGroup
	lasted := make([]time.Duration, clients)
	last := make([]string, clients)
	errs := make([]error, clients)
	for i := range clients {
		wg.Go(func() {
			lasted[i], last[i], errs[i] = trickleDATA("127.0.0.3", p.Addr, i%2 == 1, 400*time.Millisecond, 8*time.Second)
		})
	}
	time.Sleep(2 * time.Second)
	d := servedWithin(t, "127.0.0.2", p.Addr, time.Second)
	t.Logf("a fresh client from 127.0.0.2 served in %v during the attack", d)
	wg.Wait()
	var longest time.Duration
	for i := range clients {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !strings.HasPrefix(last[i], "421 4.4.2") {
			t.Errorf("session %d lasted %v in its message and ended with %q, want 421 4.4.2", i, lasted[i], last[i])
		}
		longest = max(longest, lasted[i])
	}
	t.Logf("the longest trickling session lasted %v after its message began", longest)
	if longest > 6*time.Second {
		t.Fatalf("a trickling session lasted %v, want at most 6s", longest)
	}
}
