// Package transport drives the protocol core (fsm.Conn) over a net.Conn:
// ServeConn serves one connection from greeting to close.
//
// The driver reads straight into the core's buffer (no bufio), applies the
// deadlines the core asks for (a deadline per command, not renewed by each
// byte, so that a client trickling a command is cut off), writes the queued
// replies in one write per batch (RFC 2920 pipelining), runs STARTTLS on the
// same socket, and reads an optional PROXY protocol header first. Hooks run
// on the session's goroutine: the DATA hook reads the message through a
// stream that drives the session as it reads (stream.go), so that a message
// costs no goroutine, channel or copy. A panic ends that session only with
// "421 4.3.0"; a hook that overruns Options.HandlerTimeout gets its context
// cancelled and the client "451 4.3.0".
//
// The driver writes no reply of its own: to end a session at once it asks
// the core to abort (fsm.Conn.Abort), which queues the last words. On a
// plain socket it reads the descriptor itself (socket.go), so that the read
// after a reply waits for the client rather than trying the socket for
// nothing; the loop does not know which way it reads (input.go).
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
