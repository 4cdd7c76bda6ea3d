package transport_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

// A client gone in the middle of a transaction is logged at Info, where an
// operator running with -d sees it: its sender may believe it sent a
// message nobody received. A client gone between transactions is not.
func TestAbandonedTransactionIsLoggedAtInfo(t *testing.T) {
	for _, tc := range []struct {
		name, state string
		send        []string
	}{
		{"mid-DATA", "Data", []string{"EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA", "Subject: cut short"}},
		{"after RCPT", "Rcpt", []string{"EHLO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>"}},
		{"between transactions", "", []string{"EHLO c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &testkit.Buffer{}
			o := options(newRecorder())
			o.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
			s := serve(t, o)
			s.Send(tc.send...)
			for range tc.send[:min(len(tc.send), 4)] {
				s.Expect("")
			}
			s.Conn.Close()
			s.Wait()
			got := logs.String()
			if tc.state == "" {
				if strings.Contains(got, "abandoned") {
					t.Fatalf("logged an abandoned transaction:\n%s", got)
				}
				return
			}
			if !strings.Contains(got, "transaction abandoned") || !strings.Contains(got, "state="+tc.state) ||
				!strings.Contains(got, "connection closed by peer") {
				t.Fatalf("log lacks the abandoned transaction in %s:\n%s", tc.state, got)
			}
		})
	}
}
