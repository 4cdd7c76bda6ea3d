package gosmtpd_test

import (
	"os"
	"strings"
	"testing"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
	"github.com/gosmtpd/gosmtpd/smtptest"
)

// TestREADMETestMailCommands runs the README's "Sending yourself a test
// mail" commands, as written but for the port, against a server: each must
// deliver its message. (The nc -C way is TestNetcatWithCRLF.)
func TestREADMETestMailCommands(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "## Sending yourself a test mail\n")
	section, _, _ = strings.Cut(section, "\n## ")
	programs := map[string]string{"swaks": testkit.Program(t, "swaks"), "python3": testkit.Python(t)}
	ran := 0
	for _, line := range strings.Split(section, "\n") {
		command, ok := strings.CutPrefix(line, "    ")
		name, _, _ := strings.Cut(command, " ")
		if !ok || programs[name] == "" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			srv := smtptest.NewServer(t)
			_, port := splitAddr(t, srv.Addr)
			command := strings.NewReplacer("localhost:8025", "127.0.0.1:"+port,
				`"localhost", 8025`, `"127.0.0.1", `+port).Replace(command)
			runProgram(t, "", "sh", "-c", programs[name]+strings.TrimPrefix(command, name))
			if m := only(t, srv); m.MailFrom != "me@example.org" || len(m.RcptTos) != 1 || m.RcptTos[0] != "you@example.org" {
				t.Fatalf("delivered from %q to %q", m.MailFrom, m.RcptTos)
			}
		})
		ran++
	}
	if ran != 2 {
		t.Fatalf("found %d commands (swaks, python3) in the README's test mail section, want 2", ran)
	}
}
