package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/fsm"
	"github.com/gosmtpd/gosmtpd/handlers"
	"github.com/gosmtpd/gosmtpd/transport"
)

// newServer builds the server the options describe, the TLS configuration
// of SMTPS when asked for, and the certificates they serve (read again on
// SIGHUP). Every file named is read here, before any socket is opened, so
// that a missing one is reported first.
func newServer(o *options, stdout, stderr io.Writer) (*gosmtpd.Server, *tls.Config, certificates, error) {
	h, err := handler(o, stdout, stderr)
	if err != nil {
		return nil, nil, nil, err
	}
	srv := &gosmtpd.Server{Handler: h, Hostname: o.hostname, Ident: o.ident, LMTP: o.lmtp,
		SMTPUTF8: o.smtputf8, Timeout: o.timeout, MaxMessageSize: o.size,
		Enable: o.enable, BinaryMIME: o.binaryMIME, MaxRecipients: o.maxRcpts,
		XClientNetworks: o.xclient, XForwardNetworks: o.xforward,
		MaxConnections: serverLimit(o.maxConns), MaxConnectionsPerClient: serverLimit(o.maxConnsPerClient),
		ClientIPv6Prefix: o.clientIPv6Prefix, MinDataRate: serverLimit(o.minDataRate), Logger: logger(o, stderr)}
	if o.size == 0 {
		srv.MaxMessageSize = -1 // aiosmtpd: 0 is no limit
	}
	if o.bareLF != fsm.LineNormalize || o.strictEnvelopes {
		srv.Core = &fsm.Config{BareLF: o.bareLF, StrictPaths: o.strictEnvelopes}
	}
	if o.proxyProtocol > 0 {
		srv.Proxy = &transport.ProxyOptions{Timeout: o.proxyProtocol, Trusted: trusting(o.proxyTrusted)}
	}
	var certs certificates
	if srv.TLSConfig, err = certs.load("--tlscert", "--tlskey", o.tlscert, o.tlskey); err != nil {
		return nil, nil, nil, err
	}
	srv.RequireTLS = srv.TLSConfig != nil && !o.noRequireTLS
	smtps, err := certs.load("--smtpscert", "--smtpskey", o.smtpscert, o.smtpskey)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := setAuth(srv, o, smtps != nil); err != nil {
		return nil, nil, nil, err
	}
	if o.authFile != "" && srv.TLSConfig == nil && smtps == nil && !o.authCleartext {
		fmt.Fprintln(stderr, "gosmtpd: warning: --auth-file without TLS (--tlscert, --smtpscert) or --auth-cleartext: AUTH is never offered")
	}
	return srv, smtps, certs, nil
}

// serverLimit turns a count flag into a Server limit: not given (-1) is
// the Server's default (0), 0 is no limit (<0).
func serverLimit(n int) int {
	switch n {
	case -1:
		return 0
	case 0:
		return -1
	}
	return n
}

// setAuth offers AUTH as the flags say. --auth-required with no TLS and
// no --auth-cleartext is refused: AUTH is only offered under TLS, so no
// client could ever authenticate, and so none could send mail.
func setAuth(srv *gosmtpd.Server, o *options, smtps bool) error {
	if o.authFile == "" {
		if o.authRequired || o.authCleartext {
			return usagef("--auth-required and --auth-cleartext need --auth-file")
		}
		return nil
	}
	if o.authRequired && srv.TLSConfig == nil && !smtps && !o.authCleartext {
		return usagef("--auth-required needs TLS (--tlscert and --tlskey, or --smtpscert and --smtpskey) or --auth-cleartext: " +
			"AUTH is only offered under TLS, so no client could ever send mail")
	}
	users, err := handlers.LoadHtpasswd(o.authFile)
	if err != nil {
		return fmt.Errorf("--auth-file: %w", err)
	}
	srv.Authenticator = users
	srv.AuthRequired, srv.AuthCleartext = o.authRequired, o.authCleartext
	return nil
}

// logger logs to stderr as aiosmtpd's -d does: by default warnings and
// errors (Python's logging default, WARNING: connections refused over a
// limit, AUTH failures), -d adds sessions (info: abnormal ends, abandoned
// transactions), -dd every detail (debug), and -ddd, where aiosmtpd turns on
// asyncio's debug mode, the source file and line of each record: a
// developer's view, for a bug report.
func logger(o *options, stderr io.Writer) *slog.Logger {
	level := slog.LevelWarn
	switch {
	case o.debug == 1:
		level = slog.LevelInfo
	case o.debug >= 2:
		level = slog.LevelDebug
	}
	h := logHandler(o.ops.logFormat, stderr, level)
	if o.debug >= 3 {
		h = logHandlerWithSource(o.ops.logFormat, stderr, level)
	}
	return slog.New(h)
}
