package fsm

import (
	"strings"
	"testing"

	"github.com/gosmtpd/gosmtpd/codec"
)

// A DATA hook that gives up on the message (the driver calls AbortData
// after an ActBody) gets its refusal after the final dot, never a 250:
// also when the chunk it gave up on is the last one, handed out after the
// core has already seen the end of data in the same input.
func TestAbortDataOnTheLastChunk(t *testing.T) {
	refusal := codec.Reply{Code: 554, Enhanced: "5.6.0", Text: "refused"}
	for _, in := range []string{
		"EHLO c\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\nSubject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n",
		"EHLO c\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nBDAT 6 LAST\r\nbody\r\nQUIT\r\n",
	} {
		c := NewConn(&Config{Hooks: HookSet(0).With(HookDATA)})
		c.Receive([]byte(in))
		asked := 0
		for a := c.Next(); a.Kind != ActNeedData && a.Kind != ActClose; a = c.Next() {
			switch a.Kind {
			case ActBody:
				c.AbortData(refusal)
			case ActAsk:
				if a.Ask.Hook == HookDATA {
					asked++
				}
				c.Resolve(Decision{})
			}
		}
		out := string(c.AppendOutbound(nil))
		if asked != 0 || !strings.Contains(out, "554 5.6.0 refused") || strings.Contains(out, "250 2.0.0") {
			t.Errorf("%q: DATA asked %d times, replies:\n%s", in, asked, out)
		}
	}
}
