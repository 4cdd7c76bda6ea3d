package attacks_test

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// T-09: a thousand sessions all sending mail at once cost a separate
// server process less than 24 KiB each of its peak resident memory
// (VmHWM): a session waiting for its client's next command lends its read
// buffer to a pool, and the calls from the core's entry down to a
// command's parser fit a goroutine's smallest grown stack (8 KiB).
func TestAThousandBusySessions(t *testing.T) {
	const n, messages = 1000, 5
	raiseNoFile(t, n+1000)
	p := startServerProcess(t, "-max-conns", "2000")
	deliver(t, p.Addr)
	base := p.status(t, "VmHWM")

	var ready, done sync.WaitGroup
	ready.Add(n)
	release := make(chan struct{})
	errs := make(chan error, n)
	for range n {
		done.Go(func() {
			errs <- busySession(p.Addr, messages, &ready, release)
		})
	}
	ready.Wait() // every session has sent its mail and is still open
	peak := p.status(t, "VmHWM")
	close(release)
	done.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	perConn := (peak - base) * 1024 / n
	t.Logf("VmHWM %d KiB before, %d KiB with %d busy sessions: %d bytes each", base, peak, n, perConn)
	if perConn >= 24<<10 {
		t.Fatalf("%d bytes per busy session, want under 24 KiB", perConn)
	}
}

// busySession delivers messages in lock-step, signals ready, and quits
// once release is closed.
func busySession(addr string, messages int, ready *sync.WaitGroup, release <-chan struct{}) (err error) {
	signalled := false
	defer func() {
		if !signalled {
			ready.Done()
		}
	}()
	nc, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return err
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(60 * time.Second))
	s := &lockstep{w: nc, r: bufio.NewReader(nc)}
	body := strings.Repeat("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\r\n", 16) + ".\r\n"
	s.expect("", "220")
	s.expect("EHLO busy.test\r\n", "250")
	for i := range messages {
		s.expect(fmt.Sprintf("MAIL FROM:<s%d@busy.test>\r\n", i), "250")
		s.expect("RCPT TO:<r@busy.test>\r\n", "250")
		s.expect("DATA\r\n", "354")
		s.expect(body, "250")
	}
	if s.err != nil {
		return s.err
	}
	ready.Done()
	signalled = true
	<-release
	s.expect("QUIT\r\n", "221")
	return s.err
}

// lockstep sends a command and reads its reply, keeping the first error.
type lockstep struct {
	w   net.Conn
	r   *bufio.Reader
	err error
}

func (s *lockstep) expect(send, code string) {
	if s.err != nil {
		return
	}
	if send != "" {
		if _, s.err = s.w.Write([]byte(send)); s.err != nil {
			return
		}
	}
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			s.err = fmt.Errorf("after %q: %w", send, err)
			return
		}
		if !strings.HasPrefix(line, code) {
			s.err = fmt.Errorf("after %q: %q, want %s", send, line, code)
			return
		}
		if len(line) < 4 || line[3] != '-' {
			return
		}
	}
}
