package handlers_test

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/gosmtpd/gosmtpd/handlers"
	"github.com/gosmtpd/gosmtpd/hooks"
)

func TestHtpasswd(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	// htpasswd -B writes $2y$; bcrypt in Go writes $2a$: both are read.
	y := "$2y$" + string(hash[4:])
	h, err := handlers.ParseHtpasswd(strings.NewReader("# users\n\nalice:" + string(hash) + "\nbob:" + y + "\n"))
	if err != nil || h.Len() != 2 {
		t.Fatalf("%v, %d users", err, h.Len())
	}
	for _, c := range []struct {
		user, pass, authz string
		ok                bool
	}{
		{"alice", "s3cret", "", true}, {"bob", "s3cret", "bob", true},
		{"alice", "wrong", "", false}, {"carol", "s3cret", "", false}, {"alice", "s3cret", "bob", false},
	} {
		err := h.Authenticate(context.Background(), session(), envelope(),
			&hooks.Credentials{Mechanism: "PLAIN", Username: c.user, Password: c.pass, Authzid: c.authz})
		if (err == nil) != c.ok {
			t.Errorf("%+v: %v", c, err)
		}
	}
	if s := h.String(); strings.Contains(s, "$2") {
		t.Errorf("String shows hashes: %s", s)
	}
}

func TestHtpasswdRefusesOtherSchemes(t *testing.T) {
	for _, line := range []string{"alice:$apr1$abc$def", "bob:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", "nocolon", ":$2y$05$x"} {
		if _, err := handlers.ParseHtpasswd(strings.NewReader(line + "\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("%q: %v", line, err)
		}
	}
}
