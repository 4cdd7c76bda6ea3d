package interop

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestParseScript(t *testing.T) {
	src := "# A comment.\n" +
		"# config: smtputf8 size=1000 lmtp ident=\"Two Words\" serial\n" +
		"\n" +
		"C: LHLO x\n" +
		"C! raw\\r\n" +
		"S: 250\n" +
		"P: 20\n" +
		"C:\n" +
		"S: close\n"
	s, err := ParseScript("demo", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{SMTPUTF8: true, LMTP: true, Size: 1000, Hostname: DefaultHostname, Ident: "Two Words", Serial: true}
	if s.Config != want {
		t.Errorf("config = %+v, want %+v", s.Config, want)
	}
	items := []Item{
		{Kind: ItemSend, Line: 4, Data: []byte("LHLO x\r\n")},
		{Kind: ItemSend, Line: 5, Data: []byte("raw\r")},
		{Kind: ItemExpect, Line: 6, Code: 250},
		{Kind: ItemPause, Line: 7, Pause: 20 * time.Millisecond},
		{Kind: ItemSend, Line: 8, Data: []byte("\r\n")},
		{Kind: ItemExpect, Line: 9, Code: CodeClose},
	}
	if len(s.Items) != len(items) {
		t.Fatalf("got %d items, want %d: %+v", len(s.Items), len(items), s.Items)
	}
	for i, it := range s.Items {
		w := items[i]
		if it.Kind != w.Kind || it.Line != w.Line || !bytes.Equal(it.Data, w.Data) || it.Code != w.Code || it.Pause != w.Pause {
			t.Errorf("item %d = %+v, want %+v", i, it, w)
		}
	}
	if s.Expects() != 2 {
		t.Errorf("Expects() = %d, want 2", s.Expects())
	}
}

func TestParseScriptErrors(t *testing.T) {
	for _, src := range []string{
		"",                        // no steps
		"# only a comment\n",      // no steps
		"X: what\n",               // unknown tag
		"C\n",                     // no tag separator
		"S: 25\n",                 // short code
		"S: 600\n",                // out of range
		"S: abc\n",                // not a code
		"P: -1\n",                 // negative pause
		"P: 10000\n",              // pause too long
		"C: \\q\n",                // unknown escape
		"# config: bogus\nC: x\n", // unknown option
		"# config: size=-5\nC: x\n",
		"# config: hostname=\nC: x\n",
		"# config: ident=\"open\nC: x\n",
	} {
		if _, err := ParseScript("bad", []byte(src)); err == nil {
			t.Errorf("ParseScript(%q) succeeded, want an error", src)
		}
	}
}

func TestUnescape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{`a\r\nb`, "a\r\nb"},
		{`\t\\`, "\t\\"},
		{`\x00\xff\x7F`, "\x00\xff\x7f"},
		{`\{3:ab}`, "ababab"},
		{`\{0:ab}c`, "c"},
		{`<\{2:x\r\n}>`, "<x\r\nx\r\n>"},
	} {
		got, err := Unescape(tc.in)
		if err != nil || string(got) != tc.want {
			t.Errorf("Unescape(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{`\`, `\x0`, `\xzz`, `\{3:ab`, `\{x:ab}`, `\{-1:a}`, `\{2097152:a}`, `\{1048576:0123456789}`, `\z`} {
		if got, err := Unescape(bad); err == nil {
			t.Errorf("Unescape(%q) = %q, want an error", bad, got)
		}
	}
}

func TestConfigKeyAndCLIArgs(t *testing.T) {
	c := defaultConfig()
	if err := parseConfig(&c, `lmtp smtputf8 size=0 hostname=h.example ident="A B"`); err != nil {
		t.Fatal(err)
	}
	if got, want := c.Key(), `lmtp-smtputf8-size0-host"h.example"-ident"A B"`; got != want {
		t.Errorf("Key() = %s, want %s", got, want)
	}
	got := strings.Join(c.CLIArgs(), "|")
	if want := "--hostname|h.example|-u|--lmtp|-s|0|--ident|A B"; got != want {
		t.Errorf("CLIArgs() = %s, want %s", got, want)
	}
	if d := defaultConfig(); d.Key() != "smtp" || d.String() != "default" || len(d.CLIArgs()) != 2 {
		t.Errorf("default config: key %q, string %q, args %q", d.Key(), d.String(), d.CLIArgs())
	}
	serial := defaultConfig()
	serial.Serial = true
	if serial.Key() != defaultConfig().Key() {
		t.Error("serial changed the server key")
	}
}

// TestSessions checks the committed sessions themselves: they parse, their
// names are usable, and there are enough of them to cover the protocol.
func TestSessions(t *testing.T) {
	scripts := loadScripts(t)
	if len(scripts) < 150 {
		t.Errorf("%d sessions, want at least 150", len(scripts))
	}
	for _, s := range scripts {
		if strings.ContainsAny(s.Name, " \t") {
			t.Errorf("session name %q has white space", s.Name)
		}
		if s.Expects() == 0 && !endsWithSend(s) {
			t.Errorf("%s expects nothing and sends nothing at its end", s.Name)
		}
	}
}

// endsWithSend tells whether a script's last item sends data (a session
// that tests what the server does when the client goes away).
func endsWithSend(s *Script) bool {
	return len(s.Items) > 0 && s.Items[len(s.Items)-1].Kind == ItemSend
}

// FuzzParseScript checks that no input makes the parser panic, and that
// what it accepts is well formed.
func FuzzParseScript(f *testing.F) {
	f.Add([]byte("# config: smtputf8 size=10\nC: EHLO x\nS: 250\n"))
	f.Add([]byte("C! \\{3:a\\r\\n}\\x00\nP: 5\nS: close\n"))
	f.Add([]byte("# config: ident=\"a b\" hostname=h\nC:\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := ParseScript("fuzz", src)
		if err != nil {
			return
		}
		for _, it := range s.Items {
			switch it.Kind {
			case ItemExpect:
				if it.Code != CodeClose && (it.Code < 200 || it.Code > 599) {
					t.Errorf("line %d: code %d", it.Line, it.Code)
				}
			case ItemPause:
				if it.Pause < 0 || it.Pause > 5*time.Second {
					t.Errorf("line %d: pause %v", it.Line, it.Pause)
				}
			}
		}
	})
}

func TestParseScriptBoundsExpansion(t *testing.T) {
	line := "C: " + strings.Repeat(`\{1048576:01234567}`, 3) + "\n"
	if _, err := ParseScript("big-line", []byte(line)); err == nil {
		t.Error("a 24 MiB line was accepted")
	}
	many := strings.Repeat("C: "+`\{1048576:0123456}`+"\n", 10)
	if _, err := ParseScript("big-script", []byte(many)); err == nil {
		t.Error("a 70 MiB script was accepted")
	}
}
