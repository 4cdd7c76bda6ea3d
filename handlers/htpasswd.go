package handlers

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/sync/semaphore"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// Htpasswd is an Authenticator over an htpasswd file of bcrypt hashes
// ("user:$2y$10$...", as `htpasswd -B` writes them), for PLAIN and LOGIN.
// Every check costs the same bcrypt work, that of the file's dearest hash,
// whether the user exists or not and whatever the cost of the user's own
// hash, so that the time taken does not tell which users exist. Checks
// are CPU-bound: at most one fewer than GOMAXPROCS run at once (one when
// there is a single processor), the others wait their turn in order, so
// that a flood of AUTH attempts leaves a processor to the other sessions.
// A client may ask for no authorization identity other than its own name.
// Printing it shows only its size.
type Htpasswd struct {
	hashes  map[string][]byte
	maxCost int // the dearest hash's cost
}

// dummyHashes are compared against to make up the work of a check (see
// Htpasswd), one per bcrypt cost, made on first use: every program that
// links the package would otherwise pay bcrypt runs to start.
var dummyHashes [bcrypt.MaxCost + 1]func() []byte

func init() {
	for cost := range dummyHashes {
		dummyHashes[cost] = sync.OnceValue(func() []byte {
			h, _ := bcrypt.GenerateFromPassword([]byte("no such user"), max(cost, bcrypt.MinCost))
			return h
		})
	}
}

// compareHash is bcrypt's comparison; a test counts the work it is given.
var compareHash = bcrypt.CompareHashAndPassword

// hashSlots bounds the bcrypt checks running at once, for every Htpasswd
// of the process: they compete for the same processors.
var hashSlots = semaphore.NewWeighted(int64(max(runtime.GOMAXPROCS(0)-1, 1)))

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
	h := &Htpasswd{hashes: map[string][]byte{}, maxCost: bcrypt.MinCost}
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
		cost, err := bcrypt.Cost([]byte(hash))
		if err != nil {
			return nil, fmt.Errorf("line %d: user %q: not a bcrypt hash (use htpasswd -B)", n, user)
		}
		h.hashes[user] = []byte(hash)
		h.maxCost = max(h.maxCost, cost)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return h, nil
}

// Authenticate accepts c when its password matches the user's hash. It
// waits for its turn among the checks of the process (see Htpasswd); ctx
// ending meanwhile is a temporary failure.
func (h *Htpasswd) Authenticate(ctx context.Context, _ *hooks.Session, _ *hooks.Envelope, c *hooks.Credentials) error {
	if err := hashSlots.Acquire(ctx, 1); err != nil {
		return err
	}
	defer hashSlots.Release(1)
	hash, known := h.hashes[c.Username]
	cost := h.maxCost
	if known {
		cost, _ = bcrypt.Cost(hash)
	} else {
		hash = dummyHashes[cost]()
	}
	match := compareHash(hash, []byte(c.Password)) == nil
	h.makeUpWork(cost)
	if !known || !match || c.Authzid != "" && c.Authzid != c.Username {
		return hooks.ErrBadCredentials
	}
	return nil
}

// makeUpWork adds to a check at cost the bcrypt work that brings it to
// maxCost: bcrypt's work doubles with each cost, and 2^max - 2^cost is the
// sum of 2^k for k from cost to max-1, one dummy comparison each.
func (h *Htpasswd) makeUpWork(cost int) {
	for k := max(cost, bcrypt.MinCost); k < h.maxCost; k++ {
		compareHash(dummyHashes[k](), []byte("make-weight"))
	}
}

// Len is the number of users.
func (h *Htpasswd) Len() int { return len(h.hashes) }

// String names the number of users, never the hashes.
func (h *Htpasswd) String() string { return "Htpasswd(" + strconv.Itoa(len(h.hashes)) + " users)" }
