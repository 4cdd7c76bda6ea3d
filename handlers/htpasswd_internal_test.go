package handlers

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// Every check costs the bcrypt work of the file's dearest hash: a user at
// cost 4, one at cost 6 and an unknown user are given the same work, counted
// as bcrypt counts it (2^cost rounds a comparison), not timed. Without the
// make-weight the cost 4 user got a quarter of it; with a cheaper dummy hash
// the unknown user got less too.
func TestHtpasswdSameWorkForEveryUser(t *testing.T) {
	cheap, _ := bcrypt.GenerateFromPassword([]byte("s3cret"), 4)
	dear, _ := bcrypt.GenerateFromPassword([]byte("s3cret"), 6)
	h, err := ParseHtpasswd(strings.NewReader("cheap:" + string(cheap) + "\ndear:" + string(dear) + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	var work int
	compareHash = func(hash, password []byte) error {
		cost, err := bcrypt.Cost(hash)
		if err != nil {
			t.Fatalf("compared with a hash that is not bcrypt: %v", err)
		}
		work += 1 << cost
		return bcrypt.CompareHashAndPassword(hash, password)
	}
	t.Cleanup(func() { compareHash = bcrypt.CompareHashAndPassword })
	for _, c := range []struct{ user, password string }{
		{"dear", "wrong"}, {"dear", "s3cret"}, {"cheap", "wrong"}, {"cheap", "s3cret"}, {"nobody", "s3cret"},
	} {
		work = 0
		h.Authenticate(context.Background(), &hooks.Session{}, &hooks.Envelope{}, &hooks.Credentials{Username: c.user, Password: c.password})
		if work != 1<<6 {
			t.Errorf("%s with password %q: bcrypt work %d, want %d (that of the dearest hash)", c.user, c.password, work, 1<<6)
		}
	}
}
