// Package gosmtpd is an SMTP (RFC 5321) and LMTP (RFC 2033) server library:
// Go's counterpart of Python's aiosmtpd. Server follows net/http.Server:
// Serve, ServeTLS (SMTPS), ListenAndServe, ListenAndServeTLS, Shutdown and
// Close. Controller is aiosmtpd's Controller: it starts a Server in the
// background on TCP or a Unix socket and returns once the server greets,
// for programs and test suites that need one running. Package smtptest is
// the httptest of SMTP: a recording server for unit tests.
//
// The protocol itself lives in package fsm, a pure state machine over the
// wire grammar of package codec; package transport drives it over
// connections (transport/tcp, transport/unix and transport/tls make the
// listeners); package hooks is the handler API and handlers holds the
// built-in handlers (Debugging, Sink, Mailbox, Proxy, Message).
//
// A Server's defaults are meant for the internet: one client cannot take
// it from the others. Sessions are capped by what the descriptor limit
// allows, 50 of them a client (an IPv4 address, an IPv6 /64), with
// Postfix's stress mode near the cap; message data must arrive at 500
// bytes a second; sessions sending only junk or refused recipients end;
// a client's password guesses are spaced out and each refusal is logged
// (AuthFailureMessage). The README's "Security behaviour" lists each limit
// beside Postfix's.
package gosmtpd
