// Package hooks is gosmtpd's handler API: optional one-method interfaces,
// one per aiosmtpd handle_* hook, with the Session and Envelope they are
// given, the Reply they may answer with and the AUTH types (Mechanism,
// Credentials, Authenticator). The server turns the protocol core's
// questions into calls of these hooks.
//
// A handler implements only the hooks it needs, in the style of net/http:
// the server discovers them by type assertion once, when it starts, and
// asks the core to stop only for hooks a handler answers, so hooks nobody
// implements cost nothing. Hooks run on their session's goroutine, one at a
// time, as net/http handlers do. Every hook takes a context first; it is
// cancelled when the client goes, when the server stops, or when the hook
// overruns its time limit (the server's HandlerTimeout; a DATA hook's time
// does not run while it waits for the message's next bytes). A hook that
// answers after its time is up gets "451 4.3.0" for its answer. A hook that
// ignores its context holds its session until it returns; wrap the handler
// in Abandoning to leave such hooks behind instead.
//
// Because hooks are found by type assertion, a method that misses its
// interface (HandleData for HandleDATA, a wrong signature, methods with
// pointer receivers on a handler passed by value) compiles and is never
// called. The server refuses such a handler when it starts, naming the
// method; let the compiler catch it earlier with one line per hook:
//
//	var _ hooks.RCPTHandler = (*myHandler)(nil)
//	var _ hooks.DATAHandler = (*myHandler)(nil)
//
// A hook returns nil for the default reply, a Reply to choose the reply
// (code, enhanced status code, text; without an enhanced code, one of the
// code's class, "5.0.0", is added while ENHANCEDSTATUSCODES is offered, as
// RFC 2034 asks), or any other error, which becomes
// "451 4.3.0" without its text reaching the client (it may hold internals).
// A 421 Reply ends the session after it is sent, as the code says (in LMTP,
// a DATA reply is one recipient's and does not). A panic ends that session
// only, with "421 4.3.0". An ExceptionHandler may choose other replies for
// failures.
//
// The message reaches the DATA hook as a stream (an io.Reader, also an
// io.WriterTo) that reads the server's own buffer as the message arrives:
// a 100 MiB message costs no more memory than a 1 KiB one, and a hook that
// reads it costs the server no goroutine, channel or copy. ReadMessage
// reads it whole, up to a limit, for handlers that want bytes. The stream
// fails with io.ErrUnexpectedEOF when the client goes before
// the end of the message, and with the core's cause (fsm.ErrMessageTooBig,
// ...) when the message is refused while it streams; the client then gets no
// positive reply whatever the hook returns. A handler that only throws
// messages away (handlers.Sink) lets the core drop each message itself, read,
// decoded and checked whole, with no DATA hook to run.
//
// The server owns Envelope.RcptTos: it adds each recipient a RCPT hook
// accepts. aiosmtpd's documentation has handle_RCPT append the address
// itself; a hook ported that way does no harm, as what a hook appends is
// dropped and each accepted recipient is listed once.
//
// AUTH is split in two: a Mechanism (PLAIN and LOGIN are built in) runs the
// SASL exchange and produces Credentials; an Authenticator decides them.
package hooks
