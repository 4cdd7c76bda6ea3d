package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gosmtpd/gosmtpd/fsm"
)

// options are the command line, parsed.
type options struct {
	help, version, nosetuid, smtputf8, noRequireTLS, lmtp bool
	authRequired, authCleartext                           bool
	debug                                                 int
	class                                                 string
	classArgs                                             []string
	listen                                                string
	listenSet                                             bool // -l was given
	size                                                  int64
	tlscert, tlskey, smtpscert, smtpskey                  string
	unix, hostname, ident, authFile                       string
	timeout, proxyProtocol                                time.Duration
	maxConns, maxConnsPerClient                           int // -1: not given
	clientIPv6Prefix                                      int
	minDataRate                                           int // -1: not given
	proxyTrusted                                          []netip.Prefix
	unixMode                                              fs.FileMode
	enable                                                fsm.Extension // --enable, less binarymime
	binaryMIME                                            bool
	maxRcpts                                              int         // 0: not given
	nats                                                  natsOptions // -c jetstream's flags (jetstream.go)
	ops                                                   opsOptions  // --metrics-listen, --log-format (ops.go)
	relayNetworks                                         []netip.Prefix
	relayDomains                                          []string
	relayInsecure                                         bool
	relayUser                                             string
	xclient, xforward                                     []netip.Prefix
	bareLF                                                fsm.LinePolicy // --bare-lf
	strictEnvelopes                                       bool
}

// defaultSize is aiosmtpd's DATA_SIZE_DEFAULT.
const defaultSize = 33554432

func defaults() *options {
	return &options{class: "debugging", listen: "localhost:8025", size: defaultSize, timeout: 5 * time.Minute,
		maxConns: -1, maxConnsPerClient: -1, minDataRate: -1}
}

// flagKind says what a flag takes.
type flagKind int

const (
	noValue       flagKind = iota // a switch or a counter
	value                         // the next argument, or after "=" / glued to a short name
	optionalValue                 // like value, but absent when the next argument is a flag
)

// flagSpec is one flag: its names, what it takes and what it sets.
type flagSpec struct {
	short, long, arg, help string
	kind                   flagKind
	set                    func(o *options, v string) error
}

