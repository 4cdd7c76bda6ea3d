package fsm

import (
	"bytes"
	"context"
	"testing"

	lfsm "github.com/looplab/fsm"
)

var fuzzSeeds = []string{
	"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\nhello\r\n..x\r\n.\r\nQUIT\r\n",
	"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nBDAT 3\r\nabcBDAT 2 LAST\r\nde",
	"EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\nx\n.\nMAIL FROM:<s@x>\r\n.\r\n",
	"EHLO x\r\nAUTH PLAIN\r\nAHVzZXIAcGFzcw==\r\nAUTH LOGIN dXNlcg==\r\n*\r\n",
	"HELO x\r\nGET / HTTP/1.1\r\n" + string(bytes.Repeat([]byte("A"), 700)) + "\r\nNOOP\r\n",
	"EHLO x\r\nMAIL FROM:<a@b.c> RET=HDRS ENVID=a+2B BY=60;RT MT-PRIORITY=-3 SMTPUTF8\r\n" +
		"RCPT TO:<d@e.f> NOTIFY=SUCCESS,DELAY ORCPT=utf-8;d\\x{E9}@e.f RRVS=2014-04-03T23:01:00Z XRCPTFORWARD=Zm9v\r\n",
	"LHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nRCPT TO:<>\r\nRCPT TO:<g@h.i>\r\nDATA\r\nhi\r\n.\r\n" +
		"MAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nBDAT 2\r\nabBDAT 0 LAST\r\nEHLO x\r\n",
}

// fuzzConfig exercises most options while keeping the run deterministic.
// An input that starts with LHLO is played in LMTP.
func fuzzConfig(in []byte) *Config {
	return &Config{LMTP: bytes.HasPrefix(in, []byte("LHLO")),
		MaxMessageSize: 4096, MaxRecipients: 5, MaxErrors: 50, MaxTextLine: 200,
		ReadBufferSize: 1024, AuthMechanisms: []string{"PLAIN", "LOGIN"}, AuthCleartext: true,
		SMTPUTF8: true, BinaryMIME: true, Commands: []CustomCommand{{Name: "XFOO", Syntax: "XFOO"}},
		Enable:     ExtDSN | ExtRequireTLS | ExtLimits | ExtRRVS | ExtDeliverBy | ExtMTPriority,
		Extensions: []ESMTPExtension{xrcptForward},
	}
}

// FuzzCore: any input, in any pieces, never panics, keeps the core's
// memory inside its bounds, and traces no AUTH line with more than its
// verb, its mechanism and the mark of a hidden secret.
func FuzzCore(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), uint8(7))
	}
	f.Fuzz(func(t *testing.T, in []byte, piece uint8) {
		cfg := fuzzConfig(in)
		cfg.Trace = func(line []byte) { checkTracedAuth(t, line) }
		d := newTestDriver(cfg, false)
		size := int(piece)%64 + 1
		for len(in) > 0 && !d.closed {
			n := min(size, len(in))
			d.feed(in[:n])
			in = in[n:]
			if len(d.c.in) > 12288+2 {
				t.Fatalf("input buffer grew to %d", len(d.c.in))
			}
			d.out = d.out[:0]
		}
	})
}

func checkTracedAuth(t *testing.T, line []byte) {
	if len(line) < 4 || !bytes.EqualFold(line[:4], []byte("AUTH")) {
		return
	}
	words := bytes.Fields(line)
	secretFree := len(words) <= 3 &&
		(len(words) < 2 || bytes.Equal(words[1], hidden) || isMechanismName(words[1])) &&
		(len(words) < 3 || bytes.Equal(words[2], hidden))
	if !secretFree {
		t.Fatalf("traced %q: a secret may show", line)
	}
}

