package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

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

// Every check costs the bcrypt work of the file's dearest hash: a user at
// cost 4, one at cost 8 and an unknown user take about the same time
// (without the make-weight the cost 4 user and, with a cheaper dummy hash,
// the unknown one took a sixteenth of it).
func TestHtpasswdSameWorkForEveryUser(t *testing.T) {
	cheap, _ := bcrypt.GenerateFromPassword([]byte("s3cret"), 4)
	dear, _ := bcrypt.GenerateFromPassword([]byte("s3cret"), 8)
	h, err := handlers.ParseHtpasswd(strings.NewReader("cheap:" + string(cheap) + "\ndear:" + string(dear) + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	users := []string{"dear", "cheap", "nobody"}
	best := make([]time.Duration, len(users))
	for round := range 6 { // interleaved, the fastest of five: the least disturbed by the machine
		for i, user := range users {
			began := time.Now()
			h.Authenticate(context.Background(), &hooks.Session{}, &hooks.Envelope{}, &hooks.Credentials{Username: user, Password: "wrong"})
			if took := time.Since(began); round > 0 && (round == 1 || took < best[i]) { // round 0 makes the dummy hashes
				best[i] = took
			}
		}
	}
	d, c, u := best[0], best[1], best[2]
	t.Logf("a wrong password: %v at cost 8, %v at cost 4, %v for an unknown user", d, c, u)
	for _, other := range []time.Duration{c, u} {
		if r := float64(other) / float64(d); r < 0.5 || r > 2 {
			t.Fatalf("checks took %v, %v and %v: not the same work", d, c, u)
		}
	}
}
