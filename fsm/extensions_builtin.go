package fsm

// Rules of this file: the extensions the core knows, declared as data. The
// core's own parameters (SIZE, BODY, SMTPUTF8, AUTH) are always checked;
// DSN, REQUIRETLS, LIMITS, RRVS, DELIVERBY and MT-PRIORITY are off unless
// Config.Enable names them: offering DSN promises the DSNs, and the others
// promise handling that only the embedder can give.

import (
	"strings"

	"github.com/gosmtpd/gosmtpd/codec"
)

// Extensions off by default, for Config.Enable.
const (
	ExtDSN        Extension = 1 << (iota + 8) // RFC 3461: RET, ENVID on MAIL; NOTIFY, ORCPT on RCPT
	ExtRequireTLS                             // RFC 8689: REQUIRETLS on MAIL, offered only under TLS
	ExtLimits                                 // RFC 9422: LIMITS RCPTMAX (and MAILMAX) from the limits in force
	ExtRRVS                                   // RFC 7293: RRVS on RCPT
	ExtDeliverBy                              // RFC 2852: BY on MAIL
	ExtMTPriority                             // RFC 6710: MT-PRIORITY on MAIL
)

// extensionNames are the names ExtensionNamed knows, as a command line
// spells them.
var extensionNames = map[string]Extension{
	"dsn": ExtDSN, "requiretls": ExtRequireTLS, "limits": ExtLimits, "rrvs": ExtRRVS,
	"deliverby": ExtDeliverBy, "mt-priority": ExtMTPriority,
	"pipelining": ExtPipelining, "8bitmime": Ext8BitMIME, "enhancedstatuscodes": ExtEnhancedStatusCodes,
	"chunking": ExtChunking, "help": ExtHelp, "size": ExtSize,
}

// ExtensionNamed returns the extension an EHLO keyword names, in any case
// ("dsn", "MT-PRIORITY"), for a command line or a configuration file.
func ExtensionNamed(name string) (Extension, bool) {
	e, ok := extensionNames[strings.ToLower(name)]
	return e, ok
}

// coreMailParams are MAIL's parameters that the core acts on itself.
func coreMailParams(l *settings) paramTable {
	body := paramRule{keyword: "BODY", extra: lineExtra("BODY", ValueRequired, len("BINARYMIME")), check: (*Conn).bodyParam, bad: replyBadBody}
	if l.binary {
		body.bad = replyBadBodyBinary
	}
	t := paramTable{body}
	if l.offers(ExtSize) {
		t = append(t, paramRule{keyword: "SIZE", extra: lineExtra("SIZE", ValueRequired, 20), check: (*Conn).sizeParam, bad: replyBadSize})
	}
	if l.smtputf8 {
		t = append(t, paramRule{keyword: "SMTPUTF8", value: ValueNone, extra: 10 /* RFC 6531 §3.4 */, check: (*Conn).utf8Param, bad: replySMTPUTF8Value})
	}
	if len(l.mechanisms) > 0 {
		// " AUTH=" and a mailbox in xtext, 500 in all (RFC 4954 §5); its
		// decoding is the hooks layer's.
		t = append(t, paramRule{keyword: "AUTH", extra: 500, bad: replyBadParams})
	}
	return t
}

// builtinExtensions are the extensions cfg.Enable turns on.
func builtinExtensions(cfg *Config, l *settings) []ESMTPExtension {
	var out []ESMTPExtension
	add := func(e Extension, x ESMTPExtension) {
		if cfg.Enable&e != 0 {
			out = append(out, x)
		}
	}
	add(ExtDSN, ESMTPExtension{EHLO: "DSN",
		Mail: []ESMTPParam{
			{Keyword: "RET", MaxLen: 4, Check: codec.IsRET},
			{Keyword: "ENVID", MaxLen: codec.MaxENVID, Check: codec.IsENVID},
		},
		Rcpt: []ESMTPParam{
			{Keyword: "NOTIFY", MaxLen: len("SUCCESS,FAILURE,DELAY"), Check: isNotify},
			{Keyword: "ORCPT", MaxLen: codec.MaxORCPT, core: (*Conn).orcptParam},
		}})
	add(ExtDeliverBy, ESMTPExtension{EHLO: "DELIVERBY",
		Mail: []ESMTPParam{{Keyword: "BY", MaxLen: 13, Check: isDeliverBy}}})
	add(ExtMTPriority, ESMTPExtension{EHLO: "MT-PRIORITY",
		Mail: []ESMTPParam{{Keyword: "MT-PRIORITY", MaxLen: 2, Check: isMTPriority}}})
	add(ExtRRVS, ESMTPExtension{EHLO: "RRVS",
		Rcpt: []ESMTPParam{{Keyword: "RRVS", MaxLen: 40, Check: isRRVS}}})
	add(ExtRequireTLS, ESMTPExtension{EHLO: "REQUIRETLS", TLSOnly: true,
		Mail: []ESMTPParam{{Keyword: "REQUIRETLS", Value: ValueNone}}})
	add(ExtLimits, ESMTPExtension{EHLO: limitsLine(l)})
	return out
}

func isNotify(v []byte) bool     { _, ok := codec.ParseNotify(v); return ok }
func isDeliverBy(v []byte) bool  { _, ok := codec.ParseDeliverBy(v); return ok }
func isMTPriority(v []byte) bool { _, ok := codec.ParseMTPriority(v); return ok }
func isRRVS(v []byte) bool       { _, _, ok := codec.ParseRRVS(v); return ok }

// orcptParam checks ORCPT with what the transaction allows: RFC 6533's
// unitext form only when MAIL carried SMTPUTF8.
func (c *Conn) orcptParam(v []byte) (codec.Reply, bool) {
	_, _, ok := codec.SplitORCPT(v, c.txn.utf8)
	return replyBadORCPT, !ok
}

func (c *Conn) sizeParam(v []byte) (codec.Reply, bool) {
	n, ok := codec.ParseSize(v)
	switch {
	case !ok:
		return replyBadSize, true
	case c.cfg.maxSize > 0 && n > c.cfg.maxSize:
		return replyTooBig, true
	}
	return codec.Reply{}, false
}

func (c *Conn) utf8Param([]byte) (codec.Reply, bool) {
	c.txn.utf8 = true
	return codec.Reply{}, false
}

func (c *Conn) bodyParam(v []byte) (codec.Reply, bool) {
	switch {
	case codec.EqualFold(v, "7BIT"):
	case codec.EqualFold(v, "8BITMIME") && c.cfg.offers(Ext8BitMIME):
	case codec.EqualFold(v, "BINARYMIME") && c.cfg.binary:
		c.txn.binary = true
	default:
		if c.cfg.binary {
			return replyBadBodyBinary, true
		}
		return replyBadBody, true
	}
	return codec.Reply{}, false
}
