package dispatch

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// redacted stands for a secret cut out of an error's text.
const redacted = "[REDACTED]"

// redact returns err with every occurrence of secret in its text masked,
// so that an Authenticator that quotes the password in an error or a panic
// leaks it neither to logs (CallerConfig.Failed) nor to the
// ExceptionHandler. A panic stays a *PanicError, so that it still ends the
// session; other errors whose text held the secret become plain errors.
// err is returned as it is when its text does not hold the secret.
func redact(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	var p *hooks.PanicError
	if errors.As(err, &p) {
		return &hooks.PanicError{Hook: p.Hook, Value: mask(fmt.Sprint(p.Value), secret), Stack: p.Stack}
	}
	return errors.New(mask(err.Error(), secret))
}

func mask(s, secret string) string { return strings.ReplaceAll(s, secret, redacted) }