// flags are aiosmtpd's, under its names, then gosmtpd's own.
var flags = []flagSpec{
	{short: "h", long: "help", help: "print this help and exit", set: func(o *options, _ string) error { o.help = true; return nil }},
	{short: "v", long: "version", help: "print the version and exit", set: func(o *options, _ string) error { o.version = true; return nil }},
	{short: "n", long: "nosetuid", help: "do not drop to the user nobody when run as root", set: func(o *options, _ string) error { o.nosetuid = true; return nil }},
	{short: "c", long: "class", arg: "HANDLER [ARGS...]", kind: value, help: "the handler: debugging [stdout|stderr], sink, mailbox DIR [raw], proxy HOST PORT, jetstream NATS_URL[,NATS_URL...] SUBJECT (default debugging)",
		set: func(o *options, v string) error { o.class = v; return nil }},
	{short: "s", long: "size", arg: "BYTES", kind: value, help: "maximum message size, 0 for no limit (default 33554432)", set: setSize},
	{short: "u", long: "smtputf8", help: "offer SMTPUTF8 (RFC 6531)", set: func(o *options, _ string) error { o.smtputf8 = true; return nil }},
	{short: "d", long: "debug", help: "more logging; repeat for more (-d: abnormal ends, abandoned transactions; -dd: every command and reply, AUTH secrets hidden; -ddd: each record's source line)", set: func(o *options, _ string) error { o.debug++; return nil }},
	{short: "l", long: "listen", arg: "[HOST][:PORT]", kind: optionalValue, help: "where to listen (default localhost:8025; port 0 picks a free one)",
		set: func(o *options, v string) error { o.listen, o.listenSet = v, true; return nil }},
	{long: "tlscert", arg: "FILE", kind: value, help: "certificate (PEM) for STARTTLS", set: func(o *options, v string) error { o.tlscert = v; return nil }},
	{long: "tlskey", arg: "FILE", kind: value, help: "key (PEM) for STARTTLS", set: func(o *options, v string) error { o.tlskey = v; return nil }},
	{long: "no-requiretls", help: "with --tlscert: accept mail without STARTTLS", set: func(o *options, _ string) error { o.noRequireTLS = true; return nil }},
	{long: "smtpscert", arg: "FILE", kind: value, help: "certificate (PEM) for SMTPS (implicit TLS)", set: func(o *options, v string) error { o.smtpscert = v; return nil }},
	{long: "smtpskey", arg: "FILE", kind: value, help: "key (PEM) for SMTPS", set: func(o *options, v string) error { o.smtpskey = v; return nil }},
	{long: "lmtp", help: "speak LMTP (RFC 2033) instead of SMTP", set: func(o *options, _ string) error { o.lmtp = true; return nil }},
	{long: "unix", arg: "PATH", kind: value, help: "listen on a Unix socket (instead of TCP, unless -l is given too)", set: func(o *options, v string) error { o.unix = v; return nil }},
	{long: "unix-mode", arg: "MODE", kind: value, help: "with --unix: the socket file's mode, in octal, e.g. 660 for a group of delivery agents (default: from the umask)",
		set: unixModeFlag},
	{long: "hostname", arg: "NAME", kind: value, help: "the name in the greeting and replies (default: this host's)", set: func(o *options, v string) error { o.hostname = v; return nil }},
	{long: "ident", arg: "TEXT", kind: value, help: "greeting text after the host name", set: func(o *options, v string) error { o.ident = v; return nil }},
	{long: "timeout", arg: "DURATION", kind: value, help: "how long to wait for a command, or for the next bytes of a message (default 5m; 3m at most for a message)",
		set: durationFlag(func(o *options) *time.Duration { return &o.timeout })},
	{long: "min-data-rate", arg: "BYTES", kind: value, help: "bytes a second a message must arrive at, beyond the first --timeout; 0 for no minimum (default 500)",
		set: countFlag(func(o *options) *int { return &o.minDataRate })},
	{long: "max-conns", arg: "N", kind: value, help: "sessions served at once; more get 421, 0 for no limit (default: half the open file limit less 64)",
		set: countFlag(func(o *options) *int { return &o.maxConns })},
	{long: "max-conns-per-client", arg: "N", kind: value, help: "sessions of one client at once; more get 421, 0 for no limit (default 50)",
		set: countFlag(func(o *options) *int { return &o.maxConnsPerClient })},
	{long: "client-ipv6-prefix", arg: "BITS", kind: value, help: "IPv6 clients sharing this many leading bits count as one client (default 64)",
		set: ipv6PrefixFlag},
	{long: "proxy-protocol", arg: "DURATION", kind: value, help: "expect a PROXY protocol header (v1 or v2) within DURATION from the trusted peers",
		set: durationFlag(func(o *options) *time.Duration { return &o.proxyProtocol })},
	{long: "proxy-trusted", arg: "CIDR[,CIDR...]", kind: value, help: "with --proxy-protocol: the peers whose headers are read (default 127.0.0.0/8,::1); others are served as themselves",
		set: proxyTrustedFlag},
	{long: "auth-file", arg: "FILE", kind: value, help: "offer AUTH PLAIN and LOGIN against an htpasswd file of bcrypt hashes (htpasswd -B)",
		set: func(o *options, v string) error { o.authFile = v; return nil }},
	{long: "auth-required", help: "refuse mail before AUTH", set: func(o *options, _ string) error { o.authRequired = true; return nil }},
	{long: "auth-cleartext", help: "offer AUTH without TLS too", set: func(o *options, _ string) error { o.authCleartext = true; return nil }},
	{long: "bare-lf", arg: "POLICY", kind: value, help: "a command line ended by a bare LF: normalize (taken as CRLF, Postfix 3.9's default), refuse (500, the session goes on) or close (521 and close); a message ends only at CRLF.CRLF whatever this says",
		set: bareLFFlag},
	{long: "strict-envelopes", help: "refuse MAIL FROM and RCPT TO addresses without <angle brackets> (Postfix's strict_rfc821_envelopes)",
		set: func(o *options, _ string) error { o.strictEnvelopes = true; return nil }},
	{long: "enable", arg: "EXT[,EXT...]", kind: value, help: "offer extensions that are off by default: dsn, requiretls, limits, rrvs, deliverby, mt-priority, binarymime (dsn promises delivery status notifications: the handler must send them)",
		set: enableFlag},
	{long: "max-rcpts", arg: "N", kind: value, help: "recipients per message; more get 452, and LIMITS RCPTMAX says N (default 1000)", set: maxRcptsFlag},
	{long: "relay-networks", arg: "CIDR[,CIDR...]", kind: value, help: "with -c proxy: clients relayed for to any domain (default: loopback only)",
		set: prefixesFlag(func(o *options) *[]netip.Prefix { return &o.relayNetworks })},
	{long: "xclient", arg: "CIDR[,CIDR...]", kind: value, help: "clients trusted with Postfix's XCLIENT (a proxy in front); others get 550",
		set: prefixesFlag(func(o *options) *[]netip.Prefix { return &o.xclient })},
	{long: "xforward", arg: "CIDR[,CIDR...]", kind: value, help: "clients trusted with Postfix's XFORWARD (a content filter); others get 550",
		set: prefixesFlag(func(o *options) *[]netip.Prefix { return &o.xforward })},
	{long: "relay-domains", arg: "DOMAIN[,DOMAIN...]", kind: value, help: "with -c proxy: recipient domains relayed for anyone (.example.com: its subdomains)",
		set: func(o *options, v string) error { o.relayDomains = strings.Split(v, ","); return nil }},
	{long: "relay-user", arg: "USER", kind: value, help: "with -c proxy: AUTH PLAIN to the upstream as USER, the password from $GOSMTPD_RELAY_PASSWORD (over TLS or loopback only)",
		set: func(o *options, v string) error { o.relayUser = v; return nil }},
	{long: "relay-tls-insecure", help: "with -c proxy: accept any certificate from the upstream's STARTTLS (default: checked)",
		set: func(o *options, _ string) error { o.relayInsecure = true; return nil }},
}

