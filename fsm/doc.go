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
// Peer mistakes become replies; only connection-fatal causes are errors
// (ErrTimeout, ErrTooManyErrors, ...). Memory is bounded by the Config
// whatever the peer sends: one input buffer, one reply queue, no body
// buffering (bodies are handed out in place as ActBody chunks).
package fsm

//go:generate go run ./internal/gendiagram -o diagram.md
