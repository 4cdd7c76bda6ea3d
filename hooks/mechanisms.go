package hooks

import (
	"bytes"
	"strings"
)

// The built-in SASL mechanisms.
var (
	// Plain is PLAIN (RFC 4616): "authzid NUL authcid NUL passwd" in one
	// response, with or without an initial response.
	Plain Mechanism = plain{}
	// Login is LOGIN (draft-murchison-sasl-login): the user name and then
	// the password, each after its own challenge; an initial response is
	// the user name.
	Login Mechanism = login{}
)

// DefaultMechanisms are the mechanisms offered when an Authenticator is
// configured and no mechanisms are named.
func DefaultMechanisms() []Mechanism { return []Mechanism{Plain, Login} }

// Without returns the mechanisms of mechs not named in exclude (in any
// case), in order: aiosmtpd's auth_exclude_mechanism. The result is a new
// slice, empty but not nil when every mechanism is excluded, so that a
// Config given it offers no AUTH rather than the defaults.
func Without(mechs []Mechanism, exclude ...string) []Mechanism {
	kept := make([]Mechanism, 0, len(mechs))
	for _, m := range mechs {
		if !containsFold(exclude, m.Name()) {
			kept = append(kept, m)
		}
	}
	return kept
}

func containsFold(names []string, name string) bool {
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

type plain struct{}

func (plain) Name() string    { return "PLAIN" }
func (plain) Start() Exchange { return new(plainExchange) }

type plainExchange struct{ asked bool }

func (x *plainExchange) Next(resp []byte) ([]byte, *Credentials, error) {
	if resp == nil && !x.asked {
		x.asked = true
		return []byte{}, nil, nil // RFC 4616 §2: an empty challenge
	}
	authzid, rest, ok1 := bytes.Cut(resp, []byte{0})
	authcid, passwd, ok2 := bytes.Cut(rest, []byte{0})
	if !ok1 || !ok2 || len(authcid) == 0 || bytes.IndexByte(passwd, 0) >= 0 {
		return nil, nil, replyMalformed
	}
	return nil, &Credentials{Mechanism: "PLAIN", Username: string(authcid),
		Password: string(passwd), Authzid: string(authzid)}, nil
}

type login struct{}

func (login) Name() string    { return "LOGIN" }
func (login) Start() Exchange { return new(loginExchange) }

var (
	challengeUsername = []byte("Username:")
	challengePassword = []byte("Password:")
)

type loginExchange struct {
	step     int // 0: no user name yet; 1: waiting for the password
	username string
}

func (x *loginExchange) Next(resp []byte) ([]byte, *Credentials, error) {
	switch {
	case x.step == 0 && resp == nil:
		return challengeUsername, nil, nil
	case x.step == 0:
		if len(resp) == 0 {
			return nil, nil, replyMalformed
		}
		x.step, x.username = 1, string(resp)
		return challengePassword, nil, nil
	}
	return nil, &Credentials{Mechanism: "LOGIN", Username: x.username, Password: string(resp)}, nil
}
