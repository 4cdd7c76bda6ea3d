// Package transport drives the protocol core over a net.Conn: it reads into
// the core's buffer (no bufio), applies the timeouts the core asks for,
// writes replies in batches, streams message bodies to the DATA hook, runs
// STARTTLS on the same socket, and turns handler failures into replies.
package transport
