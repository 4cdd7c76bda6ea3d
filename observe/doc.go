// Package observe is what a server tells an operator's tools: the events of
// its connections and sessions (opened, turned away by a limit, ended and
// why), of its transactions (senders, recipients and messages accepted or
// refused, with their replies, sizes and durations), of TLS handshakes, AUTH
// verdicts, PROXY headers and hook calls. An Observer receives them; logs
// and metrics are observers. Log writes the per-message lines an operator
// reads, through a slog.Logger; LogText and LogJSON write the same bytes as
// slog's text and JSON handlers would, for a third of the cost. The Prometheus adapter, a module of its own
// (github.com/gosmtpd/gosmtpd/prometheus), counts them, so that a program
// that does not want metrics does not link a metrics library.
//
// Events are reported on the session's own goroutine as they happen, after
// the reply they describe is decided: an Observer must be quick and safe for
// concurrent use (sessions run in parallel), and must not keep the Event or
// its byte slices after Observe returns.
package observe
