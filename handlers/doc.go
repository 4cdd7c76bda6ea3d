// Package handlers holds gosmtpd's built-in handlers, the counterparts of
// aiosmtpd's: Debugging prints each message, Sink discards it.
package handlers
