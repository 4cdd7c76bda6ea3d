package hooks

import (
	"context"
	"log/slog"
	"strings"
)

// Credentials is what a SASL mechanism obtained from the client, for an
// Authenticator to decide (aiosmtpd's auth_data). It never prints its
// password: String and LogValue leave it out.
type Credentials struct {
	Mechanism string // upper case: "PLAIN", "LOGIN", ...
	Username  string // the authentication identity
	Password  string // PLAIN and LOGIN
	Authzid   string // the authorization identity asked for; "" for none (act as Username)
	Data      any    // what other mechanisms obtain
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
func (c *Credentials) String() string {
	s := c.Mechanism + " user " + c.Username
	if c.Authzid != "" {
		s += " as " + c.Authzid
	}
	return s
}

// LogValue makes slog log c without its password.
func (c *Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("mechanism", c.Mechanism),
		slog.String("username", c.Username), slog.String("authzid", c.Authzid))
}

// Authenticator decides credentials: the AUTH hook, aiosmtpd's
// Authenticator(server, session, envelope, mechanism, auth_data). nil
// accepts ("235 2.7.0"); ErrBadCredentials or another Reply refuses; any
// other error is a temporary failure ("454 4.7.0", RFC 4954 §6). A handler
// that implements Authenticator is used when no other is configured.
// Compare secrets in constant time (crypto/subtle), as Passwords does.
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
// Dispatcher offers each one given to it under its name.
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
// response). The first call receives the initial response of "AUTH mech
// ir", nil when there was none (an empty response is empty, not nil).
// response is valid during the call only.
type Exchange interface {
	Next(response []byte) (challenge []byte, creds *Credentials, err error)
}

var (
	replyAuthOK    = Reply{Code: 235, Enhanced: "2.7.0", Text: "Authentication successful"}
	replyAuthTemp  = Reply{Code: 454, Enhanced: "4.7.0", Text: "Temporary authentication failure"}
	replyMalformed = Reply{Code: 501, Enhanced: "5.5.2", Text: "Error: malformed authentication response"}
	replyNoMech    = Reply{Code: 504, Enhanced: "5.5.4", Text: "Error: unrecognized authentication type"}
)

// findMechanism returns the mechanism called name, in any case.
func findMechanism(mechs []Mechanism, name string) Mechanism {
	for _, m := range mechs {
		if strings.EqualFold(m.Name(), name) {
			return m
		}
	}
	return nil
}