// bareLFFlag reads --bare-lf's policy.
func bareLFFlag(o *options, v string) error {
	policies := map[string]fsm.LinePolicy{"normalize": fsm.LineNormalize, "refuse": fsm.LineRefuse, "close": fsm.LineClose}
	p, ok := policies[v]
	if !ok {
		return fmt.Errorf("--bare-lf %q: want normalize, refuse or close", v)
	}
	o.bareLF = p
	return nil
}

// prefixesFlag reads a list of networks: CIDR prefixes, or single
// addresses, comma-separated, into the field field returns.
func prefixesFlag(field func(*options) *[]netip.Prefix) func(*options, string) error {
	return func(o *options, v string) error {
		for _, s := range strings.Split(v, ",") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				a, aerr := netip.ParseAddr(s)
				if aerr != nil {
					return fmt.Errorf("not a network: %q", s)
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			*field(o) = append(*field(o), p.Masked())
		}
		return nil
	}
}

// enableFlag reads --enable: a comma-separated list of extensions, each a
// name fsm.ExtensionNamed knows or binarymime (a Server field of its own).
func enableFlag(o *options, v string) error {
	for _, name := range strings.Split(v, ",") {
		if strings.EqualFold(name, "binarymime") {
			o.binaryMIME = true
			continue
		}
		e, ok := fsm.ExtensionNamed(name)
		if !ok || e < fsm.ExtDSN {
			return fmt.Errorf("unknown extension %q (dsn, requiretls, limits, rrvs, deliverby, mt-priority, binarymime)", name)
		}
		o.enable |= e
	}
	return nil
}

// maxRcptsFlag reads --max-rcpts: a positive count, which LIMITS then
// advertises (RFC 9422), so that a client splits a larger transaction
// instead of having recipients refused.
func maxRcptsFlag(o *options, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return errors.New("not a positive count")
	}
	o.maxRcpts = n
	o.enable |= fsm.ExtLimits
	return nil
}

// setSize parses -s: a byte count.
func setSize(o *options, v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return errors.New("not a byte count")
	}
	o.size = n
	return nil
}

// countFlag sets the count field of the options that field returns.
func countFlag(field func(*options) *int) func(*options, string) error {
	return func(o *options, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return errors.New("not a count")
		}
		*field(o) = n
		return nil
	}
}

