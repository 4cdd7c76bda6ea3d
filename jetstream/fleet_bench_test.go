package jetstream

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
	"github.com/gosmtpd/gosmtpd/jetstream/internal/natstest"
)

// BenchmarkFleet measures a fleet's messages a second: 1 or 2 gosmtpd
// behind HAProxy (send-proxy-v2), publishing to a stream of 1 or 3
// replicas on a 3-node NATS cluster, beside the same topology with
// gosmtpd's Sink, which stores nothing. Each run is bench/cmd/smtpload's,
// 50 lock-step sessions of 1 KiB messages for 5 s; everything shares the
// machine's cores, so compare within one run only:
//
//	go test -run '^$' -bench Fleet -benchtime 1x ./jetstream/
func BenchmarkFleet(b *testing.B) {
	testkit.Program(b, "haproxy")
	load := buildSMTPLoad(b)
	cluster := natstest.Start(b, 3)
	js := connect(b, cluster.URLs())
	for _, r := range []int{1, 3} {
		cfg := jetstream.StreamConfig{Name: fmt.Sprintf("R%d", r), Subjects: []string{fmt.Sprintf("r%d.>", r)}, Replicas: r, Storage: jetstream.FileStorage}
		if _, err := js.CreateStream(testContext(b), cfg); err != nil {
			b.Fatal(err)
		}
	}
	for _, h := range []struct{ name, subject string }{{"sink", ""}, {"replicas1", "r1.in"}, {"replicas3", "r3.in"}} {
		for _, n := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/instances%d", h.name, n), func(b *testing.B) {
				var backends []string
				for range n {
					args := []string{"-n", "-l", "127.0.0.1:0", "--proxy-protocol", "5s", "--max-conns-per-client", "0", "-c", "sink"}
					if h.subject != "" {
						args = append(args[:len(args)-1], "jetstream", cluster.URLs(), h.subject)
					}
					backends = append(backends, startGosmtpd(b, args...).Addr)
				}
				front := testkit.HAProxyBalance(b, "send-proxy-v2", backends...)
				for b.Loop() {
					res := runSMTPLoad(b, load, front)
					b.ReportMetric(res.MsgsPerSec, "msgs/s")
					b.ReportMetric(res.P99Micros/1000, "p99-ms")
					if res.Errors > 0 {
						b.Errorf("%d errors, the first: %s", res.Errors, res.FirstError)
					}
				}
				b.Logf("load average after: %s", loadAverage())
			})
		}
	}
}

// loadResult is the part of smtpload's -json line the benchmark reports.
type loadResult struct {
	MsgsPerSec float64 `json:"msgs_per_sec"`
	P99Micros  float64 `json:"p99_us"`
	Errors     int64   `json:"errors"`
	FirstError string  `json:"first_error"`
}

func buildSMTPLoad(b *testing.B) string {
	return testkit.Build(b, "github.com/gosmtpd/gosmtpd/bench/cmd/smtpload")
}

func runSMTPLoad(b *testing.B, bin, addr string) loadResult {
	out, err := exec.Command(bin, "-addr", addr, "-c", "50", "-d", "5s", "-size", "1024", "-json").Output()
	if err != nil {
		b.Fatalf("smtpload: %v\n%s", err, out)
	}
	var res loadResult
	if err := json.Unmarshal(out, &res); err != nil {
		b.Fatalf("smtpload printed %q: %v", out, err)
	}
	return res
}

// loadAverage is /proc/loadavg's first three figures.
func loadAverage() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
