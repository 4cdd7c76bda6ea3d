package hooks

import (
	"bytes"
	"testing"
)

// FuzzMechanisms drives each built-in mechanism with the lines of the input
// as client responses (the first one the initial response when it does not
// start with '-'): an exchange never panics, each step gives exactly one of
// a challenge, credentials or a reply, and what PLAIN obtains holds no NUL.
func FuzzMechanisms(f *testing.F) {
	f.Add([]byte("\x00user\x00pass"))
	f.Add([]byte("-\n\x00user\x00pass"))
	f.Add([]byte("-\nuser\npass"))
	f.Add([]byte("user\npass"))
	f.Add([]byte("-\nuser 0123456789abcdef0123456789abcdef"))
	f.Add([]byte("-\n\n\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, m := range []Mechanism{Plain, Login, CRAMMD5{}} {
			lines := bytes.Split(in, []byte("\n"))
			if len(lines[0]) > 0 && lines[0][0] == '-' {
				lines[0] = nil // no initial response
			}
			x := m.Start()
			for _, resp := range lines {
				ch, c, err := x.Next(resp)
				switch {
				case err != nil:
					if ch != nil || c != nil || replyCode(err) != 501 {
						t.Fatalf("%s: error %v with challenge %q, credentials %v", m.Name(), err, ch, c)
					}
				case c != nil:
					if c.Mechanism != m.Name() || m == Plain && bytes.ContainsRune([]byte(c.Username+c.Password+c.Authzid), 0) {
						t.Fatalf("%s: credentials %#v", m.Name(), c)
					}
				case ch == nil:
					t.Fatalf("%s: nothing returned for %q", m.Name(), resp)
				default:
					continue
				}
				break
			}
		}
	})
}
