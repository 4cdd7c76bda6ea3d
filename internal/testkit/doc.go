// Package testkit holds what the project's own tests share: finding an
// outside program (skipped locally, a failure under CI), a buffer that
// goroutines may write while a test reads it, a server program started
// with its address awaited and its output kept (Start), a line-oriented
// SMTP client that fails the test on a wrong reply, and a trusted TLS
// configuration pair.
//
// It is internal to the module and only for its tests; nothing in the
// library or the command imports it. It imports transport/tls, so the
// in-package tests of codec, fsm, hooks and transport cannot use it
// (their external _test packages can).
package testkit
