package interop

import (
	"os"
	"sync"
	"testing"
)

// implementation is a running server implementation to compare with
// aiosmtpd's golden transcripts.
type implementation interface {
	// addr returns where the server for config c listens.
	addr(c Config) string
	// deliveries returns every message delivered so far, as a Debugging
	// handler prints it. It may stop the servers.
	deliveries(t testing.TB) []string
}

// compareWithGolden plays every session against impl and reports each
// difference from the golden transcripts that allow does not explain.
func compareWithGolden(t *testing.T, scripts []*Script, impl implementation, allow *AllowList) {
	var mu sync.Mutex
	want := map[string][]Message{}
	ports := map[int]string{}
	runAll(t, scripts, func(t *testing.T, s *Script) {
		golden := loadGolden(t, s.Name)
		got := RunAgainst(t, impl.addr(s.Config), s)
		for _, d := range allow.Explain(CompareReplies(s.Name, golden, got)) {
			t.Errorf("%v (fix it, or list it in %s)", d, deliberatePath)
		}
		mu.Lock()
		want[s.Name] = golden.Messages
		ports[got.LocalPort] = s.Name
		mu.Unlock()
	})
	for _, d := range allow.Explain(CompareMessages(want, impl.deliveries(t), ports)) {
		t.Errorf("%v (fix it, or list it in %s)", d, deliberatePath)
	}
}

// TestDifferentialAgainstAiosmtpd runs the differential comparison with
// aiosmtpd in gosmtpd's place: it must find no difference at all. This
// checks the comparison itself (golden parsing, reply and message
// matching) end to end, and that the golden files are reproducible.
func TestDifferentialAgainstAiosmtpd(t *testing.T) {
	if *update {
		t.Skip("golden files are being rewritten")
	}
	scripts := loadScripts(t)
	fleet := startAiosmtpd(t, configsOf(scripts))
	compareWithGolden(t, scripts, fleet, NewAllowList(nil))
}

// loadGolden reads aiosmtpd's transcript of session name.
func loadGolden(t testing.TB, name string) *Transcript {
	t.Helper()
	src, err := os.ReadFile(goldenPath(name))
	if err != nil {
		t.Fatalf("%v (run TestAiosmtpd with -update to record it)", err)
	}
	g, err := ParseGolden(src)
	if err != nil {
		t.Fatalf("%s: %v", goldenPath(name), err)
	}
	return g
}

// loadAllowList reads deliberate.txt and checks that each entry names an
// existing session.
func loadAllowList(t testing.TB, scripts []*Script) *AllowList {
	t.Helper()
	src, err := os.ReadFile(deliberatePath)
	if err != nil {
		t.Fatal(err)
	}
	list, err := ParseDeliberate(src)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, s := range scripts {
		names[s.Name] = true
	}
	for _, e := range list {
		if !names[e.Session] {
			t.Errorf("%s line %d: no session %q", deliberatePath, e.Line, e.Session)
		}
	}
	return NewAllowList(list)
}
