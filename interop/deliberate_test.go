package interop

import (
	"testing"
)

func TestParseDeliberate(t *testing.T) {
	src := "# comment\n\n" +
		"bare-lf-command  *         RFC 5321 2.3.8: only CRLF ends a line\n" +
		"rcpt-null        3         RFC 5321 4.1.1.3\n" +
		"data-nul         messages  CVE-2024-27305 applies\n" +
		"some-session     end       see RFC2033\n"
	list, err := ParseDeliberate([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 4 {
		t.Fatalf("got %d entries", len(list))
	}
	if e := list[0]; e.Session != "bare-lf-command" || e.Step != "*" || e.Reason != "RFC 5321 2.3.8: only CRLF ends a line" || e.Line != 3 {
		t.Errorf("entry 0 = %+v", e)
	}
	for _, bad := range []string{
		"session 3\n",                   // no reason
		"session 3 because I said so\n", // no citation
		"session x RFC 5321\n",          // bad step
		"session -1 RFC 5321\n",         // bad step
		"a 1 RFC 1\na 1 RFC 2\n",        // duplicate
	} {
		if _, err := ParseDeliberate([]byte(bad)); err == nil {
			t.Errorf("ParseDeliberate(%q) succeeded, want an error", bad)
		}
	}
}

func TestAllowList(t *testing.T) {
	list := []Deliberate{
		{Session: "a", Step: "*"},
		{Session: "a", Step: "2"},
		{Session: "b", Step: "messages"},
		{Session: "c", Step: "1"},
	}
	allow := NewAllowList(list)
	left := allow.Explain([]Difference{
		{Session: "a", Step: "2"},        // exact entry wins over *
		{Session: "a", Step: "end"},      // * covers the end
		{Session: "a", Step: "messages"}, // * does not cover messages
		{Session: "b", Step: "messages"},
		{Session: "d", Step: "0"},
	})
	if len(left) != 2 || left[0].Session != "a" || left[0].Step != "messages" || left[1].Session != "d" {
		t.Errorf("unexplained = %+v", left)
	}
	stale := allow.Stale()
	if len(stale) != 1 || stale[0].Session != "c" {
		t.Errorf("stale = %+v", stale)
	}
}
