package prometheus_test

import (
	"bufio"
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/handlers"
	"github.com/gosmtpd/gosmtpd/observe"
	smtpmetrics "github.com/gosmtpd/gosmtpd/prometheus"
)

var benchTxn = []byte("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n" +
	"Subject: s\r\n\r\n" + strings.Repeat("body line\r\n", 90) + ".\r\n")

// benchSession is a client of a Sink server on loopback, greeted.
type benchSession struct {
	conn net.Conn
	r    *bufio.Reader
}

func startBenchSession(b *testing.B, obs observe.Observer) *benchSession {
	b.Helper()
	srv := &gosmtpd.Server{Hostname: "mx.test", Handler: handlers.Sink{}, Observer: obs,
		Logger: slog.New(slog.DiscardHandler)}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(l)
	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	s := &benchSession{conn: conn, r: bufio.NewReader(conn)}
	b.Cleanup(func() {
		conn.Close()
		srv.Shutdown(context.Background())
	})
	s.expect(b, 1)
	conn.Write([]byte("EHLO c\r\n"))
	s.expect(b, 1)
	return s
}

func (s *benchSession) expect(b *testing.B, n int) {
	for n > 0 {
		line, err := s.r.ReadSlice('\n')
		if err != nil || len(line) < 4 || line[0] > '3' {
			b.Fatalf("reply %q (%v)", line, err)
		}
		if line[3] == ' ' {
			n--
		}
	}
}

// round sends MAIL, RCPT and DATA in one write, then the body, as an RFC
// 2920 client does.
func (s *benchSession) round(b *testing.B) {
	i := bytes.Index(benchTxn, []byte("DATA\r\n")) + len("DATA\r\n")
	s.conn.Write(benchTxn[:i])
	s.expect(b, 3)
	s.conn.Write(benchTxn[i:])
	s.expect(b, 1)
}

// BenchmarkServerMetrics is a message through a gosmtpd.Server over
// loopback TCP, without an Observer ("off") and with the Prometheus
// metrics ("on"), in alternating blocks of 100 messages so that both see
// the same machine, however busy: it reports each one's time per message
// and their ratio, on/off.
func BenchmarkServerMetrics(b *testing.B) {
	off := startBenchSession(b, nil)
	on := startBenchSession(b, smtpmetrics.NewMetrics())
	const block = 100
	var tOff, tOn time.Duration
	timed := func(s *benchSession) time.Duration {
		start := time.Now()
		for range block {
			s.round(b)
		}
		return time.Since(start)
	}
	for range 5 { // warm up
		timed(off)
		timed(on)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			tOff += timed(off)
			tOn += timed(on)
		} else {
			tOn += timed(on)
			tOff += timed(off)
		}
	}
	n := float64(b.N * block)
	b.ReportMetric(float64(tOff.Nanoseconds())/n, "ns/msg-off")
	b.ReportMetric(float64(tOn.Nanoseconds())/n, "ns/msg-on")
	b.ReportMetric(float64(tOn)/float64(tOff), "on/off")
}
