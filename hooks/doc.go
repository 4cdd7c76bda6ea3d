// Package hooks is gosmtpd's handler API: optional one-method interfaces, one
// per aiosmtpd handle_* hook, and the Dispatcher, the one place that turns a
// core Ask into a handler call and a handler's error into a reply.
//
// A handler implements only the hooks it needs (net/http style); the core is
// told which, so hooks nobody implements cost nothing. A hook returns nil for
// the default reply, a Reply to choose one, or any other error, which becomes
// "451 4.3.0" without its text reaching the client.
package hooks
