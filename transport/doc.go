// Package transport drives the protocol core (fsm.Conn) over a net.Conn:
// ServeConn serves one connection from greeting to close.
//
// The driver reads straight into the core's buffer (no bufio), applies the
// deadlines the core asks for (a deadline per command, not renewed by each
// byte, so that a client trickling a command is cut off), writes the queued
// replies in one write per batch (RFC 2920 pipelining), hands message bodies
// to the DATA hook chunk by chunk, runs STARTTLS on the same socket, and
// reads an optional PROXY protocol header first. Handler calls go through a
// the handler layer: a panic ends that session only with "421 4.3.0", a handler
// that overruns Options.HandlerTimeout gets its context cancelled and the
// client "451 4.3.0".
//
// Stopping comes in two strengths. Cancelling the context passed to
// ServeConn asks for a graceful end: an idle session gets "421 4.3.2" at
// once, a transaction in flight first finishes. Cancelling
// Options.BaseContext ends the session at once: "421 4.3.2", whatever it
// was doing, and no message is acknowledged that was not delivered whole.
//
// Listeners live in the subpackages tcp (dual-stack "localhost", port 0),
// unix (Unix sockets: stale files, mode) and tls (SMTPS, implicit TLS).
package transport
