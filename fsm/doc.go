// Package fsm is the protocol core of gosmtpd: one SMTP (RFC 5321) or LMTP
// (RFC 2033) session as a pure state machine. It consumes bytes and handler
// decisions and emits Actions and reply bytes; it never touches a socket,
// never reads the clock and never calls user code (the "sans-I/O" design of
// h11 and quinn-proto). The transport package drives it over a net.Conn;
// tests and fuzzers drive it directly.
//
// The session-state graph is declared once, in graph.go, as looplab/fsm
// events; diagram.md is generated from it (go generate) and the fuzz tests
// use it as an oracle. The per-command path reads a compiled table.
//
// A server compiles its Config once (Compile: defaults, greeting, EHLO
// replies) and makes each session's Conn from it with what is the
// session's own (SessionConfig); NewConn does both for one session.
//
// The core owns every reply. A hook's question (ActAsk) carries the reply
// the core sends when the hook has no opinion; Resolve returns the reply it
// applied, so that the layer above records what happened (a greeting, a
// sender, a recipient accepted) rather than predict the core. A driver
// that must end a session at once calls Abort with the cause, and the core
// queues the last words ("421 4.3.2 ... Service shutting down"): a driver
// writes only what AppendOutbound gives it.
//
// Peer mistakes become replies; only connection-fatal causes are errors
// (ErrTimeout, ErrTooManyErrors, ...). Memory is bounded by the Config
// whatever the peer sends: one input buffer, one reply queue, no body
// buffering (bodies are handed out in place as ActBody chunks). With
// Config.Buffers the input buffer itself is lent back while the session
// waits for its client.
package fsm

//go:generate go run ./internal/gendiagram -o diagram.md
