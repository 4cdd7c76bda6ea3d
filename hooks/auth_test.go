package hooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const secret = "Tr0ub4dor&3-secret"

func TestPasswords(t *testing.T) {
	p := Passwords{"user": secret, "empty": ""}
	x := CRAMMD5{}.Start()
	ch, _, _ := x.Next(nil)
	_, cram, _ := x.Next(cramAnswer("user", secret, ch))
	x = CRAMMD5{}.Start()
	ch, _, _ = x.Next(nil)
	_, badCram, _ := x.Next(cramAnswer("user", secret+"x", ch))
	tests := []struct {
		name string
		c    *Credentials
		ok   bool
	}{
		{"right", &Credentials{Mechanism: "PLAIN", Username: "user", Password: secret}, true},
		{"authzid is the user", &Credentials{Username: "user", Password: secret, Authzid: "user"}, true},
		{"empty password", &Credentials{Username: "empty"}, true},
		{"CRAM-MD5", cram, true},
		{"wrong", &Credentials{Username: "user", Password: secret + "x"}, false},
		{"prefix", &Credentials{Username: "user", Password: secret[:5]}, false},
		{"user name in another case", &Credentials{Username: "USER", Password: secret}, false},
		{"unknown user, empty password", &Credentials{Username: "nobody"}, false},
		{"another authzid", &Credentials{Username: "user", Password: secret, Authzid: "boss"}, false},
		{"CRAM-MD5 wrong", badCram, false},
		{"unknown data", &Credentials{Username: "user", Password: secret, Data: 42}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Authenticate(context.Background(), nil, nil, tt.c)
			if tt.ok && err != nil || !tt.ok && replyCode(err) != 535 {
				t.Fatalf("got %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestSecretsLookup(t *testing.T) {
	down := errors.New("directory down")
	var asked string
	a := Secrets(func(ctx context.Context, user string) (string, bool, error) {
		asked = user
		if user == "down" {
			return "", false, down
		}
		return "pw-of-" + user, true, nil
	})
	ctx := context.Background()
	if err := a.Authenticate(ctx, nil, nil, &Credentials{Username: "ann", Password: "pw-of-ann"}); err != nil || asked != "ann" {
		t.Fatalf("ann: %v (asked %q)", err, asked)
	}
	if err := a.Authenticate(ctx, nil, nil, &Credentials{Username: "ann", Password: "pw-of-bob"}); replyCode(err) != 535 {
		t.Fatalf("wrong password: %v", err)
	}
	if err := a.Authenticate(ctx, nil, nil, &Credentials{Username: "down"}); err != down {
		t.Fatalf("lookup failure: %v, want it passed on (a temporary failure)", err)
	}
}

func TestEqualSecrets(t *testing.T) {
	if !EqualSecrets("", "") || !EqualSecrets(secret, secret) || EqualSecrets(secret, secret+"\x00") || EqualSecrets("a", "b") {
		t.Fatal("EqualSecrets")
	}
}

// TestCredentialsNeverPrintThePassword tries every way of printing them.
func TestCredentialsNeverPrintThePassword(t *testing.T) {
	c := &Credentials{Mechanism: "PLAIN", Username: "user", Password: secret, Authzid: "boss"}
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%T %v"} {
		out = append(out, fmt.Sprintf(verb, c), fmt.Sprintf(verb, *c), fmt.Sprintf(verb, []*Credentials{c}))
	}
	out = append(out, fmt.Sprint(c), fmt.Errorf("auth: %w: %v", errors.New("x"), c).Error())
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("auth", "creds", c, "value", *c)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("auth", "creds", c)
	out = append(out, buf.String())
	p := Passwords{"user": secret}
	out = append(out, fmt.Sprintf("%v %+v %#v %s", p, p, p, p))
	log.Info("table", "passwords", p)
	out = append(out, buf.String())
	for _, s := range out {
		if strings.Contains(s, secret) {
			t.Fatalf("password printed: %s", s)
		}
	}
	if !strings.Contains(out[0], "PLAIN user user as boss") || !strings.Contains(buf.String(), `"username":"user"`) {
		t.Fatalf("credentials not described: %q / %s", out[0], buf.String())
	}
}
