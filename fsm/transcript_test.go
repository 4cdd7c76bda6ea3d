package fsm

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gosmtpd/gosmtpd/codec"
)

var update = flag.Bool("update", false, "rewrite testdata/transcripts/*.txt with the core's output")

// A transcript is a session as text, in the grammar the interop scripts
// share (C: is what the client sends, S: what the server replies, # a
// comment; each letter means one thing in both). Input lines:
//
//	# config: key[=value] ...   the Config (see parseConfig)
//	# ...                       a comment, kept
//	C: text                     text+CRLF; consecutive C/B/R lines are one write
//	B: go-escaped               exact bytes, no CRLF added ("\r", "\x00", ...)
//	R: count go-escaped         the bytes repeated count times
//	A: HOOK code enh text       the next ask of HOOK gets this reply ("-": no enh)
//	A: HOOK challenge text      the next ask of HOOK (AUTH) gets a challenge
//	A: HOOK close code enh text reply, then close
//	E:                          the peer closes (ReceiveEOF)
//	W:                          the read timed out (TimedOut)
//	Z:                          the server shuts down (Shutdown)
//	F:                          the next STARTTLS handshake fails
//	(empty line)                ends a write: lines after it are a new batch
//
// Output lines, written by the core's run (and compared, or rewritten with
// -update): S: reply lines, H: asks, D: delivered message, D! abandoned
// message, T: TLS upgrades, X: close.
func TestTranscripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/transcripts/*.txt")
	if len(files) == 0 {
		t.Fatal("no transcripts")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			want, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got := runTranscript(t, want)
			if *update {
				os.WriteFile(f, got, 0o644)
				return
			}
			if !bytes.Equal(got, want) {
				t.Errorf("transcript differs (run with -update to see)\n--- got\n%s\n--- want\n%s", got, want)
			}
		})
	}
}

type answer struct {
	reply     codec.Reply
	challenge []byte
	close     bool
}

type transcript struct {
	t       *testing.T
	c       *Conn
	out     bytes.Buffer
	answers map[string][]answer
	body    []byte
	inBody  bool
	tlsFail bool
	batch   []byte
}

func runTranscript(t *testing.T, src []byte) []byte {
	tr := &transcript{t: t, answers: map[string][]answer{}}
	var cfg Config
	refuse := 0
	lines := splitLines(src)
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(l, "# config:"); ok {
			cfg = parseConfig(t, rest)
			for _, kv := range strings.Fields(rest) {
				if v, ok := strings.CutPrefix(kv, "refuse="); ok {
					refuse, _ = strconv.Atoi(v)
				}
			}
		}
	}
	tr.c = NewConn(&cfg)
	if refuse != 0 {
		tr.c.RefuseGreeting(codec.Reply{Code: refuse, Enhanced: fmt.Sprintf("%d.7.1", refuse/100), Text: "refused at connection time"})
	}
	tr.drain()
	for _, l := range lines {
		tr.input(l)
	}
	tr.flushBatch()
	return tr.out.Bytes()
}

func splitLines(src []byte) []string {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

// input handles one line of the transcript file; output lines are dropped
// (they are regenerated).
func (tr *transcript) input(l string) {
	tag, rest, _ := strings.Cut(l, ":")
	rest = strings.TrimPrefix(rest, " ")
	switch {
	case strings.HasPrefix(l, "#") || l == "":
		tr.flushBatch()
		fmt.Fprintln(&tr.out, l)
	case tag == "C":
		tr.batch = append(tr.batch, rest+"\r\n"...)
		fmt.Fprintln(&tr.out, l)
	case tag == "B":
		tr.batch = append(tr.batch, unquote(tr.t, rest)...)
		fmt.Fprintln(&tr.out, l)
	case tag == "R":
		n, s, _ := strings.Cut(rest, " ")
		count, _ := strconv.Atoi(n)
		tr.batch = append(tr.batch, bytes.Repeat(unquote(tr.t, s), count)...)
		fmt.Fprintln(&tr.out, l)
	case tag == "A":
		tr.flushBatch()
		tr.addAnswer(rest)
		fmt.Fprintln(&tr.out, l)
	case tag == "E" || tag == "W" || tag == "Z" || tag == "F":
		tr.flushBatch()
		fmt.Fprintln(&tr.out, l)
		tr.event(tag)
	}
}

func (tr *transcript) event(tag string) {
	switch tag {
	case "E":
		tr.c.ReceiveEOF()
	case "W":
		tr.c.TimedOut()
	case "Z":
		tr.c.Shutdown()
	case "F":
		tr.tlsFail = true
		return
	}
	tr.drain()
}

func unquote(t *testing.T, s string) []byte {
	u, err := strconv.Unquote(`"` + s + `"`)
	if err != nil {
		t.Fatalf("bad escape %q: %v", s, err)
	}
	return []byte(u)
}

func (tr *transcript) addAnswer(s string) {
	f := strings.SplitN(s, " ", 2)
	hook, rest := f[0], ""
	if len(f) > 1 {
		rest = f[1]
	}
	var a answer
	if ch, ok := strings.CutPrefix(rest, "challenge"); ok {
		a.challenge = []byte(strings.TrimPrefix(ch, " "))
	} else {
		if r, ok := strings.CutPrefix(rest, "close "); ok {
			a.close, rest = true, r
		}
		a.reply = parseReply(tr.t, rest)
	}
	tr.answers[hook] = append(tr.answers[hook], a)
}

func parseReply(t *testing.T, s string) codec.Reply {
	f := strings.SplitN(s, " ", 3)
	code, err := strconv.Atoi(f[0])
	if err != nil || len(f) < 3 {
		t.Fatalf("bad reply %q", s)
	}
	if f[1] == "-" { // no enhanced status code
		f[1] = ""
	}
	return codec.Reply{Code: code, Enhanced: f[1], Text: f[2]}
}

func (tr *transcript) flushBatch() {
	if len(tr.batch) == 0 {
		return
	}
	tr.c.Receive(tr.batch)
	tr.batch = tr.batch[:0]
	tr.drain()
}

// drain runs the core until it needs data or closes, like a driver.
func (tr *transcript) drain() {
	for i := 0; i < 1_000_000; i++ {
		a := tr.c.Next()
		switch a.Kind {
		case ActNeedData:
			tr.flushReplies()
			return
		case ActAsk:
			tr.ask(a.Ask)
		case ActBody:
			tr.bodyChunk(a)
		case ActStartTLS:
			tr.flushReplies()
			tr.starttls()
		case ActClose:
			tr.flushReplies()
			fmt.Fprintf(&tr.out, "X: close %v\n", a.Err)
			return
		}
	}
	tr.t.Fatal("the core did not stop")
}

func (tr *transcript) starttls() {
	if tr.tlsFail {
		fmt.Fprintln(&tr.out, "T: handshake failed")
		tr.c.TLSFailed()
		return
	}
	fmt.Fprintln(&tr.out, "T: handshake done")
	tr.c.TLSEstablished(TLSInfo{})
}

func (tr *transcript) bodyChunk(a Action) {
	if a.Err != nil {
		fmt.Fprintf(&tr.out, "D! abandoned: %v\n", a.Err)
		tr.body, tr.inBody = nil, false
		return
	}
	tr.inBody = true
	tr.body = append(tr.body, a.Data...)
}

func (tr *transcript) ask(a Ask) {
	fmt.Fprintf(&tr.out, "H: %s\n", describeAsk(a))
	if a.Hook == HookDATA && a.Rcpt == 0 {
		fmt.Fprintf(&tr.out, "D: %d bytes %s\n", len(tr.body), quoteBody(tr.body))
		tr.body, tr.inBody = nil, false
	}
	q := tr.answers[a.Hook.String()]
	if len(q) == 0 {
		tr.c.Resolve(Decision{})
		return
	}
	tr.answers[a.Hook.String()] = q[1:]
	tr.c.Resolve(Decision{Reply: q[0].reply, Challenge: q[0].challenge, Close: q[0].close})
}

func describeAsk(a Ask) string {
	s := a.Hook.String()
	switch a.Hook {
	case HookMAIL, HookRCPT:
		s += fmt.Sprintf(" <%s>", a.Path.Mailbox)
		if a.Hook == HookRCPT {
			s += fmt.Sprintf(" #%d", a.Rcpt)
		}
		for i := 0; i < a.Params.Len(); i++ {
			p := a.Params.At(i)
			s += fmt.Sprintf(" %s=%s", p.Key, p.Value)
		}
	case HookDATA:
		s += fmt.Sprintf(" #%d", a.Rcpt)
	case HookAUTH, HookAUTHNext:
		s += fmt.Sprintf(" %s %q", a.Arg, a.Data)
	case HookCommand:
		s += fmt.Sprintf(" %s %q", a.Verb, a.Arg)
	default:
		if len(a.Arg) > 0 {
			s += fmt.Sprintf(" %q", a.Arg)
		}
	}
	return s
}

func quoteBody(b []byte) string {
	if len(b) > 300 {
		return strconv.Quote(string(b[:150])) + "..." + strconv.Quote(string(b[len(b)-100:]))
	}
	return strconv.Quote(string(b))
}

func (tr *transcript) flushReplies() {
	out := tr.c.AppendOutbound(nil)
	for _, l := range strings.SplitAfter(string(out), "\r\n") {
		if l == "" {
			continue
		}
		l = strings.TrimSuffix(l, "\r\n")
		if strconv.CanBackquote(l) {
			fmt.Fprintf(&tr.out, "S: %s\n", l)
		} else {
			fmt.Fprintf(&tr.out, "S: %q\n", l)
		}
	}
}

// parseConfig reads "# config:" keys.
func parseConfig(t *testing.T, s string) Config {
	var c Config
	for _, kv := range strings.Fields(s) {
		k, v, _ := strings.Cut(kv, "=")
		n, _ := strconv.Atoi(v)
		switch k {
		case "lmtp":
			c.LMTP = true
		case "smtputf8":
			c.SMTPUTF8 = true
		case "binarymime":
			c.BinaryMIME = true
		case "tls":
			c.TLSAvailable = true
		case "smtps":
			c.TLSActive = true
		case "requiretls":
			c.RequireTLS = true
		case "auth":
			c.AuthMechanisms = strings.Split(v, ",")
		case "authcleartext":
			c.AuthCleartext = true
		case "authrequired":
			c.AuthRequired = true
		case "maxsize":
			c.MaxMessageSize = int64(n)
		case "maxline":
			c.MaxLineLength = n
		case "maxtext":
			c.MaxTextLine = n
		case "maxrcpt":
			c.MaxRecipients = n
		case "maxerrors":
			c.MaxErrors = n
		case "maxunknown":
			c.MaxUnknown = n
		case "maxjunk":
			c.MaxJunk = n
		case "maxovershoot":
			c.MaxOvershoot = n
		case "maxauthfail":
			c.MaxAuthFailures = n
		case "calllimit":
			c.CallLimit = n
		case "bare":
			c.BareEOL = BareReject
		case "barelf":
			c.BareLF = map[string]LinePolicy{"refuse": LineRefuse, "close": LineClose}[v]
		case "strictpaths":
			c.StrictPaths = true
		case "custom":
			c.Commands = append(c.Commands, CustomCommand{Name: v, Syntax: v + " <argument>"})
		case "nohooks":
			c.Hooks = 1 << HookNone
		case "enable":
			for _, name := range strings.Split(v, ",") {
				e, ok := ExtensionNamed(name)
				if !ok {
					t.Fatalf("unknown extension %q", name)
				}
				c.Enable |= e
			}
		case "xrcptforward":
			c.Extensions = append(c.Extensions, xrcptForward)
		case "mailmax":
			c.CallLimits = map[string]int{"MAIL": n}
		case "xclient":
			c.XClient = map[string]Trust{"granted": TrustGranted, "denied": TrustDenied}[v]
		case "xforward":
			c.XForward = map[string]Trust{"granted": TrustGranted, "denied": TrustDenied}[v]
		case "refuse": // read by runTranscript: RefuseGreeting with this code
		case "nochunking":
			c.Disable |= ExtChunking
		case "noenhanced":
			c.Disable |= ExtEnhancedStatusCodes
		default:
			t.Fatalf("unknown config key %q", k)
		}
	}
	return c
}

// xrcptForward is Dovecot's XRCPTFORWARD as an embedder would declare it: a
// RCPT parameter whose value is base64.
var xrcptForward = ESMTPExtension{EHLO: "XRCPTFORWARD", Rcpt: []ESMTPParam{{
	Keyword: "XRCPTFORWARD", MaxLen: 256,
	Check: func(v []byte) bool { _, err := base64.StdEncoding.DecodeString(string(v)); return err == nil },
}}}
