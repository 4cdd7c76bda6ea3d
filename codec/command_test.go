package codec

import "testing"

func TestParseCommand(t *testing.T) {
	for _, tc := range []struct {
		line string
		verb Verb
		name string
		arg  string
		err  error
	}{
		{"EHLO client.example", VerbEHLO, "EHLO", "client.example", nil},
		{"ehlo   x  ", VerbEHLO, "ehlo", "  x", nil},
		{"EhLo x\t", VerbEHLO, "EhLo", "x", nil},
		{"QUIT", VerbQUIT, "QUIT", "", nil},
		{"quit ", VerbQUIT, "quit", "", nil},
		{"STARTTLS", VerbSTARTTLS, "STARTTLS", "", nil},
		{"LHLO lmtp.example", VerbLHLO, "LHLO", "lmtp.example", nil},
		{"AUTH PLAIN AGEAYg==", VerbAUTH, "AUTH", "PLAIN AGEAYg==", nil},
		{"BDAT 10 LAST", VerbBDAT, "BDAT", "10 LAST", nil},
		{"XYZZY plugh", VerbUnknown, "XYZZY", "plugh", nil},
		{"", VerbUnknown, "", "", nil},
		{" EHLO x", VerbUnknown, "", "EHLO x", nil},
		{"EHLOx", VerbUnknown, "EHLOx", "", nil},
		{"EHLO\tx", VerbUnknown, "EHLO\tx", "", nil},
		{"STARTTLSX", VerbUnknown, "STARTTLSX", "", nil},

		// MAIL and RCPT keep only what follows their keyword.
		{"MAIL FROM:<a@b.c> SIZE=10", VerbMAIL, "MAIL", "<a@b.c> SIZE=10", nil},
		{"mail from: <a@b.c>", VerbMAIL, "mail", "<a@b.c>", nil},
		{"MAIL From:   <a@b.c>  ", VerbMAIL, "MAIL", "<a@b.c>", nil},
		{"MAIL FROM:", VerbMAIL, "MAIL", "", nil},
		{"RCPT TO:<d@e.f>", VerbRCPT, "RCPT", "<d@e.f>", nil},
		{"rcpt to: <d@e.f>", VerbRCPT, "rcpt", "<d@e.f>", nil},
		{"MAIL TO:<a@b.c>", VerbMAIL, "MAIL", "TO:<a@b.c>", ErrBadSyntax},
		{"MAIL FROM <a@b.c>", VerbMAIL, "MAIL", "FROM <a@b.c>", ErrBadSyntax},
		{"MAIL  FROM:<a@b.c>", VerbMAIL, "MAIL", " FROM:<a@b.c>", ErrBadSyntax},
		{"MAIL", VerbMAIL, "MAIL", "", ErrBadSyntax},
		{"RCPT", VerbRCPT, "RCPT", "", ErrBadSyntax},
		{"RCPT FROM:<a@b.c>", VerbRCPT, "RCPT", "FROM:<a@b.c>", ErrBadSyntax},
		{"RCPT T:<a@b.c>", VerbRCPT, "RCPT", "T:<a@b.c>", ErrBadSyntax},

		// T-02, T-26: bare CR, bare LF and NUL are never separators.
		{"EHLO a\nX-Injected: 1", VerbUnknown, "", "", ErrBadLine},
		{"MAIL FROM:<a@b>\rRCPT TO:<c@d>", VerbUnknown, "", "", ErrBadLine},
		{"MAIL FROM:<a\x00b@c>", VerbUnknown, "", "", ErrBadLine},
		{"NOOP\r", VerbUnknown, "", "", ErrBadLine},
		{"\n", VerbUnknown, "", "", ErrBadLine},
		{"\x00", VerbUnknown, "", "", ErrBadLine},
		// T-25: the codec does not judge the bytes of a HELO name.
		{"EHLO \xc3\x28", VerbEHLO, "EHLO", "\xc3\x28", nil},
	} {
		line := []byte(tc.line)
		cmd, err := ParseCommand(line)
		if err != tc.err || cmd.Verb != tc.verb || string(cmd.Name) != tc.name || string(cmd.Arg) != tc.arg {
			t.Errorf("ParseCommand(%q) = %v %q %q, %v; want %v %q %q, %v",
				tc.line, cmd.Verb, cmd.Name, cmd.Arg, err, tc.verb, tc.name, tc.arg, tc.err)
		}
		if !isSubslice(line, cmd.Name) || !isSubslice(line, cmd.Arg) {
			t.Errorf("ParseCommand(%q): Name or Arg is not a view into the line", tc.line)
		}
	}
}

func TestVerbString(t *testing.T) {
	for v := Verb(0); v < NumVerbs; v++ {
		cmd, err := ParseCommand([]byte(v.String()))
		if err != nil && err != ErrBadSyntax || v != VerbUnknown && cmd.Verb != v {
			t.Errorf("%v does not parse back: %v, %v", v, cmd.Verb, err)
		}
	}
	if VerbMAIL.String() != "MAIL" || VerbUnknown.String() != "UNKNOWN" || NumVerbs.String() != "UNKNOWN" || Verb(200).String() != "UNKNOWN" {
		t.Errorf("String: %s %s %s %s", VerbMAIL, VerbUnknown, NumVerbs, Verb(200))
	}
}

func TestLooksLikeHTTP(t *testing.T) {
	for line, want := range map[string]bool{
		"GET / HTTP/1.1":              true,
		"POST /x HTTP/1.0":            true,
		"CONNECT a:25 HTTP/1.1":       true,
		"OPTIONS * HTTP/1.1":          true,
		"HEAD / HTTP/1.1":             true,
		"PUT /x HTTP/1.1":             true,
		"DELETE /x HTTP/1.1":          true,
		"get / HTTP/1.1":              false,
		"GET":                         false,
		"GETX / HTTP/1.1":             false,
		"EHLO GET":                    false,
		"HELO example.org":            false,
		"MAIL FROM:<GET@example.org>": false,
	} {
		if got := LooksLikeHTTP([]byte(line)); got != want {
			t.Errorf("LooksLikeHTTP(%q) = %v, want %v", line, got, want)
		}
	}
}
