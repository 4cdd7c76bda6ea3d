// Package dispatch turns the protocol core's questions (fsm.Ask) into calls
// of a handler's hooks (package hooks) and their answers into the core's
// decisions (fsm.Decision). It is the machinery between the handler API and
// the driver (package transport): a Dispatcher is made once per server and
// holds what the handler implements; each session calls hooks through its
// own Caller, which keeps the session's Session and Envelope.
package dispatch
