package fuzz

import (
	"fmt"
	"strings"
	"testing"
)

// The reference is checked on its own, so that a fuzz target that passes
// says something: these are the cases where it must object.

func TestRefUnstuff(t *testing.T) {
	cases := []struct {
		in, msg string
		n       int
		ok      bool
	}{
		{".\r\n", "", 3, true},
		{"a\r\n..b\r\n.c\r\n.\r\nrest", "a\r\n.b\r\nc\r\n", 15, true},
		{"a\n.\nb\r\n.\r\n", "a\n.\nb\r\n", 10, true}, // LF.LF is data
		{"a\r\n.\rb\r\n.\r\n", "a\r\n\rb\r\n", 11, true},
		{"a\r\n.", "", 0, false},
		{"a\r\n", "", 0, false},
	}
	for _, c := range cases {
		msg, n, ok := refUnstuff([]byte(c.in))
		if string(msg) != c.msg || n != c.n || ok != c.ok {
			t.Errorf("refUnstuff(%q) = %q, %d, %v; want %q, %d, %v", c.in, msg, n, ok, c.msg, c.n, c.ok)
		}
	}
}

func TestRefBDAT(t *testing.T) {
	cases := []struct {
		line       string
		size       int64
		last, ok   bool
		maxLineLen int
	}{
		{"BDAT 5", 5, false, true, 512},
		{"bdat 0 last \t", 0, true, true, 512},
		{"BDAT 5  LAST", 0, false, false, 512},
		{"BDAT", 0, false, false, 512},
		{"BDAT -1", 0, false, false, 512},
		{"BDAT 99999999999999999999", 0, false, false, 512},
		{"BDAT 5\x00", 0, false, false, 512},
		{"BDAT 5", 0, false, false, 5},
	}
	for _, c := range cases {
		size, last, ok := refBDAT([]byte(c.line), c.maxLineLen)
		if size != c.size || last != c.last || ok != c.ok {
			t.Errorf("refBDAT(%q) = %d, %v, %v", c.line, size, last, ok)
		}
	}
}

func TestParseRepliesRefuses(t *testing.T) {
	for _, out := range []string{"250 OK", "250-a\r\n251 b\r\n", "250-a\r\n", "2x0 OK\r\n", "250\rX\r\n", "250_OK\r\n"} {
		if _, err := parseReplies([]byte(out)); err == nil {
			t.Errorf("parseReplies(%q) accepted it", out)
		}
	}
	if r, err := parseReplies([]byte("250-a\r\n250 b\r\n354\r\n")); err != nil || len(r) != 2 {
		t.Errorf("two replies: %v, %v", r, err)
	}
}

