// Package fuzz holds native Go fuzz targets over the whole server: the
// driver (transport.ServeConn), the handler API (package hooks) and the
// core together, over net.Pipe, as a client on the internet sees them. The
// core and the codec have fuzz targets of their own (fsm/fuzz_test.go,
// codec/*fuzz_test.go); these go through everything a session touches:
// reads cut wherever the client's writes end, hooks on the session's goroutine,
// the message streamed to a DATA hook, STARTTLS, the PROXY header, AUTH.
// The package has no API: it consumes everything, nothing imports it.
//
// # FuzzServer
//
// A session driven with fuzzer-chosen bytes, cut into fuzzer-chosen writes,
// from one of eight starting points, reached by a client that checks each
// reply: before the greeting, after EHLO, in a transaction (after MAIL and
// RCPT), in DATA (after 354), and the same four again after STARTTLS and a
// real TLS handshake over the pipe (one self-signed certificate per process,
// sessions resumed). Flags choose small limits, the bare line ending policies,
// unlimited errors, a small read buffer, LMTP (LHLO, and a DATA hook that
// answers each recipient, sometimes with too few answers), logging at Debug
// (every command and reply traced; each line of the log must be a record of
// its own, none forged by the client's bytes), and the handler: one that
// records and accepts every message, or one that refuses, fails, panics and
// reads partway at points chosen by a seed from the input, its
// ExceptionHandler choosing replies too. AUTH (PLAIN, LOGIN) is offered in
// the clear.
//
// Invariants: no panic; ServeConn returns once the input has ended (the
// client's end of the pipe then reads EOF while the server can still write,
// so that every reply is seen); no goroutine is left behind; every line the
// server writes is a well-formed reply, and nothing follows a 221 or a 421.
// The key invariant: a 250 to the end of a message (the final dot or BDAT
// LAST) is only ever sent for a message the DATA hook received whole, byte
// for byte. A reference model written for clarity, independent of the codec,
// walks the client's bytes line by line beside the server's replies (one per
// command line, which an LF ends with or without a CR; 354 starts a body,
// which a line-by-line dot-unstuffer decodes up to CRLF.CRLF; a BDAT chunk is counted out and collected when its 250 comes);
// each 250 ending a message is matched, in order, with the next message the
// hook read to its end and accepted (or whose failure the ExceptionHandler
// turned into a 250), and the bytes must be equal. Every such message must
// get its 250. In LMTP the end of a message gets one reply per recipient
// accepted since MAIL, and each must be a 2xx exactly when the hook accepted
// that recipient; a 421 among them does not end the session. (A hook that
// accepts having read every byte, but returns before it reads io.EOF,
// received the message whole too: the server cannot tell, and answers 250.)
//
// # FuzzServerSocket
//
// FuzzServer again, with the same invariants, over a Unix socket pair
// instead of net.Pipe: the kernel buffers and joins the client's writes,
// and the driver reads the socket through its raw path (waiting for it to
// be readable, lending its input buffer while it waits, probing for the end
// of the stream), which net.Pipe, not being a socket, never takes.
//
// # FuzzProxyHeader
//
// A PROXY protocol header (a v1 or v2 signature, a valid header or none,
// then fuzzed bytes) in front of the SMTP dialogue, through ServeConn with
// Options.Proxy set. go-proxyproto, which the server uses, is the
// reference for whether the header is valid and what it says.
// Invariants: no panic; ServeConn returns; when the header is refused (or
// the PROXY hook refuses it) the server writes nothing at all, no greeting,
// and ServeConn returns an error; when it is accepted the greeting comes,
// the bytes after the header are read as commands, the PROXY hook gets the
// header's version, command and source, and every hook sees the header's
// source as the session's Peer (net.Pipe's address for a LOCAL command or
// an UNKNOWN family). A v1 header split over several writes may be refused:
// go-proxyproto wants it in one read, as the specification allows.
//
// # FuzzAuth
//
// AUTH exchanges through the server with every mechanism of package hooks
// (PLAIN, LOGIN, CRAM-MD5) against a Passwords table. Each input line
// starts an attempt (mechanism and initial response) or answers a 334; the
// client writes a line and waits for its reply. A line is sent as the
// fuzzer wrote it, or base64-encoded by the test, or, for CRAM-MD5, as a
// user name with the digest computed over the server's challenge with a
// fuzzed password. Invariants: no panic; every line gets exactly one
// reply; a 235 comes only when the Authenticator has just accepted the
// configured user (and password); when every response of an attempt was
// encoded by the test, a 235 comes exactly when the responses carry the
// configured credentials (the model of each mechanism is written in the
// test); after a 235, AUTH gets 503; a 421 comes only once at least the
// configured number of attempts have failed.
//
// # Running them
//
// Each target runs its seeds (f.Add and testdata/fuzz/<Target>) as a
// normal test with go test. To fuzz one, on one core:
//
//	go test ./fuzz -run '^$' -fuzz '^FuzzServer$' -fuzztime 10m -parallel 1
//
// and likewise '^FuzzServerSocket$', '^FuzzSession$', '^FuzzProxyHeader$'
// and '^FuzzAuth$'.
// Adding -fuzzminimizetime 200x keeps the fuzzer fuzzing: by default it
// spends up to a minute minimizing each new interesting input. A failing
// input is written under testdata/fuzz/<Target>/; commit it with the fix, so
// that it stays a regression test. Executions take a few hundred
// microseconds (more with a TLS handshake; FuzzServerSocket's end of stream
// may wait out the 50 ms probe) and do not otherwise depend on the clock: the
// servers' timeouts are long and never reached, and the end of the input is
// an end of file, not a timeout. A session that does not end within 10
// seconds fails as a hang.
package fuzz
