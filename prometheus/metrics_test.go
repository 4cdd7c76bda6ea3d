package prometheus_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
	smtpmetrics "github.com/gosmtpd/gosmtpd/prometheus"
	"github.com/gosmtpd/gosmtpd/transport"
)

// policy refuses the recipient nobody@x and the messages of spam@x.
type policy struct{}

func (policy) HandleRCPT(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, addr string, _ []string) error {
	if addr == "nobody@x" {
		return hooks.Reply{Code: 550, Enhanced: "5.1.1", Text: "no such user"}
	}
	return nil
}

func (policy) HandleDATA(_ context.Context, _ *hooks.Session, e *hooks.Envelope, msg io.Reader) error {
	if _, err := io.Copy(io.Discard, msg); err != nil {
		return err
	}
	if e.MailFrom == "spam@x" {
		return hooks.Reply{Code: 554, Enhanced: "5.7.1", Text: "looks like spam"}
	}
	return nil
}

// serve runs srv on a loopback port until the test's end, and returns
// the address and a function that shuts it down and waits for its
// sessions.
func serve(t *testing.T, srv *gosmtpd.Server) (addr string, stop func()) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, gosmtpd.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	}
	return l.Addr().String(), stop
}

// quiet drops the servers' own logs: the test reads the metrics.
var quiet = slog.New(slog.DiscardHandler)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// runSessions plays the scripted sessions against servers that share m,
// and waits for every session to end.
func runSessions(t *testing.T, m *smtpmetrics.Metrics) {
	serverTLS, clientTLS := testkit.TLSConfigs(t, "localhost")
	srv := &gosmtpd.Server{Hostname: "mx.test", Handler: policy{}, Observer: m, Logger: quiet, TLSConfig: serverTLS,
		Authenticator: hooks.Passwords{"alice": "secret"}, AuthCleartext: true, MaxMessageSize: 100}
	addr, stop := serve(t, srv)
	session := func(lines ...string) {
		c := testkit.Dial(t, "tcp", addr)
		c.Expect("220")
		c.Send("EHLO c")
		c.Expect("250")
		for i := 0; i < len(lines); i += 2 {
			c.Send(lines[i])
			c.Expect(lines[i+1])
		}
		c.Send("QUIT")
		c.Expect("221")
	}
	// accepted
	session("MAIL FROM:<a@x>", "250", "RCPT TO:<b@x>", "250", "DATA", "354", "hello\r\n.", "250")
	// refused at RCPT
	session("MAIL FROM:<a@x>", "250", "RCPT TO:<nobody@x>", "550")
	// refused at DATA: 21 octets
	session("MAIL FROM:<spam@x>", "250", "RCPT TO:<b@x>", "250", "DATA", "354", "buy cheap things now\r\n.", "554")
	// too big: 202 octets against 100
	session("MAIL FROM:<a@x>", "250", "RCPT TO:<b@x>", "250", "DATA", "354", strings.Repeat("y", 200)+"\r\n.", "552")
	// failed AUTH
	session("AUTH PLAIN "+b64("\x00alice\x00wrong"), "535")
	// TLS, with AUTH and a message
	c := testkit.Dial(t, "tcp", addr)
	c.Expect("220")
	c.Send("EHLO c", "STARTTLS")
	c.ExpectAll("250", "220")
	c.StartTLS(clientTLS)
	c.Send("EHLO c")
	c.Expect("250")
	c.Send("AUTH PLAIN " + b64("\x00alice\x00secret"))
	c.Expect("235")
	c.Deliver("a@x", "b@x", "hello\r\n")
	c.Send("QUIT")
	c.Expect("221")
	// a failed TLS handshake
	c = testkit.Dial(t, "tcp", addr)
	c.Expect("220")
	c.Send("EHLO c", "STARTTLS")
	c.ExpectAll("250", "220")
	c.Write("this is not a ClientHello, not at all\r\n")
	io.Copy(io.Discard, c.Reader)
	stop()

	// One session at a time: the second connection is turned away.
	srv2 := &gosmtpd.Server{Hostname: "mx.test", Observer: m, Logger: quiet, MaxConnections: 1}
	addr2, stop2 := serve(t, srv2)
	held := testkit.Dial(t, "tcp", addr2)
	held.Expect("220")
	extra := testkit.Dial(t, "tcp", addr2)
	extra.Expect("421 4.3.2")
	extra.ExpectClosed()
	held.Send("QUIT")
	held.Expect("221")
	stop2()

	// Behind a balancer: a valid PROXY header, then a malformed one.
	srv3 := &gosmtpd.Server{Hostname: "mx.test", Observer: m, Logger: quiet, Proxy: &transport.ProxyOptions{}}
	addr3, stop3 := serve(t, srv3)
	c = testkit.Dial(t, "tcp", addr3)
	c.Write("PROXY TCP4 192.0.2.1 192.0.2.2 4321 25\r\n")
	c.Expect("220")
	c.Send("QUIT")
	c.Expect("221")
	c = testkit.Dial(t, "tcp", addr3)
	c.Write("PROXY nonsense\r\n")
	c.ExpectClosed()
	stop3()
}

