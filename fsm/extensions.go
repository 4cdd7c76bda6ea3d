package fsm

// Rules of this file: ESMTP extensions as data. An extension is the EHLO
// line that offers it and the MAIL and RCPT parameters it brings, each with
// its syntax check. The core's own (SIZE, BODY, SMTPUTF8, AUTH), the ones a
// Config enables (DSN, REQUIRETLS, ...) and an embedder's are declared
// alike and compiled into one parameter table per command; mail.go looks
// each parameter up there. A parameter no offered extension declares is
// 555 (RFC 5321 §4.1.1.11); one given twice, or without the value its
// declaration wants, is 501.

import (
	"strconv"
	"strings"

	"github.com/gosmtpd/gosmtpd/codec"
)

// ESMTPExtension declares an SMTP service extension (RFC 5321 §2.2): the
// EHLO line that offers it and the MAIL and RCPT parameters it brings. The
// core offers it after EHLO or LHLO, accepts its parameters once each after
// their syntax check, and passes them to the MAIL and RCPT hooks with the
// others. What they mean is the handler's affair.
type ESMTPExtension struct {
	// EHLO is the line that offers the extension: its keyword, then its
	// parameters if any ("XRCPTFORWARD", "DELIVERBY 240"). Empty: not
	// listed (for parameters an extension listed elsewhere brings).
	EHLO string
	// TLSOnly offers the extension, and accepts its parameters, only
	// under TLS (REQUIRETLS, RFC 8689 §4).
	TLSOnly bool
	Mail    []ESMTPParam // MAIL FROM parameters
	Rcpt    []ESMTPParam // RCPT TO parameters
}

// ValueUse says whether an ESMTP parameter takes a value (KEY=value) or is
// a bare keyword.
type ValueUse uint8

const (
	ValueRequired ValueUse = iota // KEY=value
	ValueNone                     // KEY alone
	ValueOptional                 // either
)

// ESMTPParam declares one MAIL or RCPT parameter.
type ESMTPParam struct {
	Keyword string   // matched in any case
	Value   ValueUse // whether a value must, may or must not follow
	// MaxLen is the longest value: a MAIL or RCPT line may be longer than
	// Config.MaxLineLength by " KEYWORD=" and MaxLen (RFC 5321 §4.5.3.1.4
	// asks servers to allow for the extensions they offer). A longer value
	// is 501. 0: no limit of its own, and no allowance.
	MaxLen int
	// Check, when set, is the value's syntax check (nil for a bare
	// keyword); false is 501. The value is already a valid esmtp-value
	// (RFC 5321 §4.1.2) and valid during the call only. It runs inside the
	// protocol core: it must be quick and must not block.
	Check func(value []byte) bool

	core func(c *Conn, v []byte) (codec.Reply, bool) // a built-in check that needs the session
}

// paramRule is a compiled ESMTPParam: the core's own carry a check that may
// note what it found in the transaction.
type paramRule struct {
	keyword string
	value   ValueUse
	maxLen  int // 0: no limit of its own
	extra   int // what it adds to the line limit
	tlsOnly bool
	check   func(c *Conn, v []byte) (codec.Reply, bool) // nil: any value; true: refused with the reply
	bad     codec.Reply                                 // the reply for a missing, unwanted or too long value
}

// paramTable holds the parameters of one command, in declaration order.
type paramTable []paramRule

// find returns the index of the rule for key, or -1.
func (t paramTable) find(key []byte) int {
	for i := range t {
		if codec.EqualFold(key, t[i].keyword) {
			return i
		}
	}
	return -1
}

// extra is how much longer than MaxLineLength the command's line may be.
func (t paramTable) extra() int {
	n := 0
	for _, r := range t {
		n += r.extra
	}
	return n
}

// lineExtra is what a parameter adds to the longest line: " KEYWORD" for a
// bare keyword, " KEYWORD=" and the longest value otherwise.
func lineExtra(keyword string, v ValueUse, maxLen int) int {
	switch {
	case v == ValueNone:
		return 1 + len(keyword)
	case maxLen > 0:
		return 2 + len(keyword) + maxLen
	}
	return 0
}

// compiledExtensions is what the Config's extensions become: the EHLO lines
// (without and with TLS) and the parameter tables.
type compiledExtensions struct {
	ehlo, ehloTLS []string
	mail, rcpt    paramTable
}

// compileExtensions gathers the core's parameters, the built-in extensions
// the Config enables and the embedder's, in that order.
func compileExtensions(cfg *Config, l *settings) compiledExtensions {
	var x compiledExtensions
	x.mail = coreMailParams(l)
	for _, e := range builtinExtensions(cfg, l) {
		x.add(e)
	}
	for _, e := range cfg.Extensions {
		x.add(e)
	}
	return x
}

// add compiles one extension.
func (x *compiledExtensions) add(e ESMTPExtension) {
	if e.EHLO != "" {
		if !e.TLSOnly {
			x.ehlo = append(x.ehlo, e.EHLO)
		}
		x.ehloTLS = append(x.ehloTLS, e.EHLO)
	}
	for _, p := range e.Mail {
		x.mail = append(x.mail, compileParam(p, e.TLSOnly))
	}
	for _, p := range e.Rcpt {
		x.rcpt = append(x.rcpt, compileParam(p, e.TLSOnly))
	}
}

func compileParam(p ESMTPParam, tlsOnly bool) paramRule {
	kw := strings.ToUpper(p.Keyword)
	bad := r(501, "5.5.4", "Error: malformed "+kw+" parameter")
	rule := paramRule{keyword: kw, value: p.Value, maxLen: p.MaxLen, extra: lineExtra(kw, p.Value, p.MaxLen), tlsOnly: tlsOnly, bad: bad}
	switch check := p.Check; {
	case p.core != nil:
		rule.check = p.core
	case check != nil:
		rule.check = func(_ *Conn, v []byte) (codec.Reply, bool) { return bad, !check(v) }
	}
	return rule
}

// checkParams checks each of p's parameters against table t: unknown ones
// (or TLS-only ones before TLS) get unknown, a repeated one or a malformed
// value 501. A rule's check may note what it found in c.txn.
func (c *Conn) checkParams(p *codec.Params, t paramTable, unknown codec.Reply) (codec.Reply, bool) {
	var seen uint64
	for i := 0; i < p.Len(); i++ {
		kv := p.At(i)
		n := t.find(kv.Key)
		if n < 0 || t[n].tlsOnly && !c.tls {
			return unknown, true
		}
		if n < 64 {
			if seen&(1<<n) != 0 {
				return replyDuplicateParam, true
			}
			seen |= 1 << n
		}
		if rep, bad := c.checkParam(&t[n], kv.Value); bad {
			return rep, true
		}
	}
	return codec.Reply{}, false
}

func (c *Conn) checkParam(rule *paramRule, v []byte) (codec.Reply, bool) {
	switch {
	case rule.value == ValueRequired && v == nil,
		rule.value == ValueNone && v != nil,
		rule.maxLen > 0 && len(v) > rule.maxLen:
		return rule.bad, true
	case rule.check == nil || v == nil && rule.value != ValueNone:
		return codec.Reply{}, false
	}
	return rule.check(c, v)
}

// limitsLine is RFC 9422's LIMITS line from the limits in force: RCPTMAX
// always, MAILMAX when MAIL has a per-session call limit.
func limitsLine(l *settings) string {
	s := "LIMITS RCPTMAX=" + strconv.Itoa(l.maxRcpts)
	if n := l.callLimits[codec.VerbMAIL]; n > 0 {
		s += " MAILMAX=" + strconv.Itoa(n)
	}
	return s
}
