package interop

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosmtpd/gosmtpd/internal/testkit"
)

const (
	// aiosmtpdVersion is the reference release the golden files record.
	aiosmtpdVersion = "1.4.3"
	aiosmtpdHelper  = "testdata/aiosmtpd_server.py"
	// helperStartTimeout bounds the helper's start (Python import included).
	helperStartTimeout = 20 * time.Second
)

// aiosmtpdFleet is one helper process serving aiosmtpd with every config
// the sessions need, each on its own port.
type aiosmtpdFleet struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr testkit.Buffer // the helper's logs, shown when a test fails
	addrs  map[string]string

	mu       sync.Mutex
	messages map[string][]helperEvent // per config key, not yet claimed
	all      []Delivery               // every message delivered, in order
	syncs    map[string]chan struct{}
	nextSync int
	ready    chan struct{}
	done     chan struct{} // closed when stdout ends
}

// helperEvent is one JSON line of the helper's stdout.
type helperEvent struct {
	Event       string   `json:"event"`
	Name        string   `json:"name"`
	Addr        string   `json:"addr"`
	Token       string   `json:"token"`
	PeerPort    int      `json:"peer_port"`
	MailFrom    []byte   `json:"mail_from"` // JSON base64, as all []byte fields
	RcptTos     [][]byte `json:"rcpt_tos"`
	MailOptions [][]byte `json:"mail_options"`
	Content     []byte   `json:"content"`
	Debugging   string   `json:"debugging"`
}

// requireAiosmtpd skips (or, under CI, fails) when aiosmtpd 1.4.3 is not
// installed for /usr/bin/python3.
func requireAiosmtpd(t testing.TB) {
	t.Helper()
	out, err := exec.Command(testkit.SystemPython, "-c", "import aiosmtpd; print(aiosmtpd.__version__)").CombinedOutput()
	version := strings.TrimSpace(string(out))
	if err == nil && version == aiosmtpdVersion {
		return
	}
	testkit.Missing(t, "aiosmtpd %s for %s is not available (%v: %s); install Debian's python3-aiosmtpd",
		aiosmtpdVersion, testkit.SystemPython, err, version)
}

// startAiosmtpd starts the helper with one server per config and waits
// until all listen. The helper stops when the test ends.
func startAiosmtpd(t testing.TB, configs []Config) *aiosmtpdFleet {
	t.Helper()
	requireAiosmtpd(t)
	spec, err := json.Marshal(helperSpecs(configs))
	if err != nil {
		t.Fatal(err)
	}
	f := &aiosmtpdFleet{
		addrs:    map[string]string{},
		messages: map[string][]helperEvent{},
		syncs:    map[string]chan struct{}{},
		ready:    make(chan struct{}),
		done:     make(chan struct{}),
	}
	f.cmd = exec.Command(testkit.SystemPython, aiosmtpdHelper, string(spec))
	f.cmd.Stderr = &f.stderr
	stdout, err := f.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if f.stdin, err = f.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := f.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.stop(t) })
	go f.read(stdout)
	f.waitReady(t)
	return f
}

// helperSpecs turns configs into the helper's JSON argument.
func helperSpecs(configs []Config) []map[string]any {
	var specs []map[string]any
	for _, c := range configs {
		spec := map[string]any{"name": c.Key(), "hostname": c.Hostname,
			"smtputf8": c.SMTPUTF8, "lmtp": c.LMTP}
		if c.Ident != "" {
			spec["ident"] = c.Ident
		}
		if c.Size >= 0 {
			spec["data_size_limit"] = c.Size
		}
		specs = append(specs, spec)
	}
	return specs
}

// waitReady waits for the helper's "ready" line.
func (f *aiosmtpdFleet) waitReady(t testing.TB) {
	t.Helper()
	select {
	case <-f.ready:
	case <-f.done:
		t.Fatalf("aiosmtpd helper exited before it was ready:\n%s", f.stderr.String())
	case <-time.After(helperStartTimeout):
		t.Fatalf("aiosmtpd helper not ready after %v:\n%s", helperStartTimeout, f.stderr.String())
	}
}

// read consumes the helper's stdout until it ends.
func (f *aiosmtpdFleet) read(stdout io.Reader) {
	defer close(f.done)
	sc := bufio.NewScanner(stdout)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var ev helperEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			continue // not ours: the helper only prints JSON lines
		}
		f.handle(ev)
	}
}

// handle files one event from the helper.
func (f *aiosmtpdFleet) handle(ev helperEvent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch ev.Event {
	case "listening":
		f.addrs[ev.Name] = ev.Addr
	case "ready":
		close(f.ready)
	case "message":
		f.messages[ev.Name] = append(f.messages[ev.Name], ev)
		f.all = append(f.all, Delivery{Client: Client{ev.Name, ev.PeerPort}, Message: ev.message()})
	case "sync":
		if ch, ok := f.syncs[ev.Token]; ok {
			close(ch)
			delete(f.syncs, ev.Token)
		}
	}
}

// addr returns where the server for c listens.
func (f *aiosmtpdFleet) addr(c Config) string {
	c.Serial = false
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.addrs[c.Key()]
}

// messagesOf returns (and forgets) the messages the server for c delivered
// to the client whose port was port. It first waits for the helper to
// answer a sync request, which it does only after printing every message
// of sessions that have already got their replies.
func (f *aiosmtpdFleet) messagesOf(t testing.TB, c Config, port int) []Message {
	t.Helper()
	f.sync(t)
	c.Serial = false
	f.mu.Lock()
	defer f.mu.Unlock()
	var mine []Message
	var rest []helperEvent
	for _, ev := range f.messages[c.Key()] {
		if ev.PeerPort != port {
			rest = append(rest, ev)
			continue
		}
		mine = append(mine, ev.message())
	}
	f.messages[c.Key()] = rest
	return mine
}

// delivered returns every message delivered so far.
func (f *aiosmtpdFleet) delivered(t testing.TB) []Delivery {
	f.sync(t)
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Delivery(nil), f.all...)
}

// message is the delivered message a "message" event describes.
func (ev helperEvent) message() Message {
	return Message{From: string(ev.MailFrom), To: byteStrings(ev.RcptTos),
		Options: byteStrings(ev.MailOptions), Content: ev.Content, Debugging: NormalizeDebugging(ev.Debugging)}
}

// sync asks the helper to echo a token and waits for it.
func (f *aiosmtpdFleet) sync(t testing.TB) {
	t.Helper()
	f.mu.Lock()
	f.nextSync++
	token := strconv.Itoa(f.nextSync)
	ch := make(chan struct{})
	f.syncs[token] = ch
	_, err := fmt.Fprintf(f.stdin, "sync %s\n", token)
	f.mu.Unlock()
	if err != nil {
		t.Fatalf("aiosmtpd helper: %v", err)
	}
	select {
	case <-ch:
	case <-f.done:
		t.Fatalf("aiosmtpd helper exited:\n%s", f.stderr.String())
	case <-time.After(5 * time.Second):
		t.Fatal("aiosmtpd helper did not answer a sync request")
	}
}

// stop closes the helper's stdin, which ends it, and waits; it kills the
// helper (by its own PID) if it does not end in time.
func (f *aiosmtpdFleet) stop(t testing.TB) {
	f.stdin.Close()
	exited := make(chan error, 1)
	go func() { exited <- f.cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = f.cmd.Process.Kill()
		<-exited
	}
	if t.Failed() && f.stderr.Len() > 0 {
		t.Logf("aiosmtpd helper stderr:\n%s", tail(f.stderr.String(), 4000))
	}
}

// byteStrings converts byte strings from the helper.
func byteStrings(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return out
}
