// Package canned is the floor of the benchmark: an SMTP responder that parses
// nothing. It answers every line with a fixed reply, skips a message body by
// scanning for CRLF.CRLF, and writes all replies due for one read in one
// write (RFC 2920 batching). No real server can do less work per message, so
// its throughput bounds what the load generator and the kernel allow.
package canned
