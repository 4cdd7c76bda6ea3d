package hooks

// Abandoning serves Handler with each hook call on a goroutine of its own,
// so that a hook that ignores its context can be left behind, as
// net/http's TimeoutHandler leaves a handler: when the hook's time limit
// (the server's HandlerTimeout) passes, or the session is stopped, the
// session stops waiting; the client gets "451 4.3.0" (or the session's
// last words when the server stops) and the hook goes on with copies of
// the Session and the Envelope that nothing changes any more. A DATA hook
// still reads the message as it arrives; once it is left behind its reads
// fail with io.ErrUnexpectedEOF.
//
// Without it hooks run on the session's own goroutine, as net/http
// handlers do: a timeout cancels a hook's context, and a hook that ignores
// it holds its session until it returns. Abandoning costs a goroutine, two
// channels and the copies for each hook call; use it for handlers that call
// code that may block without honouring a context.
type Abandoning struct {
	Handler Handler
}
