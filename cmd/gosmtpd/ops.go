package main

// What an operator runs the server with besides mail: a line per message
// at the default level, the log format (--log-format), and an HTTP
// endpoint (--metrics-listen) with Prometheus metrics and a health check.

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/observe"
	smtpmetrics "github.com/gosmtpd/gosmtpd/prometheus"
)

// opsOptions are the flags of this file.
type opsOptions struct {
	metricsListen string
	logFormat     string // "text" or "json"; "": text
}

func init() { flags = append(flags, opsFlags...) }

var opsFlags = []flagSpec{
	{long: "metrics-listen", arg: "ADDR", kind: value,
		help: "serve Prometheus metrics on http://ADDR/metrics and a health check on /healthz (503 once shutting down); port 0 picks a free one",
		set:  func(o *options, v string) error { o.ops.metricsListen = v; return nil }},
	{long: "log-format", arg: "FORMAT", kind: value, help: "text (default) or json: one record a line, for log pipelines",
		set: logFormatFlag},
}

func logFormatFlag(o *options, v string) error {
	if v != "text" && v != "json" {
		return errors.New("want text or json")
	}
	o.ops.logFormat = v
	return nil
}

// logHandler writes records at level and above to w in the format asked
// for.
func logHandler(format string, w io.Writer, level slog.Leveler) slog.Handler {
	return newLogHandler(format, w, &slog.HandlerOptions{Level: level})
}

// logHandlerWithSource is logHandler with each record's source file and
// line (-ddd).
func logHandlerWithSource(format string, w io.Writer, level slog.Leveler) slog.Handler {
	return newLogHandler(format, w, &slog.HandlerOptions{Level: level, AddSource: true})
}

func newLogHandler(format string, w io.Writer, opts *slog.HandlerOptions) slog.Handler {
	if format == "json" {
		return slog.NewJSONHandler(w, opts)
	}
	return slog.NewTextHandler(w, opts)
}

// messageLog is the line per message in the format asked for: the bytes
// observe.Log writes through logHandler at Info, formatted by observe's
// own LogText or LogJSON at a third of slog's cost or less (the line's
// formatting through slog took most of what the line cost the server).
func messageLog(format string, w io.Writer) observe.Observer {
	if format == "json" {
		return observe.LogJSON(w)
	}
	return observe.LogText(w)
}

// ops is what serves the operator while the server serves mail.
type ops struct {
	http     *http.Server // nil without --metrics-listen
	stopping atomic.Bool  // a shutdown has begun: /healthz answers 503
}

// newOps sets srv's Observer: the per-message lines at Info whatever -d
// says (the server's own log keeps aiosmtpd's levels), and the metrics
// when asked for, whose endpoint it starts.
func newOps(o *options, srv *gosmtpd.Server, stderr io.Writer) (*ops, error) {
	p := &ops{}
	messages := messageLog(o.ops.logFormat, stderr)
	if o.ops.metricsListen == "" {
		srv.Observer = messages
		return p, nil
	}
	l, err := net.Listen("tcp", o.ops.metricsListen)
	if err != nil {
		return nil, fmt.Errorf("--metrics-listen: %w", err)
	}
	m := smtpmetrics.NewMetrics()
	srv.Observer = observe.Multi(messages, m)
	srv.RegisterOnShutdown(func() { p.stopping.Store(true) })
	p.http = &http.Server{Handler: p.mux(m), ReadHeaderTimeout: 10 * time.Second}
	go p.http.Serve(l)
	fmt.Fprintf(stderr, "gosmtpd %s serving metrics at http://%s/metrics\n", version, l.Addr())
	return p, nil
}

// mux serves /metrics, the server's metrics with the Go runtime's and the
// process's, and /healthz.
func (p *ops) mux(m *smtpmetrics.Metrics) *http.ServeMux {
	reg := prometheus.NewRegistry()
	reg.MustRegister(m, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", p.health)
	return mux
}

// health answers a balancer's check: 200 while the server takes mail, 503
// from the moment a shutdown begins, so that the balancer sends no new
// client while the sessions in progress finish.
func (p *ops) health(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if p.stopping.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "shutting down\n")
		return
	}
	io.WriteString(w, "ok\n")
}

// close stops the endpoint, once the server is done.
func (p *ops) close() {
	if p.http != nil {
		p.http.Close()
	}
}
