package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// metricsURL is the base URL the command said it serves metrics at.
func metricsURL(t *testing.T, p *proc) string {
	t.Helper()
	_, rest, ok := strings.Cut(p.Stderr.String(), " serving metrics at ")
	if !ok {
		t.Fatalf("no metrics address printed:\n%s", p.Stderr.String())
	}
	return strings.TrimSuffix(strings.Fields(rest)[0], "/metrics")
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// TestCLIMetricsHealthAndJSONLog: --metrics-listen serves the counts of
// what the sessions did, parsed with Prometheus's own parser and checked by
// promtool; /healthz turns 503 as soon as a shutdown begins, while a
// message in progress is still finished; --log-format json writes one JSON
// record per line, among them a line per message.
func TestCLIMetricsHealthAndJSONLog(t *testing.T) {
	t.Parallel()
	p := startCLI(t, "-n", "-c", "sink", "-l", "127.0.0.1:0", "-s", "100",
		"--metrics-listen", "127.0.0.1:0", "--log-format", "json")
	base := metricsURL(t, p)
	if code, body := get(t, base+"/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("/healthz: %d %q, want 200 ok", code, body)
	}
	c := testkit.Dial(t, "tcp", p.Addr)
	c.Expect("220")
	c.Send("EHLO c")
	c.Expect("250")
	c.Deliver("a@example.com", "b@example.com", "Subject: hi\r\n\r\nhello\r\n")
	c.Send("MAIL FROM:<a@example.com>", "RCPT TO:<b@example.com>", "DATA")
	c.ExpectAll("250", "250", "354")
	c.Send(strings.Repeat("y", 200) + "\r\n.")
	c.Expect("552")
	c.Send("QUIT")
	c.Expect("221")

	code, text := get(t, base+"/metrics")
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(text))
	if code != 200 || err != nil {
		t.Fatalf("/metrics: %d, %v\n%s", code, err, text)
	}
	counts := map[string]float64{}
	for _, m := range families["gosmtpd_messages_total"].GetMetric() {
		counts[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
	}
	if counts["accepted"] != 1 || counts["rejected"] != 1 || counts["deferred"] != 0 {
		t.Errorf("gosmtpd_messages_total: %v, want 1 accepted and 1 rejected", counts)
	}
	if families["go_goroutines"] == nil || families["process_resident_memory_bytes"] == nil {
		t.Error("no Go runtime or process metrics")
	}
	promtool := exec.Command(testkit.Program(t, "promtool"), "check", "metrics")
	promtool.Stdin = strings.NewReader(text)
	if out, err := promtool.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}

	// A message in progress when the shutdown begins.
	c = testkit.Dial(t, "tcp", p.Addr)
	c.Expect("220")
	c.Send("EHLO c", "MAIL FROM:<a@example.com>", "RCPT TO:<b@example.com>", "DATA")
	c.ExpectAll("250", "250", "250", "354")
	p.Cmd.Process.Signal(syscall.SIGTERM)
	deadline := time.Now().Add(5 * time.Second)
	for {
		code, body := get(t, base+"/healthz")
		if code == 503 && body == "shutting down\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz still %d %q after SIGTERM", code, body)
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.Send("late\r\n.")
	c.Expect("250")
	c.Expect("421 4.3.2")
	// The first SIGTERM ends the process: a second one, sent while it
	// writes its last lines, would kill it.
	select {
	case <-p.Done:
	case <-time.After(10 * time.Second):
		t.Fatalf("still running 10s after SIGTERM")
	}
	if code := p.Cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit code %d after SIGTERM\n%s", code, p.Stderr.String())
	}

	var messages []map[string]any
	for line := range strings.Lines(p.Stderr.String()) {
		if strings.HasPrefix(line, "gosmtpd ") { // the addresses, before logging starts
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON record: %q", line)
		}
		if rec["msg"] == "message accepted" || rec["msg"] == "message refused" {
			messages = append(messages, rec)
		}
	}
	if len(messages) != 3 {
		t.Fatalf("%d message records, want 3:\n%s", len(messages), p.Stderr.String())
	}
	first := messages[0]
	if first["msg"] != "message accepted" || first["from"] != "<a@example.com>" || first["nrcpt"] != 1.0 ||
		first["size"] != 22.0 || first["reply"] != "250 2.0.0 OK" || first["session"] == "" || first["client"] == "" {
		t.Errorf("first message's record: %v", first)
	}
	if messages[1]["msg"] != "message refused" || !strings.HasPrefix(messages[1]["reply"].(string), "552 5.3.4") {
		t.Errorf("second message's record: %v", messages[1])
	}
}
