package hooks

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// run drives an exchange with the responses given, returning the
// challenges it sent and how it ended.
func run(t *testing.T, m Mechanism, responses ...[]byte) (challenges []string, creds *Credentials, err error) {
	t.Helper()
	x := m.Start()
	for _, r := range responses {
		ch, c, err := x.Next(r)
		if err != nil || c != nil {
			return challenges, c, err
		}
		if ch == nil {
			t.Fatalf("no challenge, no credentials and no error after %q", r)
		}
		challenges = append(challenges, string(ch))
	}
	return challenges, nil, nil
}

func replyCode(err error) int {
	if err == nil {
		return 0
	}
	var rep Reply
	if !errors.As(err, &rep) {
		return -1
	}
	return rep.Code
}

func TestPlain(t *testing.T) {
	tests := []struct {
		name      string
		responses [][]byte
		want      *Credentials
		code      int
		asked     int
	}{
		{"initial response", [][]byte{[]byte("\x00user\x00pass")}, &Credentials{Username: "user", Password: "pass"}, 0, 0},
		{"with authzid", [][]byte{[]byte("boss\x00user\x00pass")}, &Credentials{Username: "user", Password: "pass", Authzid: "boss"}, 0, 0},
		{"after an empty challenge", [][]byte{nil, []byte("\x00user\x00pass")}, &Credentials{Username: "user", Password: "pass"}, 0, 1},
		{"empty password", [][]byte{[]byte("\x00user\x00")}, &Credentials{Username: "user"}, 0, 0},
		{"password with spaces and UTF-8", [][]byte{[]byte("\x00user\x00p a\xc3\xa9")}, &Credentials{Username: "user", Password: "p a\xc3\xa9"}, 0, 0},
		{"empty initial response", [][]byte{{}}, nil, 501, 0},
		{"one NUL", [][]byte{[]byte("user\x00pass")}, nil, 501, 0},
		{"no user", [][]byte{[]byte("\x00\x00pass")}, nil, 501, 0},
		{"third NUL", [][]byte{[]byte("\x00user\x00pa\x00ss")}, nil, 501, 0},
		{"empty response to the challenge", [][]byte{nil, {}}, nil, 501, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chs, got, err := run(t, Plain, tt.responses...)
			if len(chs) != tt.asked || tt.asked > 0 && chs[0] != "" {
				t.Errorf("challenges %q, want %d empty", chs, tt.asked)
			}
			if code := replyCode(err); code != tt.code {
				t.Fatalf("reply %d (%v), want %d", code, err, tt.code)
			}
			if tt.want == nil {
				return
			}
			tt.want.Mechanism = "PLAIN"
			if got == nil || *got != *tt.want {
				t.Fatalf("credentials %#v, want %#v", got, tt.want) // Format hides the password: compare fields below
			}
		})
	}
}

func TestLogin(t *testing.T) {
	chs, c, err := run(t, Login, nil, []byte("user"), []byte("pass"))
	if err != nil || c == nil || c.Username != "user" || c.Password != "pass" || c.Mechanism != "LOGIN" {
		t.Fatalf("got %v %v", c, err)
	}
	if strings.Join(chs, ",") != "Username:,Password:" {
		t.Fatalf("challenges %q", chs)
	}
	// An initial response is the user name (RFC 4954 clients, swaks, curl).
	chs, c, err = run(t, Login, []byte("user"), []byte(""))
	if err != nil || c == nil || c.Username != "user" || c.Password != "" || len(chs) != 1 || chs[0] != "Password:" {
		t.Fatalf("with initial response: %q %v %v", chs, c, err)
	}
	if _, _, err := run(t, Login, nil, []byte{}); replyCode(err) != 501 {
		t.Fatalf("empty user name: %v, want 501", err)
	}
}

// cramAnswer is what an RFC 2195 client sends.
func cramAnswer(user, secret string, challenge []byte) []byte {
	mac := hmac.New(md5.New, []byte(secret))
	mac.Write(challenge)
	return []byte(user + " " + hex.EncodeToString(mac.Sum(nil)))
}

