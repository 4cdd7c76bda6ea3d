package interop

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAiosmtpd plays every session against aiosmtpd 1.4.3, checks that it
// answers the codes the script expects, and keeps its transcript as a golden
// file (rewritten with -update) for TestDifferential.
func TestAiosmtpd(t *testing.T) {
	scripts := loadScripts(t)
	fleet := startAiosmtpd(t, configsOf(scripts))
	runAll(t, scripts, func(t *testing.T, s *Script) {
		tr := RunAgainst(t, fleet.addr(s.Config), s)
		tr.Messages = fleet.messagesOf(t, s.Config, tr.LocalPort)
		for _, p := range tr.Problems() {
			t.Error(p)
		}
		checkGolden(t, s, tr)
	})
	checkStaleGolden(t, scripts)
}

// goldenHeader is the comment at the top of each golden file.
func goldenHeader(s *Script) string {
	return fmt.Sprintf("aiosmtpd %s replies to sessions/%s.txt (config: %s).\n"+
		"Regenerate with: go test ./interop -run TestAiosmtpd -update", aiosmtpdVersion, s.Name, s.Config)
}

// checkGolden compares tr with the golden file of s, or rewrites it.
func checkGolden(t *testing.T, s *Script, tr *Transcript) {
	t.Helper()
	got := tr.Golden(goldenHeader(s))
	path := goldenPath(s.Name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("aiosmtpd no longer answers as %s records:\n%s", path, firstDiff(string(want), got))
	}
}

// firstDiff shows the first line where two texts differ.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		wl, gl := lineAt(w, i), lineAt(g, i)
		if wl != gl {
			return fmt.Sprintf("line %d:\n golden: %s\n    now: %s", i+1, wl, gl)
		}
	}
	return "(same lines)"
}

// lineAt returns lines[i], or a marker past the end.
func lineAt(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(end of file)"
}

// checkStaleGolden fails on golden files whose session is gone; -update
// deletes them.
func checkStaleGolden(t *testing.T, scripts []*Script) {
	names := map[string]bool{}
	for _, s := range scripts {
		names[s.Name] = true
	}
	files, err := filepath.Glob(filepath.Join(goldenDir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if names[strings.TrimSuffix(filepath.Base(f), ".txt")] {
			continue
		}
		if *update {
			if err := os.Remove(f); err != nil {
				t.Error(err)
			}
			continue
		}
		t.Errorf("%s has no session any more (run with -update to delete it)", f)
	}
}
