package fsm

import (
	"strconv"
	"strings"
	"time"

	"github.com/gosmtpd/gosmtpd/codec"
)

// settings is a Config with its defaults applied: limits, policies and what
// is offered. It is compiled once per server (Compile) and shared, read
// only, by the server's sessions; what differs between sessions (TLS at the
// start, the peer's trust, trace and report functions) is the Conn's own.
type settings struct {
	hostname, ident                                         string
	lmtp, smtputf8, binary, enhanced, tlsAvailable          bool
	requireTLS, authCleartext, authRequired, bareReject     bool
	strictPaths                                             bool
	bareLF                                                  LinePolicy
	maxSize                                                 int64
	maxLine, maxTextLine, maxRcpts, maxErrors, maxAuthFails int
	maxUnknown, maxAuthLine, readBuffer, mailExtra          int
	maxJunk, maxOvershoot                                   int
	rcptExtra                                               int
	callLimits                                              [codec.NumVerbs]int
	commandTimeout, dataTimeout                             time.Duration
	disable                                                 Extension
	mechanisms                                              []string
	commands                                                []CustomCommand
	hooks                                                   HookSet
	ext                                                     compiledExtensions
	buffers                                                 BufferPool
}

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// orUnlimited turns the "<0 means unlimited" convention into 0 for unlimited.
func orUnlimited[T int | int64](v T) T { return max(v, 0) }

func newSettings(cfg *Config) settings {
	l := settings{
		hostname:       orString(cfg.Hostname, DefaultHostname),
		ident:          orString(cfg.Ident, "gosmtpd"),
		lmtp:           cfg.LMTP,
		smtputf8:       cfg.SMTPUTF8,
		binary:         cfg.BinaryMIME && cfg.Disable&ExtChunking == 0,
		enhanced:       cfg.Disable&ExtEnhancedStatusCodes == 0,
		tlsAvailable:   cfg.TLSAvailable,
		requireTLS:     cfg.RequireTLS,
		authCleartext:  cfg.AuthCleartext,
		authRequired:   cfg.AuthRequired,
		bareReject:     cfg.BareEOL == BareReject,
		bareLF:         cfg.BareLF,
		strictPaths:    cfg.StrictPaths,
		maxSize:        orUnlimited(orDefault(cfg.MaxMessageSize, 32<<20)),
		maxLine:        orDefault(cfg.MaxLineLength, 512),
		maxTextLine:    orUnlimited(orDefault(cfg.MaxTextLine, 998+2)),
		maxRcpts:       orDefault(cfg.MaxRecipients, 1000),
		maxErrors:      orUnlimited(orDefault(cfg.MaxErrors, 20)),
		maxUnknown:     orUnlimited(orDefault(cfg.MaxUnknown, 5)),
		maxJunk:        orUnlimited(orDefault(cfg.MaxJunk, 100)),
		maxOvershoot:   orUnlimited(orDefault(cfg.MaxOvershoot, 1000)),
		maxAuthFails:   orUnlimited(orDefault(cfg.MaxAuthFailures, 3)),
		maxAuthLine:    orDefault(cfg.MaxAuthLine, 12288),
		readBuffer:     orDefault(cfg.ReadBufferSize, 8192),
		commandTimeout: orDefault(cfg.CommandTimeout, 5*time.Minute),
		disable:        cfg.Disable,
		commands:       cfg.Commands,
		hooks:          cfg.Hooks,
		buffers:        cfg.Buffers,
	}
	// a body block is waited for no longer than a command
	l.dataTimeout = orDefault(cfg.DataTimeout, min(l.commandTimeout, 3*time.Minute))
	if l.hooks == 0 {
		l.hooks = AllHooks
	}
	for _, m := range cfg.AuthMechanisms {
		l.mechanisms = append(l.mechanisms, strings.ToUpper(m))
	}
	l.maxAuthLine = max(l.maxAuthLine, l.maxLine)
	for v := codec.VerbHELO; v < codec.NumVerbs; v++ {
		l.callLimits[v] = callLimit(cfg, v.String())
	}
	l.callLimits[codec.VerbUnknown] = callLimit(cfg, "*")
	l.ext = compileExtensions(cfg, &l)
	l.mailExtra, l.rcptExtra = l.ext.mail.extra(), l.ext.rcpt.extra()
	return l
}

func callLimit(cfg *Config, name string) int {
	if n, ok := cfg.CallLimits[name]; ok {
		return n
	}
	if n, ok := cfg.CallLimits["*"]; ok {
		return n
	}
	return cfg.CallLimit
}

func orString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// offers reports whether extension e is advertised.
func (l *settings) offers(e Extension) bool { return l.disable&e == 0 }

// authOffered reports whether AUTH is advertised on a connection whose TLS
// state is tls: by default only under TLS (RFC 4954 §4, aiosmtpd's
// auth_require_tls), at once under SMTPS.
func (l *settings) authOffered(tls bool) bool {
	return len(l.mechanisms) > 0 && (tls || l.authCleartext)
}

func newHostReplies(l *settings) hostReplies {
	h := l.hostname
	return hostReplies{
		greeting:       codec.Reply{Code: 220, Text: h + " " + l.ident},
		helo:           codec.Reply{Code: 250, Text: h},
		timeout:        r(421, "4.4.2", h+" Error: timeout exceeded"),
		tooManyErrors:  r(421, "4.7.0", h+" Error: too many errors"),
		tooManyUnknown: r(421, "4.7.0", h+" Error: too many unrecognized commands"),
		shutdown:       r(421, "4.3.2", h+" Service shutting down"),
		authFailures:   r(421, "4.7.0", h+" Error: too many failed authentications"),
		ehlo:           ehloReplies(l),
	}
}

// ehloReplies are the EHLO replies for every TLS state and trust in the
// peer (XCLIENT, XFORWARD), built once.
func ehloReplies(l *settings) (r [2][2][2]codec.Reply) {
	for i, tls := range []bool{false, true} {
		for j, xclient := range []bool{false, true} {
			for k, xforward := range []bool{false, true} {
				r[i][j][k] = ehloReply(l, tls, xclient, xforward)
			}
		}
	}
	return r
}

// lastWords is the reply that ends a session aborted for cause.
func (h *hostReplies) lastWords(cause error) codec.Reply {
	if cause == ErrTimeout {
		return h.timeout
	}
	return h.shutdown
}

// ehloReply builds the capability list for a TLS state (RFC 5321 §4.1.1.1).
func ehloReply(l *settings, tls, xclient, xforward bool) codec.Reply {
	var more []string
	add := func(ok bool, line string) {
		if ok {
			more = append(more, line)
		}
	}
	add(l.offers(ExtSize), "SIZE "+strconv.FormatInt(l.maxSize, 10))
	add(l.offers(Ext8BitMIME), "8BITMIME")
	add(l.smtputf8, "SMTPUTF8")
	add(l.offers(ExtPipelining), "PIPELINING")
	add(l.offers(ExtEnhancedStatusCodes), "ENHANCEDSTATUSCODES")
	add(l.offers(ExtChunking), "CHUNKING")
	add(l.binary, "BINARYMIME")
	if tls {
		more = append(more, l.ext.ehloTLS...)
	} else {
		more = append(more, l.ext.ehlo...)
	}
	add(xclient, ehloXCLIENT)
	add(xforward, ehloXFORWARD)
	add(l.tlsAvailable && !tls, "STARTTLS")
	add(l.authOffered(tls), "AUTH "+strings.Join(l.mechanisms, " "))
	add(l.offers(ExtHelp), "HELP")
	return codec.Reply{Code: 250, Text: l.hostname, More: more}
}
