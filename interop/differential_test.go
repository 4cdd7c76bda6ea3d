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
	// delivered returns every message delivered so far, each with the
	// client port of its session when known. It may stop the servers.
	delivered(t testing.TB) []Delivery
}

// target is a server under test in a differential run, and the ports of
// the sessions played against it.
type target struct {
	name  string
	impl  implementation
	mu    sync.Mutex
	ports map[Client]string // the client of each session
}

func newTarget(name string, impl implementation) *target {
	return &target{name: name, impl: impl, ports: map[Client]string{}}
}

// play runs session s against the target and reports each reply
// difference from golden that allow does not explain.
func (tg *target) play(t *testing.T, s *Script, golden *Transcript, allow *AllowList) {
	t.Helper()
	got := RunAgainst(t, tg.impl.addr(s.Config), s)
	for _, d := range allow.Explain(CompareReplies(s.Name, golden, got)) {
		t.Errorf("%s: %v (fix it, or list it in %s)", tg.name, d, deliberatePath)
	}
	tg.mu.Lock()
	tg.ports[clientOf(s, got)] = s.Name
	tg.mu.Unlock()
}

// clientOf names the client end of tr, a transcript of s.
func clientOf(s *Script, tr *Transcript) Client {
	c := s.Config
	c.Serial = false
	return Client{Server: c.Key(), Port: tr.LocalPort}
}

// playAll plays every session against every target, after which the
// targets' servers are still running.
func playAll(t *testing.T, scripts []*Script, allow *AllowList, targets ...*target) map[string][]Message {
	var mu sync.Mutex
	want := map[string][]Message{}
	runAll(t, scripts, func(t *testing.T, s *Script) {
		golden := loadGolden(t, s.Name)
		var wg sync.WaitGroup
		for _, tg := range targets {
			wg.Go(func() { tg.play(t, s, golden, allow) }) // at once: a hung step waits out its timeout
		}
		wg.Wait()
		mu.Lock()
		want[s.Name] = golden.Messages
		mu.Unlock()
	})
	return want
}

// reportMessages reports the message differences allow does not explain.
func reportMessages(t *testing.T, who string, diffs []Difference, allow *AllowList) {
	t.Helper()
	for _, d := range allow.Explain(diffs) {
		t.Errorf("%s: %v (fix it, or list it in %s)", who, d, deliberatePath)
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
	none := NewAllowList(nil)
	aio := newTarget("aiosmtpd", startAiosmtpd(t, configsOf(scripts)))
	want := playAll(t, scripts, none, aio)
	reportMessages(t, aio.name, CompareMessages(want, aio.impl.delivered(t), aio.ports, ExactFacts), none)
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

// TestDifferential plays every session against gosmtpd, as a library
// (gosmtpd.Server in this process, with a handler that records each message
// whole) and as the gosmtpd command (its Debugging handler printing on
// stdout), both configured as the session asks, and compares them with
// aiosmtpd's golden transcripts: reply codes per step and the end of each
// session for both; for the library the delivered messages (envelope,
// exact bytes, Debugging rendering); for the command, that it printed
// exactly the renderings of the messages the library delivered. Each
// difference from aiosmtpd must be listed in testdata/deliberate.txt, and
// each entry there must still match one.
func TestDifferential(t *testing.T) {
	if *update {
		t.Skip("golden files are being rewritten")
	}
	scripts := loadScripts(t)
	allow := loadAllowList(t, scripts)
	configs := configsOf(scripts)
	lib := newTarget("gosmtpd library", startLibraryFleet(t, configs))
	cli := newTarget("gosmtpd command", startGosmtpdFleet(t, buildGosmtpd(t), configs))
	want := playAll(t, scripts, allow, lib, cli)

	libGot := lib.impl.delivered(t)
	reportMessages(t, lib.name, CompareMessages(want, libGot, lib.ports, ExactFacts), allow)
	// The command prints what the library's Debugging handler renders: no
	// allowance here, a difference is a bug of the command.
	for _, d := range CompareMessages(BySession(libGot, lib.ports), cli.impl.delivered(t), cli.ports, RenderingFacts) {
		t.Errorf("%s: %v (the library delivered otherwise)", cli.name, d)
	}
	for _, e := range allow.Stale() {
		t.Errorf("%s line %d: %s step %s no longer differs; remove the entry", deliberatePath, e.Line, e.Session, e.Step)
	}
}
