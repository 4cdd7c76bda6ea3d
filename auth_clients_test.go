package gosmtpd_test

import (
	"context"
	"errors"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/hooks"
	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// Real clients authenticate against an in-process server on loopback, and
// the identity they proved must reach the DATA hook.

// runClient runs a client with a deadline and returns its output.
func authRun(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return string(out), err
}

// clientServer serves alice with every mechanism a client may pick.
func authClientServer(t *testing.T, smtps bool) *authServer {
	return startAuth(t, smtps, func(s *gosmtpd.Server) {
		s.AuthMechanisms = append(hooks.DefaultMechanisms(), hooks.CRAMMD5{Hostname: "mx.test"})
		s.AuthRequired = true
	})
}

func authHostPort(t *testing.T, addr string) (string, string) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return host, port
}

// smtplibScript logs in with one mechanism: a wrong password first (535),
// then the right one (235), then again (smtplib takes 503 for "already
// authenticated"), and sends a message.
const smtplibScript = `import smtplib, ssl, sys
host, port, mode, mech, user, pw = sys.argv[1:]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
if mode == "smtps":
    s = smtplib.SMTP_SSL(host, int(port), context=ctx)
else:
    s = smtplib.SMTP(host, int(port))
    s.ehlo()
    assert not s.has_extn("auth"), "AUTH offered before TLS: %r" % s.esmtp_features
    s.starttls(context=ctx)
s.ehlo()
offered = s.esmtp_features["auth"].split()
assert mech in offered, offered
s.esmtp_features["auth"] = mech  # login() picks among these
try:
    s.login(user, pw + "x")
    sys.exit("wrong password accepted")
except smtplib.SMTPAuthenticationError as e:
    assert e.smtp_code == 535, e
code, resp = s.login(user, pw)
assert code == 235, (code, resp)
code, resp = s.login(user, pw)
assert code == 503, (code, resp)
refused = s.sendmail("alice@example.com", ["bob@example.net"], b"Subject: py\r\n\r\nhi\r\n")
assert refused == {}, refused
s.quit()
`

func TestAuthPythonSmtplib(t *testing.T) {
	py := testkit.Program(t, testkit.SystemPython)
	for _, tc := range []struct {
		smtps bool
		mech  string
	}{{false, "PLAIN"}, {false, "LOGIN"}, {false, "CRAM-MD5"}, {true, "PLAIN"}, {true, "LOGIN"}} {
		mode := map[bool]string{false: "starttls", true: "smtps"}[tc.smtps]
		t.Run(mode+"-"+tc.mech, func(t *testing.T) {
			a := authClientServer(t, tc.smtps)
			host, port := authHostPort(t, a.addr())
			if out, err := authRun(t, py, "-c", smtplibScript, host, port, mode, tc.mech, "alice", alicePW); err != nil {
				t.Fatalf("smtplib: %v\n%s", err, out)
			}
			if m := a.box.next(t, "alice", tc.mech); m.data != "Subject: py\r\n\r\nhi\r\n" {
				t.Fatalf("delivered %q", m.data)
			}
		})
	}
}

func TestAuthSwaks(t *testing.T) {
	swaks := testkit.Program(t, "swaks")
	for _, tc := range []struct {
		smtps bool
		mech  string
	}{{false, "PLAIN"}, {false, "LOGIN"}, {false, "CRAM-MD5"}, {true, "PLAIN"}, {true, "LOGIN"}} {
		t.Run(map[bool]string{false: "tls-", true: "tls-on-connect-"}[tc.smtps]+tc.mech, func(t *testing.T) {
			a := authClientServer(t, tc.smtps)
			tlsFlag := "-tls"
			if tc.smtps {
				tlsFlag = "--tls-on-connect"
			}
			args := []string{"--server", a.addr(), tlsFlag, "--from", "alice@example.com", "--to", "bob@example.net",
				"--auth", tc.mech, "--auth-user", "alice", "--header", "Subject: swaks", "--body", "hello"}
			if tc.mech == "PLAIN" { // perl starts slowly: once per transport is enough
				out, err := authRun(t, swaks, append(args, "--auth-password", "wrong")...)
				if err == nil || !strings.Contains(out, "535 5.7.8") {
					t.Fatalf("wrong password: %v\n%s", err, out)
				}
			}
			if out, err := authRun(t, swaks, append(args, "--auth-password", alicePW)...); err != nil {
				t.Fatalf("swaks: %v\n%s", err, out)
			}
			if m := a.box.next(t, "alice", tc.mech); !strings.Contains(m.data, "hello") {
				t.Fatalf("delivered %q", m.data)
			}
		})
	}
}

// TestAuthSwaksCleartext: with AuthCleartext a client may authenticate
// without TLS.
func TestAuthSwaksCleartext(t *testing.T) {
	swaks := testkit.Program(t, "swaks")
	a := startAuth(t, false, func(s *gosmtpd.Server) { s.AuthCleartext, s.TLSConfig = true, nil })
	out, err := authRun(t, swaks, "--server", a.addr(), "--from", "alice@example.com", "--to", "bob@example.net",
		"--auth", "PLAIN", "--auth-user", "alice", "--auth-password", alicePW, "--body", "plain")
	if err != nil || !strings.Contains(out, "235 2.7.0") {
		t.Fatalf("swaks: %v\n%s", err, out)
	}
	select {
	case m := <-a.box.got:
		if m.sess.AuthID != "alice" || m.sess.TLS != nil {
			t.Fatalf("session %+v", m.sess)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no message")
	}
}

func TestAuthCurl(t *testing.T) {
	curl := testkit.Program(t, "curl")
	for _, tc := range []struct {
		smtps bool
		mech  string
	}{{false, "PLAIN"}, {false, "LOGIN"}, {false, "CRAM-MD5"}, {true, "PLAIN"}, {true, "LOGIN"}} {
		scheme := map[bool]string{false: "smtp", true: "smtps"}[tc.smtps]
		t.Run(scheme+"-"+tc.mech, func(t *testing.T) {
			a := authClientServer(t, tc.smtps)
			args := []string{"-sS", "-k", "--url", scheme + "://" + a.addr(), "--login-options", "AUTH=" + tc.mech,
				"--mail-from", "alice@example.com", "--mail-rcpt", "bob@example.net", "--upload-file", "-"}
			if !tc.smtps {
				args = append(args, "--ssl-reqd")
			}
			run := func(pw string) (string, error) {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				cmd := exec.CommandContext(ctx, curl, append(args, "--user", "alice:"+pw)...)
				cmd.Stdin = strings.NewReader("Subject: curl\r\n\r\nfrom curl\r\n")
				out, err := cmd.CombinedOutput()
				return string(out), err
			}
			var exit *exec.ExitError // 67: CURLE_LOGIN_DENIED
			if out, err := run("wrong"); !errors.As(err, &exit) || exit.ExitCode() != 67 {
				t.Fatalf("wrong password: %v\n%s", err, out)
			}
			if out, err := run(alicePW); err != nil {
				t.Fatalf("curl: %v\n%s", err, out)
			}
			if m := a.box.next(t, "alice", tc.mech); !strings.Contains(m.data, "from curl") {
				t.Fatalf("delivered %q", m.data)
			}
		})
	}
}
