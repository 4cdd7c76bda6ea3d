package hooks_test

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"encoding/hex"
	"fmt"

	"github.com/gosmtpd/gosmtpd/hooks"
)

// CRAM-MD5 plugs in beside the built-in mechanisms; its Authenticator
// needs each user's plaintext secret, here from a map through Secrets (a
// directory lookup would go the same way, bounded by the handler timeout).
// The exchange is driven by hand below as the core would drive it.
func ExampleCRAMMD5() {
	users := map[string]string{"tim": "tanstaaftanstaaf"}
	auth := hooks.Secrets(func(_ context.Context, user string) (string, bool, error) {
		secret, ok := users[user]
		return secret, ok, nil
	})
	mech := hooks.CRAMMD5{Hostname: "mx.example"}
	// A server offers it with
	// gosmtpd.Server{Authenticator: auth, AuthMechanisms: mechs}.
	mechs := append(hooks.DefaultMechanisms(), mech)
	for _, m := range mechs {
		fmt.Println(m.Name())
	}

	x := mech.Start()
	challenge, _, _ := x.Next(nil) // sent as "334 " + base64(challenge)

	// The client answers with its name and HMAC-MD5(secret, challenge).
	mac := hmac.New(md5.New, []byte("tanstaaftanstaaf"))
	mac.Write(challenge)
	_, creds, _ := x.Next([]byte("tim " + hex.EncodeToString(mac.Sum(nil))))

	fmt.Println(creds, auth.Authenticate(context.Background(), nil, nil, creds))
	// Output:
	// PLAIN
	// LOGIN
	// CRAM-MD5
	// CRAM-MD5 user tim <nil>
}