func TestCRAMMD5Exchange(t *testing.T) {
	m := CRAMMD5{Hostname: "mx.example"}
	x := m.Start()
	ch, c, err := x.Next(nil)
	if err != nil || c != nil || !bytes.HasPrefix(ch, []byte("<")) || !bytes.HasSuffix(ch, []byte("@mx.example>")) {
		t.Fatalf("challenge %q %v %v", ch, c, err)
	}
	_, c, err = x.Next(cramAnswer("tim user", "tanstaaftanstaaf", ch))
	if err != nil || c == nil || c.Username != "tim user" || c.Mechanism != "CRAM-MD5" {
		t.Fatalf("answer: %v %v", c, err)
	}
	r, ok := c.Data.(*CRAMMD5Response)
	if !ok || !r.Verify("tanstaaftanstaaf") || r.Verify("tanstaaftanstaag") || r.Verify("") {
		t.Fatalf("Verify does not tell the secret apart: %#v", c.Data)
	}
	if other, _, _ := m.Start().Next(nil); bytes.Equal(other, ch) {
		t.Fatalf("two exchanges share the challenge %q", ch)
	}
	if ch, _, _ := (CRAMMD5{}).Start().Next(nil); !bytes.HasSuffix(ch, []byte("@localhost>")) {
		t.Fatalf("default host: %q", ch)
	}
}

// TestCRAMMD5RFC2195 checks the digest of RFC 2195 §2's example.
func TestCRAMMD5RFC2195(t *testing.T) {
	r := &CRAMMD5Response{Challenge: []byte("<1896.697170952@postoffice.reston.mci.net>")}
	hex.Decode(r.Digest[:], []byte("b913a602c7eda7a495b4e6e7334d3890"))
	if !r.Verify("tanstaaftanstaaf") {
		t.Fatal("the RFC's example does not verify")
	}
}

func TestCRAMMD5Malformed(t *testing.T) {
	if _, _, err := (CRAMMD5{}).Start().Next([]byte("ir")); replyCode(err) != 501 {
		t.Fatalf("initial response: %v, want 501", err)
	}
	if _, _, err := (CRAMMD5{}).Start().Next([]byte{}); replyCode(err) != 501 {
		t.Fatalf("empty initial response: %v, want 501", err)
	}
	digest := strings.Repeat("ab", 16)
	for _, resp := range []string{"", "user", " " + digest, "user " + digest[:30], "user " + digest + "ab",
		"user " + strings.Repeat("zz", 16), "user" + digest} {
		x := CRAMMD5{}.Start()
		x.Next(nil)
		if _, c, err := x.Next([]byte(resp)); replyCode(err) != 501 || c != nil {
			t.Errorf("%q: %v %v, want 501", resp, c, err)
		}
	}
	x := CRAMMD5{}.Start()
	ch, _, _ := x.Next(nil)
	upper := bytes.ToUpper(cramAnswer("u", "s", ch)[2:])
	if _, c, err := x.Next(append([]byte("u "), upper...)); err != nil || !c.Data.(*CRAMMD5Response).Verify("s") {
		t.Fatalf("upper-case hex refused: %v", err)
	}
}

func TestWithout(t *testing.T) {
	mechs := []Mechanism{Plain, Login, CRAMMD5{}}
	got := Without(mechs, "login", "XOAUTH2")
	if len(got) != 2 || got[0] != Plain || got[1].Name() != "CRAM-MD5" {
		t.Fatalf("Without(login) = %v", got)
	}
	if none := Without(mechs, "plain", "LOGIN", "cram-md5"); none == nil || len(none) != 0 {
		t.Fatalf("all excluded: %#v, want empty and not nil", none)
	}
	if len(mechs) != 3 || mechs[1] != Login {
		t.Fatal("Without changed its argument")
	}
}