// scrape serves reg's /metrics over HTTP, as Prometheus would read it,
// and parses it with Prometheus's own parser.
func scrape(t *testing.T, reg *prom.Registry) (string, map[string]*dto.MetricFamily) {
	t.Helper()
	ts := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("parsing /metrics: %v\n%s", err, body)
	}
	return string(body), families
}

// series names a sample: the metric's name and its labels, sorted.
func series(name string, m *dto.Metric) string {
	var labels []string
	for _, l := range m.GetLabel() {
		labels = append(labels, l.GetName()+"="+l.GetValue())
	}
	sort.Strings(labels)
	return name + "{" + strings.Join(labels, ",") + "}"
}

func TestMetricsCountScriptedSessions(t *testing.T) {
	m := smtpmetrics.NewMetrics()
	reg := prom.NewPedanticRegistry()
	reg.MustRegister(m)
	runSessions(t, m)
	_, families := scrape(t, reg)

	// Every counter and gauge sample, zeros included: any other is a bug.
	want := map[string]float64{
		"gosmtpd_connections_total{}":                                           11,
		"gosmtpd_connections_refused_total{limit=max_connections}":              1,
		"gosmtpd_connections_refused_total{limit=max_connections_per_client}":   0,
		"gosmtpd_sessions_active{}":                                             0,
		"gosmtpd_senders_total{result=accepted}":                                5,
		"gosmtpd_senders_total{result=deferred}":                                0,
		"gosmtpd_senders_total{result=rejected}":                                0,
		"gosmtpd_recipients_total{result=accepted}":                             4,
		"gosmtpd_recipients_total{result=deferred}":                             0,
		"gosmtpd_recipients_total{result=rejected}":                             1,
		"gosmtpd_messages_total{result=accepted}":                               2,
		"gosmtpd_messages_total{result=deferred}":                               0,
		"gosmtpd_messages_total{result=rejected}":                               2,
		"gosmtpd_received_bytes_total{}":                                        7 + 22 + 202 + 7,
		"gosmtpd_tls_handshakes_total{mode=starttls,result=ok,version=TLS 1.3}": 1,
		"gosmtpd_tls_handshakes_total{mode=starttls,result=failed,version=}":    1,
		"gosmtpd_auth_total{mechanism=PLAIN,result=failure}":                    1,
		"gosmtpd_auth_total{mechanism=PLAIN,result=success}":                    1,
		"gosmtpd_proxy_errors_total{}":                                          1,
	}
	sessionsByReason := map[string]float64{"quit": 8, "tls_failed": 1, "proxy": 1}
	for _, r := range []string{"peer_closed", "timeout", "too_many_errors", "call_limit", "auth_failures",
		"cross_protocol", "handler_closed", "shutdown", "other"} {
		sessionsByReason[r] = 0
	}
	for r, n := range sessionsByReason {
		want["gosmtpd_sessions_total{reason="+r+"}"] = n
	}

	got := map[string]float64{}
	for name, f := range families {
		for _, s := range f.GetMetric() {
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				got[series(name, s)] = s.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				got[series(name, s)] = s.GetGauge().GetValue()
			}
		}
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected %s = %v", k, v)
		}
	}

	size := families["gosmtpd_message_size_bytes"].GetMetric()[0].GetHistogram()
	if size.GetSampleCount() != 2 || size.GetSampleSum() != 14 {
		t.Errorf("message sizes: %d samples summing %v, want the 2 accepted messages' 14 octets",
			size.GetSampleCount(), size.GetSampleSum())
	}
	hooks := map[string]uint64{}
	for _, s := range families["gosmtpd_hook_duration_seconds"].GetMetric() {
		hooks[series("", s)] = s.GetHistogram().GetSampleCount()
	}
	for hook, n := range map[string]uint64{"rcpt": 5, "data": 3, "auth": 2} {
		if hooks["{hook="+hook+"}"] != n {
			t.Errorf("hook %s timed %d times, want %d (all: %v)", hook, hooks["{hook="+hook+"}"], n, hooks)
		}
	}
}

// The exposition passes Prometheus's linter: promlint, which is what
// `promtool check metrics` runs, in process, and promtool itself (Debian's
// prometheus package), which CI installs.
func TestMetricsPassPromtool(t *testing.T) {
	m := smtpmetrics.NewMetrics()
	reg := prom.NewPedanticRegistry()
	reg.MustRegister(m)
	runSessions(t, m)
	text, _ := scrape(t, reg)
	problems, err := promlint.New(strings.NewReader(text)).Lint()
	if err != nil || len(problems) > 0 {
		t.Errorf("promlint: %v %v", err, problems)
	}
	promtool := testkit.Program(t, "promtool")
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}
