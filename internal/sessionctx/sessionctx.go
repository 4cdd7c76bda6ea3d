// Package sessionctx lets the server give a hooks.Session its context: a
// handler reads it (Session.Context) but has no way to set it, and the
// handler API shows no constructor that only the server needs.
package sessionctx

import "context"

// Set sets the context of s, a *hooks.Session. The hooks package installs
// it when it is initialized, before any session exists.
var Set func(s any, ctx context.Context)
