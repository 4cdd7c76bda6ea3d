// Package dispatch turns the protocol core's questions (fsm.Ask) into calls
// of a handler's hooks (package hooks) and their answers into the core's
// decisions (fsm.Decision). It is the machinery between the handler API and
// the driver (package transport): a Dispatcher is made once per server and
// holds what the handler implements; each session calls hooks through its
// own Caller, which keeps the session's Session and Envelope.
//
// Hooks run on the session's goroutine, as net/http handlers do (call,
// invoke.go): a call's arguments are a plain value, not a closure, and its
// context (callctx.go) is one small allocation whose timer is the session's
// own, so that a hook call costs what the hook does. The DATA hook reads
// the message through a Stream the driver gives it (RunMessage). A handler
// wrapped in hooks.Abandoning has each call run on a goroutine of its own
// instead, left behind when its time is up (detach.go).
//
// The Caller records facts, never predictions: Decide answers a question,
// and Record, given the reply the core applied (fsm.Conn.Resolve's result),
// notes what it changed (a greeting, a sender, a recipient, an
// authentication). The replies that end a session at once are the core's.
package dispatch
