package hooks

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/gosmtpd/gosmtpd/fsm"
)

// CRAMMD5 is the CRAM-MD5 mechanism (RFC 2195), shipped as an example of a
// mechanism beyond the built-in ones. The server sends a challenge never
// used before; the client answers with its user name and the HMAC-MD5 of
// the challenge keyed with its password, so the password never crosses the
// wire. Checking the answer needs the user's plaintext secret: the
// mechanism only carries the exchange and hands a *CRAMMD5Response to the
// Authenticator, which looks the secret up (Secrets, Passwords). It is not
// among the DefaultMechanisms: MD5 is weak and the server must store
// plaintext secrets, so offer it only to clients that need it.
type CRAMMD5 struct {
	// Hostname ends the challenge, "<random.time@Hostname>"; "" is
	// fsm.DefaultHostname ("localhost").
	Hostname string
}

// Name is "CRAM-MD5".
func (CRAMMD5) Name() string { return "CRAM-MD5" }

// Start makes a new challenge.
func (m CRAMMD5) Start() Exchange {
	host := m.Hostname
	if host == "" {
		host = fsm.DefaultHostname
	}
	return &cramExchange{challenge: newCRAMChallenge(host)}
}

// CRAMMD5Response is the Credentials.Data of a CRAM-MD5 exchange: the
// challenge the server sent and the client's digest of it.
type CRAMMD5Response struct {
	Challenge []byte
	Digest    [md5.Size]byte
}

// Verify reports whether the digest is HMAC-MD5(secret, challenge), as
// RFC 2195 §2 defines it, comparing in constant time.
func (r *CRAMMD5Response) Verify(secret string) bool {
	mac := hmac.New(md5.New, []byte(secret))
	mac.Write(r.Challenge)
	return hmac.Equal(mac.Sum(nil), r.Digest[:])
}

var (
	replyCRAMNoInitial = Reply{Code: 501, Enhanced: "5.5.2", Text: "Error: CRAM-MD5 takes no initial response"}
	replyCRAMSyntax    = Reply{Code: 501, Enhanced: "5.5.2", Text: "Error: expected a user name and a digest"}
)

type cramExchange struct {
	challenge []byte
	sent      bool
}

// Next sends the challenge, then reads "username SP hex-digest".
func (x *cramExchange) Next(resp []byte) ([]byte, *Credentials, error) {
	if !x.sent {
		if resp != nil {
			return nil, nil, replyCRAMNoInitial // server-first (RFC 4954 §4)
		}
		x.sent = true
		return x.challenge, nil, nil
	}
	// The digest is the last word: a user name may hold spaces.
	i := bytes.LastIndexByte(resp, ' ')
	var r CRAMMD5Response
	if i <= 0 || len(resp)-i-1 != 2*md5.Size {
		return nil, nil, replyCRAMSyntax
	}
	if _, err := hex.Decode(r.Digest[:], resp[i+1:]); err != nil {
		return nil, nil, replyCRAMSyntax
	}
	r.Challenge = x.challenge
	return nil, &Credentials{Mechanism: "CRAM-MD5", Username: string(resp[:i]), Data: &r}, nil
}

// newCRAMChallenge makes a challenge in the msg-id form RFC 2195 asks for,
// unique through 64 random bits and the time.
func newCRAMChallenge(host string) []byte {
	var b [8]byte
	rand.Read(b[:]) // never fails (crypto/rand, Go 1.24+)
	ch := append([]byte("<"), strconv.FormatUint(binary.BigEndian.Uint64(b[:]), 10)...)
	ch = append(ch, '.')
	ch = strconv.AppendInt(ch, time.Now().UnixNano(), 10)
	ch = append(ch, '@')
	ch = append(ch, host...)
	return append(ch, '>')
}
