package handlers

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// Htpasswd is an Authenticator over an htpasswd file of bcrypt hashes
// ("user:$2y$10$...", as `htpasswd -B` writes them), for PLAIN and LOGIN.
// An unknown user costs the same bcrypt comparison as a known one, so the
// time taken does not tell which users exist. A client may ask for no
// authorization identity other than its own name. Printing it shows only
// its size.
type Htpasswd struct {
	hashes map[string][]byte
}

// dummyHash is compared against for unknown users; its cost is the usual
// htpasswd -B cost, so that the time matches real entries. It is made on
// first use, not at start: every program that links the package would
// otherwise pay a bcrypt run, and the memory of its code, to start.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("no such user"), 5)
	return h
})

// LoadHtpasswd reads an htpasswd file. Blank lines and lines starting with
// # are skipped; a line that is not "user:bcrypt-hash" is an error naming
// its line number (other hash schemes, MD5 "$apr1$", SHA "{SHA}" and crypt,
// are refused rather than silently never matching).
func LoadHtpasswd(path string) (*Htpasswd, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h, err := ParseHtpasswd(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return h, nil
}

// ParseHtpasswd reads htpasswd lines from r, as LoadHtpasswd does.
func ParseHtpasswd(r io.Reader) (*Htpasswd, error) {
	h := &Htpasswd{hashes: map[string][]byte{}}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		user, hash, ok := strings.Cut(line, ":")
		if !ok || user == "" {
			return nil, fmt.Errorf("line %d: not user:hash", n)
		}
		if _, err := bcrypt.Cost([]byte(hash)); err != nil {
			return nil, fmt.Errorf("line %d: user %q: not a bcrypt hash (use htpasswd -B)", n, user)
		}
		h.hashes[user] = []byte(hash)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return h, nil
}

// Authenticate accepts c when its password matches the user's hash.
func (h *Htpasswd) Authenticate(_ context.Context, _ *hooks.Session, _ *hooks.Envelope, c *hooks.Credentials) error {
	hash, known := h.hashes[c.Username]
	if !known {
		hash = dummyHash()
	}
	match := bcrypt.CompareHashAndPassword(hash, []byte(c.Password)) == nil
	if !known || !match || c.Authzid != "" && c.Authzid != c.Username {
		return hooks.ErrBadCredentials
	}
	return nil
}

// Len is the number of users.
func (h *Htpasswd) Len() int { return len(h.hashes) }

// String names the number of users, never the hashes.
func (h *Htpasswd) String() string { return "Htpasswd(" + strconv.Itoa(len(h.hashes)) + " users)" }
