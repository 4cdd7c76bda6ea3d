// Package gosmtpd is an SMTP (RFC 5321) and LMTP (RFC 2033) server library:
// Go's counterpart of Python's aiosmtpd. Server follows net/http.Server:
// Serve, ListenAndServe, ListenAndServeTLS (SMTPS), Shutdown and Close.
//
// The protocol itself lives in package fsm, a pure state machine; package
// transport drives it over connections; package hooks is the handler API.
package gosmtpd
