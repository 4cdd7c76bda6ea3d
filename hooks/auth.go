package hooks

import (
	"context"
	"fmt"
	"log/slog"
)

// Credentials is what a SASL mechanism obtained from the client, for an
// Authenticator to decide (aiosmtpd's auth_data). It never prints its
// password: every fmt verb, String and LogValue leave it out, so a
// Credentials logged or wrapped in an error by mistake gives nothing away.
type Credentials struct {
	Mechanism string // upper case: "PLAIN", "LOGIN", ...
	Username  string // the authentication identity
	Password  string // PLAIN and LOGIN
	Authzid   string // the authorization identity asked for; "" for none (act as Username)
	Data      any    // what other mechanisms obtain (CRAM-MD5: *CRAMMD5Response)

	// Result is for the Authenticator: what it sets here before accepting
	// lands in Session.AuthData (a user record, a quota, ...).
	Result any
}

// Identity is the identity the session acts as once the credentials are
// accepted: Authzid when the client asked for one, else Username.
func (c *Credentials) Identity() string {
	if c.Authzid != "" {
		return c.Authzid
	}
	return c.Username
}

// String describes c without its password.
func (c Credentials) String() string {
	s := c.Mechanism + " user " + c.Username
	if c.Authzid != "" {
		s += " as " + c.Authzid
	}
	return s
}

// Format prints String for every verb, %d and %#v included, which would
// otherwise print the fields one by one, password and all.
func (c Credentials) Format(f fmt.State, _ rune) { fmt.Fprint(f, c.String()) }

// LogValue makes slog log c without its password.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("mechanism", c.Mechanism),
		slog.String("username", c.Username), slog.String("authzid", c.Authzid))
}

// Authenticator decides credentials: the AUTH hook, aiosmtpd's
// Authenticator(server, session, envelope, mechanism, auth_data). nil
// accepts ("235 2.7.0"); ErrBadCredentials or another Reply refuses; any
// other error is a temporary failure ("454 4.7.0", RFC 4954 §6), and so is
// overrunning the handler timeout; a panic ends the session with 421. The
// client always gets a reply. A handler that implements Authenticator is
// used when no other is configured. Compare secrets in constant time
// (crypto/subtle), as Secrets and Passwords do. An error that quotes the
// password reaches logs and the ExceptionHandler with it masked.
type Authenticator interface {
	Authenticate(ctx context.Context, s *Session, e *Envelope, c *Credentials) error
}

// AuthenticatorFunc is a function that is an Authenticator.
type AuthenticatorFunc func(ctx context.Context, s *Session, e *Envelope, c *Credentials) error

// Authenticate calls f.
func (f AuthenticatorFunc) Authenticate(ctx context.Context, s *Session, e *Envelope, c *Credentials) error {
	return f(ctx, s, e, c)
}

// Mechanism is a server-side SASL mechanism (RFC 4422), pluggable: the
// server offers each one given to it under its name.
type Mechanism interface {
	// Name is the mechanism's name; clients may send it in any case.
	Name() string
	// Start begins one exchange.
	Start() Exchange
}

// Exchange is one SASL exchange in progress, driven by the core's
// challenge loop: each client response is passed to Next, which returns the
// next challenge (sent as "334 base64"), or the credentials once the client
// has given them all, or an error (a Reply such as 501 for a malformed
// response; any other error is a temporary failure, 454). The first call
// receives the initial response of "AUTH mech ir", nil when there was none
// (an empty response is empty, not nil). response is valid during the call
// only. Next runs on the session's goroutine without a time limit: it must
// not block. Lookups belong in the Authenticator, which is bounded.
type Exchange interface {
	Next(response []byte) (challenge []byte, creds *Credentials, err error)
}

// Replies an Authenticator may return besides ErrBadCredentials, where
// RFC 4954 §6 calls for them.
var (
	// ErrMechanismTooWeak: the mechanism is weaker than this user's policy
	// requires (534 5.7.9).
	ErrMechanismTooWeak = Reply{Code: 534, Enhanced: "5.7.9", Text: "Authentication mechanism is too weak"}
	// ErrEncryptionRequired: this user may authenticate with the mechanism
	// only over TLS (538 5.7.11).
	ErrEncryptionRequired = Reply{Code: 538, Enhanced: "5.7.11", Text: "Encryption required for requested authentication mechanism"}
	// ErrPasswordTransition: the user must first authenticate once with a
	// plaintext mechanism, so that the server can derive a new secret
	// (432 4.7.12).
	ErrPasswordTransition = Reply{Code: 432, Enhanced: "4.7.12", Text: "A password transition is needed"}
)

var replyMalformed = Reply{Code: 501, Enhanced: "5.5.2", Text: "Error: malformed authentication response"}
