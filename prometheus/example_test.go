package prometheus_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/smtp"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	smtpmetrics "github.com/gosmtpd/gosmtpd/prometheus"
)

// A server whose events are counted, and the counts served to Prometheus.
func ExampleNewMetrics() {
	m := smtpmetrics.NewMetrics()
	reg := prometheus.NewRegistry()
	reg.MustRegister(m)
	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	// go http.ListenAndServe("localhost:9325", nil)

	srv := &gosmtpd.Server{Hostname: "mx.example", Observer: m, Logger: slog.New(slog.DiscardHandler)}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(l)
	smtp.SendMail(l.Addr().String(), nil, "a@example.org", []string{"b@example.org"}, []byte("Subject: hi\r\n\r\nhello\r\n"))
	srv.Shutdown(context.Background())

	families, _ := reg.Gather()
	for _, f := range families {
		if f.GetName() == "gosmtpd_messages_total" {
			for _, s := range f.GetMetric() {
				fmt.Println(s.GetLabel()[0].GetValue(), s.GetCounter().GetValue())
			}
		}
	}
	// Output:
	// accepted 1
	// deferred 0
	// rejected 0
}