// walkDelivery runs the model and the delivery check over a made-up
// session.
func walkDelivery(t *testing.T, lmtp bool, in, out string, recs ...*record) error {
	t.Helper()
	replies, err := parseReplies([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	m := &model{in: []byte(in), replies: replies, maxLine: 512, lmtp: lmtp}
	if err := m.walk(false, false); err != nil {
		return err
	}
	return checkDelivery(m.ends, recs)
}

func TestDeliveryCheckObjects(t *testing.T) {
	data := "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n..x\r\n.\r\n"
	dataOK := "250 ok\r\n250 ok\r\n354 go\r\n250 queued\r\n"
	bdat := "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nBDAT 2\r\n.xBDAT 2 LAST\r\nyz"
	bdatOK := "250 ok\r\n250 ok\r\n250 chunk\r\n250 queued\r\n"
	yes := []bool{true}
	whole := func(body string) *record { return &record{body: []byte(body), complete: true, positive: yes} }
	cases := []struct {
		name, in, out string
		recs          []*record
		ok            bool
	}{
		{"DATA delivered", data, dataOK, []*record{whole(".x\r\n")}, true},
		{"DATA bytes differ", data, dataOK, []*record{whole("..x\r\n")}, false},
		{"250 without a message", data, dataOK, nil, false},
		{"250 for a partial message", data, dataOK, []*record{{body: []byte(".x"), positive: yes}}, false},
		{"every byte read, no EOF seen", data, dataOK, []*record{{body: []byte(".x\r\n"), positive: yes}}, true},
		{"refused, then a 250 for nothing", data, dataOK, []*record{{body: []byte(".x\r\n"), complete: true}}, false},
		{"accepted without a 250", data, strings.Replace(dataOK, "250 queued", "451 no", 1), []*record{whole(".x\r\n")}, false},
		{"BDAT delivered", bdat, bdatOK, []*record{whole(".xyz")}, true},
		{"BDAT chunk lost", bdat, bdatOK, []*record{whole("yz")}, false},
		{"refused chunk left out", bdat, "250 ok\r\n250 ok\r\n503 no\r\n250 queued\r\n", []*record{whole("yz")}, true},
		{"no reply, no closing", "NOOP\r\nNOOP\r\n", "250 ok\r\n", nil, false},
		{"no reply after 421", "NOOP\r\nNOOP\r\n", "421 bye\r\n", nil, true},
	}
	for _, c := range cases {
		err := walkDelivery(t, false, c.in, c.out, c.recs...)
		if (err == nil) != c.ok {
			t.Errorf("%s: got %v, want ok=%v", c.name, err, c.ok)
		}
	}
}

// TestDeliveryCheckLMTP: one reply per accepted recipient, each a 2xx
// exactly when the handler accepted the message for that recipient.
func TestDeliveryCheckLMTP(t *testing.T) {
	data := "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nRCPT TO:<x@d>\r\nRCPT TO:<e@d>\r\nDATA\r\nhi\r\n.\r\nNOOP\r\n"
	dataOut := "250 ok\r\n250 ok\r\n550 no\r\n250 ok\r\n354 go\r\n250 c\r\n%s\r\n250 noop\r\n"
	bdat := "MAIL FROM:<a@b>\r\nBDAT 2 LAST\r\nhiRCPT TO:<c@d>\r\nBDAT 2 LAST\r\nhi"
	rec := func(positive ...bool) *record {
		return &record{body: []byte("hi\r\n"), complete: true, positive: positive}
	}
	cases := []struct {
		name, in, out string
		recs          []*record
		ok            bool
	}{
		{"one refused", data, fmt.Sprintf(dataOut, "451 e"), []*record{rec(true, false)}, true},
		{"a 250 the handler refused", data, fmt.Sprintf(dataOut, "250 e"), []*record{rec(true, false)}, false},
		{"a refusal the handler accepted", data, fmt.Sprintf(dataOut, "451 e"), []*record{rec(true, true)}, false},
		{"a 421 for one recipient is not the end", data, fmt.Sprintf(dataOut, "421 e"), []*record{rec(true, false)}, true},
		{"a reply missing", data, "250 ok\r\n250 ok\r\n550 no\r\n250 ok\r\n354 go\r\n250 c\r\n250 noop\r\n", []*record{rec(true, true)}, false},
		{"BDAT without recipients, then with one", bdat, "250 ok\r\n503 no\r\n250 ok\r\n250 queued\r\n",
			[]*record{{body: []byte("hi"), complete: true, positive: []bool{true}}}, true},
	}
	for _, c := range cases {
		err := walkDelivery(t, true, c.in, c.out, c.recs...)
		if (err == nil) != c.ok {
			t.Errorf("%s: got %v, want ok=%v", c.name, err, c.ok)
		}
	}
	if walkDelivery(t, false, "NOOP\r\nNOOP\r\n", "421 bye\r\n250 ok\r\n") == nil {
		t.Error("SMTP: a reply after 421 went unnoticed by the model")
	}
}

func TestLastWords(t *testing.T) {
	replies, _ := parseReplies([]byte("421 bye\r\n250 ok\r\n"))
	if checkLastWords(replies) == nil {
		t.Error("a reply after 421 went unnoticed")
	}
}
