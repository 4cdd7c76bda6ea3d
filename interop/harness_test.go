package interop

import (
	"flag"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the aiosmtpd golden files from a live aiosmtpd")

const (
	sessionsDir    = "testdata/sessions"
	goldenDir      = "testdata/golden/aiosmtpd"
	deliberatePath = "testdata/deliberate.txt"
)

// loadScripts parses every session or fails the test.
func loadScripts(t testing.TB) []*Script {
	t.Helper()
	scripts, err := LoadScripts(sessionsDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(scripts) == 0 {
		t.Fatalf("no sessions in %s", sessionsDir)
	}
	return scripts
}

// configsOf returns one config per distinct server the scripts need.
func configsOf(scripts []*Script) []Config {
	seen := map[string]bool{}
	var out []Config
	for _, s := range scripts {
		c := s.Config
		c.Serial = false
		if !seen[c.Key()] {
			seen[c.Key()] = true
			out = append(out, c)
		}
	}
	return out
}

// runAll runs f for every script in a subtest named after it: first all
// ordinary sessions in parallel, then the serial ones one at a time, so that
// no other session talks to the server while a serial one runs.
func runAll(t *testing.T, scripts []*Script, f func(t *testing.T, s *Script)) {
	t.Run("parallel", func(t *testing.T) {
		for _, s := range scripts {
			if s.Config.Serial {
				continue
			}
			t.Run(s.Name, func(t *testing.T) {
				t.Parallel()
				f(t, s)
			})
		}
	})
	t.Run("serial", func(t *testing.T) {
		for _, s := range scripts {
			if s.Config.Serial {
				t.Run(s.Name, func(t *testing.T) { f(t, s) })
			}
		}
	})
}

// RunAgainst plays session s against the server at addr and returns the
// transcript; on failure of the test it logs the transcript, so that a
// failing comparison shows the whole conversation.
func RunAgainst(t testing.TB, addr string, s *Script) *Transcript {
	t.Helper()
	tr := DefaultRunner.Run(addr, s)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("transcript of %s against %s:\n%s", s.Name, addr, tr.Golden("config: "+s.Config.String()))
		}
	})
	return tr
}

// goldenPath is where the aiosmtpd transcript of session name is kept.
func goldenPath(name string) string {
	return filepath.Join(goldenDir, name+".txt")
}
