package interop

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// fakeServer accepts one connection and runs serve on it. It is a
// stand-in for a real server in the runner's own tests.
func fakeServer(t *testing.T, serve func(c net.Conn, in *bufio.Reader)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		serve(c, bufio.NewReader(c))
	}()
	t.Cleanup(func() { l.Close(); <-done })
	return l.Addr().String()
}

// fastRunner fails quickly, for tests that provoke timeouts.
var fastRunner = Runner{DialTimeout: time.Second, ReplyTimeout: 200 * time.Millisecond, EndTimeout: 200 * time.Millisecond}

func mustParse(t *testing.T, src string) *Script {
	t.Helper()
	s, err := ParseScript(t.Name(), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func codes(tr *Transcript) []int {
	var out []int
	for _, st := range tr.Steps {
		out = append(out, st.Got.Code)
	}
	return out
}

func TestRunMultiLineAndPipelining(t *testing.T) {
	addr := fakeServer(t, func(c net.Conn, in *bufio.Reader) {
		io.WriteString(c, "220 hi\r\n")
		in.ReadString('\n') // EHLO
		io.WriteString(c, "250-first\r\n250-second\r\n250 last\r\n")
		// The batch must arrive before any reply is sent: read all
		// three lines first.
		var lines []string
		for range 3 {
			l, _ := in.ReadString('\n')
			lines = append(lines, l)
		}
		if strings.Join(lines, "") != "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n" {
			io.WriteString(c, "500 unexpected batch\r\n")
			return
		}
		io.WriteString(c, "250 ok\r\n550 no\r\n503 seq\r\n")
		in.ReadString('\n') // QUIT
		io.WriteString(c, "221 bye\r\n")
	})
	s := mustParse(t, "C: EHLO x\nS: 250\nC: MAIL FROM:<a@b>\nC: RCPT TO:<c@d>\nC: DATA\nS: 250\nS: 550\nS: 503\nC: QUIT\nS: 221\nS: close\n")
	tr := fastRunner.Run(addr, s)
	if p := tr.Problems(); len(p) > 0 {
		t.Fatalf("problems: %v", p)
	}
	if got := tr.Steps[1].Got; got.Lines != 3 || got.Text != "first" {
		t.Errorf("EHLO reply = %+v, want 3 lines starting with %q", got, "first")
	}
	if tr.End != EndClosed || tr.LocalPort == 0 {
		t.Errorf("end %q, local port %d", tr.End, tr.LocalPort)
	}
}

func TestRunReportsWrongCode(t *testing.T) {
	addr := fakeServer(t, func(c net.Conn, in *bufio.Reader) {
		io.WriteString(c, "220 hi\r\n")
		in.ReadString('\n')
		io.WriteString(c, "500 what\r\n")
		io.Copy(io.Discard, in)
	})
	tr := fastRunner.Run(addr, mustParse(t, "C: NOOP\nS: 250\n"))
	p := tr.Problems()
	if len(p) != 1 || !strings.Contains(p[0], `want 250, got 500 "what"`) {
		t.Errorf("problems = %q", p)
	}
}

func TestRunTimeoutStopsTheSession(t *testing.T) {
	addr := fakeServer(t, func(c net.Conn, in *bufio.Reader) {
		io.WriteString(c, "220 hi\r\n")
		io.Copy(io.Discard, in) // never answers
	})
	start := time.Now()
	tr := fastRunner.Run(addr, mustParse(t, "C: NOOP\nS: 250\nC: NOOP\nS: 250\n"))
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("took %v; a silent server must fail fast", elapsed)
	}
	if got := codes(tr); len(got) != 3 || got[1] != 0 || got[2] != 0 {
		t.Fatalf("codes = %v", got)
	}
	if !strings.Contains(tr.Steps[1].Err, "timeout") || !strings.Contains(tr.Steps[2].Err, "not played") {
		t.Errorf("errors = %q, %q", tr.Steps[1].Err, tr.Steps[2].Err)
	}
	if tr.End != EndNone {
		t.Errorf("end = %q, want none", tr.End)
	}
}

func TestRunCloseAndLaterSteps(t *testing.T) {
	addr := fakeServer(t, func(c net.Conn, in *bufio.Reader) {
		io.WriteString(c, "220 hi\r\n")
		in.ReadString('\n')
		io.WriteString(c, "421 going away\r\n")
	})
	tr := fastRunner.Run(addr, mustParse(t, "C: NOOP\nS: 421\nS: close\nC: NOOP\nS: 250\n"))
	got := codes(tr)
	if len(got) != 4 || got[1] != 421 || got[2] != CodeClose || got[3] != CodeClose {
		t.Fatalf("codes = %v", got)
	}
	if p := tr.Problems(); len(p) != 1 || !strings.Contains(p[0], "want 250, got close") {
		t.Errorf("problems = %q", p)
	}
}

func TestRunMalformedReply(t *testing.T) {
	for _, reply := range []string{"hello\r\n", "25\r\n", "250x\r\n", "100 low\r\n", "250-a\r\n251 b\r\n"} {
		addr := fakeServer(t, func(c net.Conn, in *bufio.Reader) {
			io.WriteString(c, "220 hi\r\n")
			in.ReadString('\n')
			io.WriteString(c, reply)
			io.Copy(io.Discard, in)
		})
		tr := fastRunner.Run(addr, mustParse(t, "C: NOOP\nS: 250\n"))
		if tr.Steps[1].Err == "" {
			t.Errorf("reply %q: no error recorded (%+v)", reply, tr.Steps[1])
		}
	}
}

func TestRunTrailingBytesAndOpenEnd(t *testing.T) {
	addr := fakeServer(t, func(c net.Conn, in *bufio.Reader) {
		io.WriteString(c, "220 hi\r\n")
		in.ReadString('\n')
		io.WriteString(c, "250 ok\r\n250 extra\r\n")
		time.Sleep(500 * time.Millisecond) // stays open after the client's EOF
	})
	tr := fastRunner.Run(addr, mustParse(t, "C: NOOP\nS: 250\n"))
	if string(tr.Trailing) != "250 extra\r\n" || tr.End != EndOpen {
		t.Errorf("trailing %q, end %q", tr.Trailing, tr.End)
	}
	if len(tr.Problems()) != 2 {
		t.Errorf("problems = %q, want the trailing bytes and the open end", tr.Problems())
	}
}

func TestRunDialFailure(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	tr := fastRunner.Run(addr, mustParse(t, "C: NOOP\nS: 250\n"))
	if len(tr.Steps) != 1 || tr.Steps[0].Err == "" || tr.Steps[0].OK() {
		t.Errorf("steps = %+v", tr.Steps)
	}
}
