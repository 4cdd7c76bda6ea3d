package fsm

// State is where a session stands in the SMTP dialogue. States are ordered
// small integers so that the transition table is a plain array.
type State uint8

const (
	StateConnected State = iota // greeting sent; no HELO/EHLO/LHLO yet
	StateGreeted                // greeted; no mail transaction
	StateMail                   // MAIL accepted
	StateRcpt                   // at least one RCPT accepted
	StateData                   // inside a DATA body
	StateChunking               // between BDAT chunks of one message
	StateClosed                 // after QUIT or a fatal error
	NumStates
)

var stateNames = [NumStates]string{"Connected", "Greeted", "Mail", "Rcpt", "Data", "Chunking", "Closed"}

func (s State) String() string {
	if s < NumStates {
		return stateNames[s]
	}
	return "State(?)"
}

// inTransaction reports whether s is inside a mail transaction.
func (s State) inTransaction() bool {
	return s == StateMail || s == StateRcpt || s == StateData || s == StateChunking
}
