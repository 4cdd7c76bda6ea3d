// Package handlers holds gosmtpd's built-in handlers, the counterparts of
// aiosmtpd's: Debugging prints each message, Sink discards it, Mailbox
// delivers it to a Maildir, Proxy relays it to another SMTP server and
// Message hands it parsed (net/mail) to a function. Htpasswd is an
// Authenticator over a file of bcrypt hashes.
//
// Every handler here acts on a message only once it has arrived whole: a
// client that goes away in the middle of DATA, or a message refused for
// its size, leaves nothing printed, delivered or relayed, and the client
// never gets a 250 for a message that was not handled.
package handlers
