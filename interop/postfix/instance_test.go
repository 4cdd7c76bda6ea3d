package postfix

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// instance is a private Postfix: its own configuration, queue and log,
// no listener of its own, relaying everything to relayhost.
type instance struct {
	t   *testing.T
	dir string // etc/, queue/, data/, maillog
}

// mainCF is the instance's main.cf: every path its own, mail relayed to
// %[2]s, XFORWARD sent to the relay when it offers it.
const mainCF = `compatibility_level = 3.6
queue_directory = %[1]s/queue
data_directory = %[1]s/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = postfix.test
myorigin = postfix.test
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
relayhost = [%[2]s]:%[3]s
smtp_send_xforward_command = yes
smtp_tls_security_level = none
maillog_file = %[1]s/maillog
maillog_file_prefixes = %[1]s
syslog_name = postfix-gosmtpd-test
alias_maps =
alias_database =
`

// masterCF runs only the services a relaying instance needs: no smtpd.
const masterCF = `pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`

// smtpdLine adds an SMTP listener at addr to master.cf, for mail that
// comes to the instance over SMTP.
func smtpdLine(addr string) string {
	return addr + " inet n - n - - smtpd\n"
}

// startPostfix starts an instance relaying to host:port, stopped when the
// test ends; with listen set, it also takes mail over SMTP there.
func startPostfix(t *testing.T, host, port, listen string) *instance {
	t.Helper()
	postfix := testkit.Program(t, "postfix")
	testkit.Program(t, "/usr/sbin/sendmail")
	if os.Geteuid() != 0 {
		testkit.Missing(t, "Postfix's master runs as root")
	}
	owner, err := user.Lookup("postfix")
	if err != nil {
		testkit.Missing(t, "no postfix user: %v", err)
	}
	dir, err := os.MkdirTemp("", "postfix-gosmtpd-")
	if err != nil {
		t.Fatal(err)
	}
	p := &instance{t: t, dir: dir}
	t.Cleanup(func() { p.stop(postfix); os.RemoveAll(dir) })
	os.Chmod(dir, 0o755) // the daemons, running as postfix, go through it
	for _, sub := range []string{"etc", "queue", "data"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	chown(t, filepath.Join(dir, "data"), owner)
	p.write("etc/main.cf", fmt.Sprintf(mainCF, dir, host, port))
	master := masterCF
	if listen != "" {
		master += smtpdLine(listen)
	}
	p.write("etc/master.cf", master)
	if out, err := exec.Command(postfix, "-c", p.etc(), "start").CombinedOutput(); err != nil {
		t.Fatalf("postfix start: %v\n%s\n%s", err, out, p.log())
	}
	return p
}

func (p *instance) etc() string { return filepath.Join(p.dir, "etc") }

func (p *instance) write(name, text string) {
	if err := os.WriteFile(filepath.Join(p.dir, name), []byte(text), 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// log is the instance's mail log so far.
func (p *instance) log() string {
	b, _ := os.ReadFile(filepath.Join(p.dir, "maillog"))
	return string(b)
}

func (p *instance) stop(postfix string) {
	exec.Command(postfix, "-c", p.etc(), "stop").Run()
	// the master lingers briefly after stop; its lock file says when it is gone
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if exec.Command(postfix, "-c", p.etc(), "status").Run() != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sendmail submits a message with Postfix's sendmail and its arguments.
func (p *instance) sendmail(message string, args ...string) {
	p.t.Helper()
	cmd := exec.Command("/usr/sbin/sendmail", append([]string{"-C", p.etc()}, args...)...)
	cmd.Stdin = strings.NewReader(message)
	if out, err := cmd.CombinedOutput(); err != nil {
		p.t.Fatalf("sendmail: %v\n%s", err, out)
	}
}

func chown(t *testing.T, path string, u *user.User) {
	var uid, gid int
	fmt.Sscan(u.Uid, &uid)
	fmt.Sscan(u.Gid, &gid)
	if err := os.Chown(path, uid, gid); err != nil {
		t.Fatal(err)
	}
}
