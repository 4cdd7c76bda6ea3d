package main

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// The fail2ban filter shipped in fail2ban/ matches the command's own AUTH
// failure lines, and nothing else: fail2ban-regex (Debian's fail2ban)
// reads what gosmtpd wrote to stderr while clients from two addresses got
// their credentials refused, one with a user name made to look like
// another address and a terminal escape, and a third logged in.
func TestFail2banFilter(t *testing.T) {
	f2b := testkit.Program(t, "fail2ban-regex")
	hash, err := bcrypt.GenerateFromPassword([]byte("secret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	users := filepath.Join(t.TempDir(), "users")
	if err := os.WriteFile(users, []byte("alice:"+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startCLI(t, "-n", "-c", "sink", "-l", "127.0.0.1:0", "--auth-file", users, "--auth-cleartext")
	authAs(t, "127.0.0.3", p.Addr, "535 ", "alice", "wrong")
	authAs(t, "127.0.0.3", p.Addr, "535 ", "nobody", "wrong")
	authAs(t, "127.0.0.4", p.Addr, "535 ", "x\" client=10.9.9.9 \x1b[31m", "wrong")
	authAs(t, "127.0.0.5", p.Addr, "235 ", "alice", "secret")
	stopOK(t, p, os.Interrupt)

	log := filepath.Join(t.TempDir(), "gosmtpd.log")
	if err := os.WriteFile(log, []byte(p.Stderr.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	filter, _ := filepath.Abs("fail2ban/filter.d/gosmtpd.conf")
	out, err := exec.Command(f2b, "-v", log, filter).CombinedOutput()
	if err != nil {
		t.Fatalf("fail2ban-regex: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "Failregex: 3 total") {
		t.Fatalf("want 3 failures matched:\n%s\nthe log:\n%s", out, p.Stderr.String())
	}
	hosts := regexp.MustCompile(`(?m)^\|\s+(\S+)\s+\w{3} \w{3} `).FindAllStringSubmatch(string(out), -1)
	var got []string
	for _, h := range hosts {
		got = append(got, h[1])
	}
	if strings.Join(got, " ") != "127.0.0.3 127.0.0.3 127.0.0.4" {
		t.Fatalf("fail2ban found %q, want 127.0.0.3 twice and 127.0.0.4:\n%s", got, out)
	}
}

// authAs tries AUTH PLAIN from the loopback address ip and expects want.
func authAs(t *testing.T, ip, addr, want, user, password string) {
	t.Helper()
	c := testkit.DialFrom(t, ip, addr)
	c.Expect("220 ")
	c.Send("EHLO client.test")
	c.Expect("250 ")
	c.Send("AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00"+user+"\x00"+password)))
	c.Expect(want)
	c.Send("QUIT")
	c.Expect("221 ")
}
