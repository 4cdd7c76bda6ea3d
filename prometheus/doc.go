// Package prometheus counts a gosmtpd server's events (package observe) as
// Prometheus metrics, with prometheus/client_golang. It is a module of its
// own, so that programs that do not want metrics do not link a metrics
// library.
//
// Every name starts with gosmtpd_ and follows Prometheus's conventions
// (counters end in _total, units in the name, base units):
//
//	gosmtpd_connections_total                  connections accepted, served or turned away
//	gosmtpd_connections_refused_total{limit}   turned away by a limit: max_connections, max_connections_per_client
//	gosmtpd_sessions_active                    sessions being served
//	gosmtpd_sessions_total{reason}             sessions ended, by why (quit, peer_closed, timeout, ...: observe.Reason)
//	gosmtpd_senders_total{result}              MAIL commands answered: accepted, deferred (4xx), rejected (5xx)
//	gosmtpd_recipients_total{result}           RCPT commands answered, likewise
//	gosmtpd_messages_total{result}             messages' final replies, likewise (in LMTP, one per recipient)
//	gosmtpd_received_bytes_total               message octets received, accepted or not
//	gosmtpd_message_size_bytes                 histogram of the size of messages accepted
//	gosmtpd_tls_handshakes_total{mode,result,version}   mode: starttls, implicit; result: ok, failed
//	gosmtpd_auth_total{mechanism,result}       AUTH verdicts: success, failure (5xx), error (4xx)
//	gosmtpd_proxy_errors_total                 PROXY protocol headers missing, malformed or refused
//	gosmtpd_hook_duration_seconds{hook}        histogram of the time the handler's hooks take to answer
//
// The package is named after the system it feeds; import it under another
// name beside client_golang's:
//
//	import smtpmetrics "github.com/gosmtpd/gosmtpd/prometheus"
package prometheus
