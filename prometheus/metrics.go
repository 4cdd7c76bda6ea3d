package prometheus

import (
	"crypto/tls"

	prom "github.com/prometheus/client_golang/prometheus"

	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/observe"
)

// Metrics is an observe.Observer that counts a server's events, and a
// prometheus.Collector that exports the counts. Register it, and set it as
// the server's Observer:
//
//	m := smtpmetrics.NewMetrics()
//	prometheus.MustRegister(m)
//	srv := &gosmtpd.Server{Observer: m}
type Metrics struct {
	connections      prom.Counter
	refused          *prom.CounterVec
	active           prom.Gauge
	sessions         *prom.CounterVec
	senders          results
	recipients       results
	messages         results
	receivedBytes    prom.Counter
	messageSize      prom.Histogram
	tls              *prom.CounterVec
	auth             *prom.CounterVec
	proxyErrors      prom.Counter
	hookDuration     *prom.HistogramVec
	hookDurationByID [fsm.NumHooks]prom.Observer // the children of hookDuration, resolved once
}

// results are the children of a counter by reply class, resolved once so
// that counting does not look labels up.
type results struct {
	vec                          *prom.CounterVec
	accepted, deferred, rejected prom.Counter
}

// The values of the result label of senders, recipients and messages.
const (
	resultAccepted = "accepted" // 2xx
	resultDeferred = "deferred" // 4xx: the client may try again
	resultRejected = "rejected" // 5xx
)

func newResults(name, help string) results {
	vec := prom.NewCounterVec(prom.CounterOpts{Name: name, Help: help}, []string{"result"})
	return results{vec: vec, accepted: vec.WithLabelValues(resultAccepted),
		deferred: vec.WithLabelValues(resultDeferred), rejected: vec.WithLabelValues(resultRejected)}
}

// count counts a reply by its class; anything but 2xx and 4xx is a refusal.
func (r *results) count(code int) {
	switch code / 100 {
	case 2:
		r.accepted.Inc()
	case 4:
		r.deferred.Inc()
	default:
		r.rejected.Inc()
	}
}

// Buckets of gosmtpd_message_size_bytes: 1 KiB to 64 MiB by powers of 4.
var sizeBuckets = prom.ExponentialBuckets(1024, 4, 9)

// Buckets of gosmtpd_hook_duration_seconds: 100 µs to about 100 s, hooks
// range from an in-memory check to a relay's whole transaction.
var durationBuckets = prom.ExponentialBuckets(0.0001, 4, 11)

// NewMetrics returns the metrics, all at zero, with every label value known
// in advance already present, so that a rate over them starts at once.
func NewMetrics() *Metrics {
	m := &Metrics{
		connections: prom.NewCounter(prom.CounterOpts{Name: "gosmtpd_connections_total",
			Help: "Connections accepted, served or turned away by a limit."}),
		refused: prom.NewCounterVec(prom.CounterOpts{Name: "gosmtpd_connections_refused_total",
			Help: "Connections turned away with a 421 greeting, by the limit reached."}, []string{"limit"}),
		active: prom.NewGauge(prom.GaugeOpts{Name: "gosmtpd_sessions_active",
			Help: "Sessions being served."}),
		sessions: prom.NewCounterVec(prom.CounterOpts{Name: "gosmtpd_sessions_total",
			Help: "Sessions ended, by the reason they ended."}, []string{"reason"}),
		senders: newResults("gosmtpd_senders_total",
			"MAIL commands answered: accepted (2xx), deferred (4xx) or rejected (5xx)."),
		recipients: newResults("gosmtpd_recipients_total",
			"RCPT commands answered: accepted (2xx), deferred (4xx) or rejected (5xx)."),
		messages: newResults("gosmtpd_messages_total",
			"Messages given their final reply: accepted (2xx), deferred (4xx) or rejected (5xx); in LMTP one per recipient."),
		receivedBytes: prom.NewCounter(prom.CounterOpts{Name: "gosmtpd_received_bytes_total",
			Help: "Message octets received, accepted or not."}),
		messageSize: prom.NewHistogram(prom.HistogramOpts{Name: "gosmtpd_message_size_bytes",
			Help: "Size of the messages accepted.", Buckets: sizeBuckets}),
		tls: prom.NewCounterVec(prom.CounterOpts{Name: "gosmtpd_tls_handshakes_total",
			Help: "TLS handshakes, by mode (starttls, implicit), result (ok, failed) and version agreed."},
			[]string{"mode", "result", "version"}),
		auth: prom.NewCounterVec(prom.CounterOpts{Name: "gosmtpd_auth_total",
			Help: "AUTH verdicts, by mechanism and result: success, failure (5xx), error (4xx)."},
			[]string{"mechanism", "result"}),
		proxyErrors: prom.NewCounter(prom.CounterOpts{Name: "gosmtpd_proxy_errors_total",
			Help: "PROXY protocol headers missing, malformed or refused; each ends its session."}),
		hookDuration: prom.NewHistogramVec(prom.HistogramOpts{Name: "gosmtpd_hook_duration_seconds",
			Help: "Time the handler's hooks take to answer, by hook.", Buckets: durationBuckets}, []string{"hook"}),
	}
	m.initLabels()
	return m
}

