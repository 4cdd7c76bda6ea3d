package hooks

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
)

// Passwords is an Authenticator over a fixed table of user names and
// plaintext passwords, for tests and small setups: Secrets over the map,
// so it checks PLAIN, LOGIN and CRAM-MD5. Passwords are compared in
// constant time. A client may ask for no authorization identity other than
// its own name. Printing or logging the table shows only its size.
type Passwords map[string]string

// Authenticate accepts c when it proves the user's password.
func (p Passwords) Authenticate(ctx context.Context, s *Session, e *Envelope, c *Credentials) error {
	return Secrets(p.lookup).Authenticate(ctx, s, e, c)
}

func (p Passwords) lookup(_ context.Context, user string) (string, bool, error) {
	secret, ok := p[user]
	return secret, ok, nil
}

// String names the table's size, never its contents.
func (p Passwords) String() string { return "Passwords(" + strconv.Itoa(len(p)) + " users)" }

// Format prints String for every verb.
func (p Passwords) Format(f fmt.State, _ rune) { fmt.Fprint(f, p.String()) }

// LogValue makes slog log the table's size only.
func (p Passwords) LogValue() slog.Value { return slog.IntValue(len(p)) }