// proxyTrustedFlag reads --proxy-trusted: networks, or addresses alone.
func proxyTrustedFlag(o *options, v string) error {
	for _, s := range strings.Split(v, ",") {
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		if err != nil {
			a, aerr := netip.ParseAddr(strings.TrimSpace(s))
			if aerr != nil {
				return fmt.Errorf("%q is not a network (say 10.0.0.0/8) or an address", s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		o.proxyTrusted = append(o.proxyTrusted, p.Masked())
	}
	return nil
}

// ipv6PrefixFlag reads --client-ipv6-prefix: a prefix length.
func ipv6PrefixFlag(o *options, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 128 {
		return errors.New("not an IPv6 prefix length, from 1 to 128")
	}
	o.clientIPv6Prefix = n
	return nil
}

// unixModeFlag reads --unix-mode: permission bits in octal, as chmod
// takes them.
func unixModeFlag(o *options, v string) error {
	m, err := strconv.ParseUint(v, 8, 32)
	if err != nil || m == 0 || m > 0o777 {
		return errors.New("not a file mode in octal, from 1 to 777 (say 660)")
	}
	o.unixMode = fs.FileMode(m)
	return nil
}

func durationFlag(field func(o *options) *time.Duration) func(o *options, v string) error {
	return func(o *options, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return errors.New("not a positive duration (say 30s, 5m)")
		}
		*field(o) = d
		return nil
	}
}

// usageError is a mistake on the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// parseArgs parses the command line as aiosmtpd's argparse does: flags
// and the handler's arguments may come in any order, the handler's
// arguments in one run ("-c mailbox DIR -l :2525"), short switches may be
// grouped ("-nd"), values may follow "=" or be glued to a short name, and
// "--" ends the flags.
func parseArgs(args []string) (*options, error) {
	o := defaults()
	p := &argParser{o: o, args: args}
	for p.i < len(p.args) {
		if err := p.next(); err != nil {
			return nil, err
		}
	}
	if o.proxyTrusted != nil && o.proxyProtocol == 0 {
		return nil, usagef("--proxy-trusted needs --proxy-protocol DURATION")
	}
	if o.unixMode != 0 && o.unix == "" {
		return nil, usagef("--unix-mode needs --unix PATH")
	}
	return o, nil
}

type argParser struct {
	o           *options
	args        []string
	i           int
	positionals int // 0: none yet, 1: in their run, 2: run ended by a flag
}

func (p *argParser) next() error {
	arg := p.args[p.i]
	p.i++
	switch {
	case arg == "--":
		for _, a := range p.args[p.i:] {
			if err := p.positional(a); err != nil {
				return err
			}
		}
		p.i = len(p.args)
		return nil
	case strings.HasPrefix(arg, "--"):
		p.endPositionals()
		return p.long(arg[2:])
	case len(arg) > 1 && arg[0] == '-':
		p.endPositionals()
		return p.shorts(arg[1:])
	}
	return p.positional(arg)
}

func (p *argParser) endPositionals() {
	if p.positionals == 1 {
		p.positionals = 2
	}
}

func (p *argParser) positional(a string) error {
	if p.positionals == 2 {
		return usagef("unexpected argument %q (the handler's arguments go together, after -c HANDLER)", a)
	}
	p.positionals = 1
	p.o.classArgs = append(p.o.classArgs, a)
	return nil
}

func (p *argParser) long(arg string) error {
	name, v, hasValue := strings.Cut(arg, "=")
	f := lookup(func(f *flagSpec) bool { return f.long == name })
	if f == nil {
		return usagef("unknown flag --%s", name)
	}
	if f.kind == noValue && hasValue {
		return usagef("flag --%s takes no value", name)
	}
	return p.apply(f, "--"+name, v, hasValue)
}

// shorts handles a group of short flags: "-nd", "-l:2525", "-s 100".
func (p *argParser) shorts(group string) error {
	for j := 0; j < len(group); j++ {
		name := group[j : j+1]
		f := lookup(func(f *flagSpec) bool { return f.short == name })
		if f == nil {
			return usagef("unknown flag -%s", name)
		}
		if f.kind != noValue {
			rest := group[j+1:]
			return p.apply(f, "-"+name, rest, rest != "")
		}
		if err := f.set(p.o, ""); err != nil {
			return usagef("-%s: %v", name, err)
		}
	}
	return nil
}

// apply sets f, taking its value from the next argument when it was not
// given inline.
func (p *argParser) apply(f *flagSpec, name, v string, hasValue bool) error {
	if !hasValue && f.kind != noValue {
		next, ok := p.peek()
		switch {
		case ok && (f.kind == value || !strings.HasPrefix(next, "-")):
			v = next
			p.i++
		case f.kind == value:
			return usagef("flag %s needs a value: %s", name, f.arg)
		default:
			v = defaults().listen
		}
	}
	if err := f.set(p.o, v); err != nil {
		return usagef("%s %q: %v", name, v, err)
	}
	return nil
}

func (p *argParser) peek() (string, bool) {
	if p.i < len(p.args) {
		return p.args[p.i], true
	}
	return "", false
}

func lookup(match func(*flagSpec) bool) *flagSpec {
	for i := range flags {
		if match(&flags[i]) {
			return &flags[i]
		}
	}
	return nil
}

// usage is the help text.
func usage() string {
	var b strings.Builder
	b.WriteString("usage: gosmtpd [flags] [-c HANDLER [ARGS...]]\n\nAn SMTP and LMTP server; aiosmtpd's flags under the same names.\n\n")
	for _, f := range flags {
		names := "--" + f.long
		if f.short != "" {
			names = "-" + f.short + ", " + names
		}
		if f.arg != "" {
			names += " " + f.arg
		}
		fmt.Fprintf(&b, "  %s\n        %s\n", names, f.help)
	}
	return b.String()
}