// initLabels creates the children whose label values are known in
// advance.
func (m *Metrics) initLabels() {
	for _, l := range []string{"max_connections", "max_connections_per_client"} {
		m.refused.WithLabelValues(l)
	}
	for _, r := range []string{observe.ReasonQuit, observe.ReasonPeerClosed, observe.ReasonTimeout,
		observe.ReasonTooManyErrors, observe.ReasonCallLimit, observe.ReasonAuthFailures,
		observe.ReasonCrossProtocol, observe.ReasonTLSFailed, observe.ReasonProxy,
		observe.ReasonHandlerClosed, observe.ReasonShutdown, observe.ReasonOther} {
		m.sessions.WithLabelValues(r)
	}
	for h := fsm.HookHELO; h < fsm.NumHooks; h++ {
		m.hookDurationByID[h] = m.hookDuration.WithLabelValues(hookLabel(h))
	}
}

// hookLabel is the hook's label value: the command's name in lower case
// (helo, ehlo, mail, rcpt, data, auth, ...), "auth_next" for a SASL
// response, "command" for an embedder's own commands.
func hookLabel(h fsm.Hook) string {
	switch h {
	case fsm.HookAUTHNext:
		return "auth_next"
	case fsm.HookCommand:
		return "command"
	}
	return lower(h.String())
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func (m *Metrics) collectors() []prom.Collector {
	return []prom.Collector{m.connections, m.refused, m.active, m.sessions, m.senders.vec,
		m.recipients.vec, m.messages.vec, m.receivedBytes, m.messageSize, m.tls, m.auth,
		m.proxyErrors, m.hookDuration}
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prom.Desc) {
	for _, c := range m.collectors() {
		c.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prom.Metric) {
	for _, c := range m.collectors() {
		c.Collect(ch)
	}
}

// Observe implements observe.Observer: it counts e.
func (m *Metrics) Observe(e *observe.Event) {
	switch e.Kind {
	case observe.ConnectionRefused:
		m.connections.Inc()
		m.refused.WithLabelValues(e.Limit).Inc()
	case observe.SessionStarted:
		m.connections.Inc()
		m.active.Inc()
	case observe.SessionEnded:
		m.active.Dec()
		m.sessions.WithLabelValues(e.Reason).Inc()
	case observe.Mail:
		m.senders.count(e.Reply.Code)
	case observe.Recipient:
		m.recipients.count(e.Reply.Code)
	case observe.Message:
		m.message(e)
	case observe.TLSHandshake:
		m.handshake(e)
	case observe.Auth:
		m.auth.WithLabelValues(e.Mechanism, authResult(e.Reply.Code)).Inc()
	case observe.ProxyFailed:
		m.proxyErrors.Inc()
	case observe.HookDone:
		if e.Hook < fsm.NumHooks && m.hookDurationByID[e.Hook] != nil {
			m.hookDurationByID[e.Hook].Observe(e.Duration.Seconds())
		}
	}
}

// message counts a final reply; a message's octets once, at its first
// reply (LMTP gives one per recipient).
func (m *Metrics) message(e *observe.Event) {
	m.messages.count(e.Reply.Code)
	if e.Rcpt != 0 {
		return
	}
	m.receivedBytes.Add(float64(e.Size))
	if e.Reply.Code/100 == 2 {
		m.messageSize.Observe(float64(e.Size))
	}
}

func (m *Metrics) handshake(e *observe.Event) {
	mode, result, version := "starttls", "ok", ""
	if e.Implicit {
		mode = "implicit"
	}
	if e.Cause != nil {
		result = "failed"
	} else {
		version = tls.VersionName(e.TLSVersion)
	}
	m.tls.WithLabelValues(mode, result, version).Inc()
}

func authResult(code int) string {
	switch code / 100 {
	case 2:
		return "success"
	case 4:
		return "error"
	}
	return "failure"
}
