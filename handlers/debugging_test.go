package handlers_test

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/gosmtpd/gosmtpd/handlers"
)

// goldenMessage is one message aiosmtpd 1.4.3 delivered in the interop
// golden files, with its Debugging rendering.
type goldenMessage struct {
	file, content, debugging string
	options                  []string
}

// goldenMessages reads every message of ../interop/testdata/golden.
func goldenMessages(t *testing.T) []goldenMessage {
	files, err := filepath.Glob("../interop/testdata/golden/aiosmtpd/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	var out []goldenMessage
	for _, f := range files {
		out = append(out, goldenFile(t, f)...)
	}
	return out
}

func goldenFile(t *testing.T, name string) []goldenMessage {
	src, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	byNum := map[string]*goldenMessage{}
	var order []string
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), " ", 4)
		if len(f) != 4 || f[0] != "message" {
			continue
		}
		v, err := strconv.Unquote(f[3])
		if err != nil {
			t.Fatalf("%s: %q: %v", name, sc.Text(), err)
		}
		m := byNum[f[1]]
		if m == nil {
			m = &goldenMessage{file: filepath.Base(name)}
			byNum[f[1]] = m
			order = append(order, f[1])
		}
		switch f[2] {
		case "content":
			m.content = v
		case "option":
			m.options = append(m.options, v)
		case "debugging":
			m.debugging = v
		}
	}
	var out []goldenMessage
	for _, n := range order {
		out = append(out, *byNum[n])
	}
	return out
}

// TestDebuggingMatchesAiosmtpd renders every message aiosmtpd delivered in
// the interop sessions and compares with aiosmtpd's own rendering.
func TestDebuggingMatchesAiosmtpd(t *testing.T) {
	msgs := goldenMessages(t)
	if len(msgs) < 50 {
		t.Fatalf("only %d golden messages", len(msgs))
	}
	for _, m := range msgs {
		for _, split := range []bool{false, true} {
			var out bytes.Buffer
			d := &handlers.Debugging{W: &out, MemoryLimit: 7}
			var msg = strings.NewReader(m.content)
			body := iotest.OneByteReader(msg)
			if !split {
				body = msg
			}
			if err := d.HandleDATA(context.Background(), session(), envelope(m.options...), body); err != nil {
				t.Fatalf("%s: %v", m.file, err)
			}
			want := strings.ReplaceAll(m.debugging, "X-Peer: <peer>", "X-Peer: ('127.0.0.1', 5025)")
			if out.String() != want {
				t.Errorf("%s (one byte at a time: %v):\n got %q\nwant %q", m.file, split, out.String(), want)
			}
		}
	}
}

func TestDebuggingPrintsNothingForACutMessage(t *testing.T) {
	var out bytes.Buffer
	d := &handlers.Debugging{W: &out}
	err := d.HandleDATA(context.Background(), session(), envelope(), cutShort("Subject: half\r\n\r\nbody\r\n"))
	if err == nil || out.Len() != 0 {
		t.Fatalf("err %v, printed %q", err, out.String())
	}
}

func TestDebuggingRefusesPastMaxSize(t *testing.T) {
	var out bytes.Buffer
	d := &handlers.Debugging{W: &out, MaxSize: 10}
	err := d.HandleDATA(context.Background(), session(), envelope(), strings.NewReader("Subject: x\r\n\r\n12345\r\n"))
	if replyCode(err) != 552 || out.Len() != 0 {
		t.Fatalf("err %v, printed %q", err, out.String())
	}
}

func TestDebuggingPeerForms(t *testing.T) {
	for peer, want := range map[string]string{
		"[::1]:2525":  "X-Peer: ('::1', 2525, 0, 0)\n",
		"10.0.0.1:25": "X-Peer: ('10.0.0.1', 25)\n",
		"":            "X-Peer: ''\n",
	} {
		var out bytes.Buffer
		s := session()
		s.Peer = peer
		(&handlers.Debugging{W: &out}).HandleDATA(context.Background(), s, envelope(), strings.NewReader("A: b\r\n\r\nc\r\n"))
		if !strings.Contains(out.String(), want) {
			t.Errorf("peer %q: %q lacks %q", peer, out.String(), want)
		}
	}
}

func TestDebuggingOptionsAsPythonLists(t *testing.T) {
	var out bytes.Buffer
	e := envelope(`x=it's`, `Y=\`)
	e.RcptOptions = [][]string{nil, {"NOTIFY=NEVER"}}
	(&handlers.Debugging{W: &out}).HandleDATA(context.Background(), session(), e, strings.NewReader(""))
	want := "---------- MESSAGE FOLLOWS ----------\n" +
		`mail options: ["X=IT'S", 'Y=\\']` + "\n" +
		"rcpt options: [[], ['NOTIFY=NEVER']]\n\n" +
		"------------ END MESSAGE ------------\n"
	if out.String() != want {
		t.Errorf("got %q\nwant %q", out.String(), want)
	}
}
