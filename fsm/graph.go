package fsm

// Rules of this file: the session-state graph is declared here once, as
// looplab/fsm events, and nowhere else. compileTable turns it into the
// [state][verb] array that the per-command path reads (a lookup costs about
// 2 ns; a looplab Event() about 0.5 µs and 5 allocations, so looplab stays
// off that path). internal/gendiagram draws the same declaration as the Mermaid
// diagram in diagram.md, and FuzzOracle checks that the core and looplab
// agree on the state after every command of the sequences it strings
// together.

import (
	"github.com/gosmtpd/gosmtpd/codec"
	lfsm "github.com/looplab/fsm"
)

// Event names that are not command verbs.
const (
	EventEndOfData = "end-of-data" // the final dot, or the LAST BDAT chunk
	EventTLS       = "tls"         // the STARTTLS handshake finished
)

var (
	anyOpen  = []string{"Connected", "Greeted", "Mail", "Rcpt", "Chunking"}
	greeted  = []string{"Greeted", "Mail", "Rcpt", "Chunking"}
	inTxn    = []string{"Mail", "Rcpt", "Chunking"}
	anyState = []string{"Connected", "Greeted", "Mail", "Rcpt", "Data", "Chunking"}
)

// Events returns the session-state graph as looplab/fsm events. Each event is
// a command verb that is in sequence in its source states, or one of the
// Event* names above. The core applies a verb's transition only when the
// command succeeds; a refused command leaves the state as it was.
func Events() lfsm.Events {
	ev := lfsm.Events{
		{Name: "HELO", Src: anyOpen, Dst: "Greeted"},
		{Name: "EHLO", Src: anyOpen, Dst: "Greeted"},
		{Name: "LHLO", Src: anyOpen, Dst: "Greeted"},
		{Name: "MAIL", Src: []string{"Greeted"}, Dst: "Mail"},
		{Name: "RCPT", Src: []string{"Mail", "Rcpt"}, Dst: "Rcpt"},
		{Name: "DATA", Src: []string{"Rcpt"}, Dst: "Data"},
		{Name: "BDAT", Src: []string{"Rcpt", "Chunking"}, Dst: "Chunking"},
		{Name: EventEndOfData, Src: []string{"Data", "Chunking"}, Dst: "Greeted"},
		{Name: "RSET", Src: greeted, Dst: "Greeted"},
		{Name: "RSET", Src: []string{"Connected"}, Dst: "Connected"},
		{Name: "STARTTLS", Src: []string{"Connected", "Greeted", "Mail", "Rcpt"}, Dst: "Connected"},
		{Name: EventTLS, Src: []string{"Connected"}, Dst: "Connected"},
		{Name: "AUTH", Src: []string{"Greeted"}, Dst: "Greeted"},
		{Name: "QUIT", Src: anyOpen, Dst: "Closed"},
	}
	for _, verb := range []string{"NOOP", "HELP", "VRFY", "EXPN"} {
		for _, s := range anyOpen {
			ev = append(ev, lfsm.EventDesc{Name: verb, Src: []string{s}, Dst: s})
		}
	}
	return ev
}

// noTransition marks a verb that is out of sequence in a state.
const noTransition = NumStates

// table[state][verb] is the state a successful command leads to, or
// noTransition. VerbUnknown and VerbBDAT's LAST ending are handled in code.
var table = compileTable(Events())

func compileTable(events lfsm.Events) (t [NumStates][codec.NumVerbs]State) {
	for s := range t {
		for v := range t[s] {
			t[s][v] = noTransition
		}
	}
	for _, e := range events {
		v, ok := verbNamed(e.Name)
		if !ok {
			continue
		}
		for _, src := range e.Src {
			t[stateNamed(src)][v] = stateNamed(e.Dst)
		}
	}
	return t
}

func verbNamed(name string) (codec.Verb, bool) {
	for v := codec.VerbHELO; v < codec.NumVerbs; v++ {
		if v.String() == name {
			return v, true
		}
	}
	return codec.VerbUnknown, false
}

func stateNamed(name string) State {
	for s := State(0); s < NumStates; s++ {
		if s.String() == name {
			return s
		}
	}
	panic("fsm: unknown state " + name + " in the graph")
}