// FuzzSplit: the same input fed whole and in fuzzer-chosen pieces gives
// identical replies and identical delivered bodies.
func FuzzSplit(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), []byte{1, 5, 2, 200, 3})
	}
	f.Fuzz(func(t *testing.T, in []byte, cuts []byte) {
		whole := newTestDriver(fuzzConfig(in), true)
		whole.feed(in)
		split := newTestDriver(fuzzConfig(in), true)
		rest := in
		for i := 0; len(rest) > 0 && !split.closed; i++ {
			n := len(rest)
			if len(cuts) > 0 {
				n = min(int(cuts[i%len(cuts)])+1, len(rest))
			}
			split.feed(rest[:n])
			rest = rest[n:]
		}
		if !bytes.Equal(whole.out, split.out) {
			t.Fatalf("replies differ\nwhole: %q\nsplit: %q", whole.out, split.out)
		}
		if len(whole.bodies) != len(split.bodies) {
			t.Fatalf("%d bodies whole, %d split", len(whole.bodies), len(split.bodies))
		}
		for i := range whole.bodies {
			if !bytes.Equal(whole.bodies[i], split.bodies[i]) {
				t.Fatalf("body %d differs\nwhole: %q\nsplit: %q", i, whole.bodies[i], split.bodies[i])
			}
		}
	})
}

// oracleSteps are the commands the oracle fuzzer strings together: valid and
// invalid ones, in and out of sequence.
var oracleSteps = []struct {
	verb, line string
}{
	{"EHLO", "EHLO x\r\n"}, {"HELO", "HELO x\r\n"}, {"HELO", "HELO\r\n"},
	{"MAIL", "MAIL FROM:<a@b.c>\r\n"}, {"MAIL", "MAIL FROM:<bad\r\n"},
	{"RCPT", "RCPT TO:<d@e.f>\r\n"}, {"RCPT", "RCPT TO:<>\r\n"},
	{"DATA", "DATA\r\n"}, {"BDAT", "BDAT 2\r\nab"}, {"BDAT", "BDAT 1 LAST\r\nc"},
	{"RSET", "RSET\r\n"}, {"NOOP", "NOOP\r\n"}, {"HELP", "HELP\r\n"}, {"VRFY", "VRFY x\r\n"},
	{"EXPN", "EXPN x\r\n"}, {"STARTTLS", "STARTTLS\r\n"}, {"QUIT", "QUIT\r\n"},
	{"", "FOO\r\n"}, {"AUTH", "AUTH PLAIN AHUAcA==\r\n"},
}

// FuzzOracle: after every command, the core's state is the one the looplab
// declaration reaches by firing the events of the commands that succeeded,
// and a refused command never changes the state.
func FuzzOracle(f *testing.F) {
	f.Add([]byte{0, 3, 5, 7, 10, 16})
	f.Add([]byte{0, 3, 5, 8, 9, 3, 15, 0, 3})
	f.Fuzz(func(t *testing.T, steps []byte) {
		cfg := &Config{TLSAvailable: true, AuthMechanisms: []string{"PLAIN"}, AuthCleartext: true, MaxErrors: -1}
		d := newTestDriver(cfg, false)
		oracle := lfsm.NewFSM(StateConnected.String(), Events(), nil)
		for _, b := range steps {
			if d.closed {
				return
			}
			step := oracleSteps[int(b)%len(oracleSteps)]
			before := d.c.State()
			d.out = d.out[:0]
			d.feed([]byte(step.line))
			if step.verb == "DATA" && d.c.State() == StateData {
				d.feed([]byte("body\r\n.\r\n"))
				fire(t, oracle, "DATA")
				fire(t, oracle, EventEndOfData)
			} else if positive(d.out) && step.verb != "" {
				fire(t, oracle, step.verb)
				if step.verb == "BDAT" && d.c.State() == StateGreeted {
					fire(t, oracle, EventEndOfData)
				}
			} else if d.c.State() != before && !d.closed {
				t.Fatalf("%q was refused (%q) but moved %v -> %v", step.line, d.out, before, d.c.State())
			}
			if !d.closed && oracle.Current() != d.c.State().String() {
				t.Fatalf("after %q (%q): core %v, looplab %v", step.line, d.out, d.c.State(), oracle.Current())
			}
		}
	})
}

func positive(out []byte) bool {
	last := bytes.LastIndex(bytes.TrimSuffix(out, []byte("\r\n")), []byte("\r\n"))
	line := out[last+2:]
	if last < 0 {
		line = out
	}
	return len(line) > 0 && (line[0] == '2' || line[0] == '3')
}

func fire(t *testing.T, f *lfsm.FSM, event string) {
	if !f.Can(event) {
		t.Fatalf("looplab: %s is not allowed in %s, but the core accepted it", event, f.Current())
	}
	err := f.Event(context.Background(), event)
	if _, ok := err.(lfsm.NoTransitionError); err != nil && !ok {
		t.Fatalf("looplab: %v", err)
	}
}
