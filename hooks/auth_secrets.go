package hooks

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
)

// SecretFunc looks up the plaintext secret of a user: ok is false when
// there is no such user; an error is a temporary failure (454 4.7.0). ctx
// is the AUTH hook's, cancelled at the handler timeout.
type SecretFunc func(ctx context.Context, username string) (secret string, ok bool, err error)

// Secrets returns an Authenticator that checks credentials against
// plaintext secrets that lookup finds by user name: the password of PLAIN,
// LOGIN and any mechanism that obtains one, compared in constant time, and
// the digest of CRAM-MD5. An unknown user costs the same comparison as a
// known one. It refuses (535 5.7.8) other mechanisms' credentials and an
// authorization identity other than the user's own.
func Secrets(lookup SecretFunc) Authenticator {
	return AuthenticatorFunc(func(ctx context.Context, _ *Session, _ *Envelope, c *Credentials) error {
		secret, known, err := lookup(ctx, c.Username)
		if err != nil {
			return err
		}
		if !matches(c, secret) || !known || c.Authzid != "" && c.Authzid != c.Username {
			return ErrBadCredentials
		}
		return nil
	})
}

// matches reports whether the credentials prove knowledge of secret.
func matches(c *Credentials, secret string) bool {
	switch d := c.Data.(type) {
	case nil:
		return EqualSecrets(c.Password, secret)
	case *CRAMMD5Response:
		return d.Verify(secret)
	}
	return false
}

// EqualSecrets compares two secrets in constant time: hashing both first
// gives them the same length, so that the time taken tells nothing of the
// length either.
func EqualSecrets(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}
