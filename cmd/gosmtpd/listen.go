package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/gosmtpd/gosmtpd/transport/tcp"
	smtptls "github.com/gosmtpd/gosmtpd/transport/tls"
	"github.com/gosmtpd/gosmtpd/transport/unix"
)

// listenAddr applies aiosmtpd's rules to -l [HOST][:PORT]: a missing host
// is localhost, a missing port 8025; "[::1]:25" brackets an IPv6 address.
// Unlike aiosmtpd, a bare number is a port ("-l 2525").
func listenAddr(s string) (string, error) {
	host, port := s, ""
	if i := strings.LastIndexByte(s, ':'); i >= 0 && !strings.HasSuffix(s, "]") {
		host, port = s[:i], s[i+1:]
	} else if _, err := strconv.Atoi(s); err == nil {
		host, port = "", s
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if host == "" {
		host = "localhost"
	}
	if port == "" {
		port = "8025"
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return "", usagef("invalid port number: %s", port)
	}
	return net.JoinHostPort(host, port), nil
}

// listener is one socket to serve and how to describe it.
type listener struct {
	net.Listener
	what string // "127.0.0.1:8025", "unix:/run/lmtp.sock"; " (SMTPS)" added
}

// listen opens the sockets the options ask for: TCP (unless only --unix
// is given), the Unix socket, with SMTPS over them when smtps is set.
func listen(o *options, smtps *tls.Config) ([]listener, error) {
	var out []listener
	closeAll := func() {
		for _, l := range out {
			l.Close()
		}
	}
	if o.unix == "" || o.listenSet {
		addr, err := listenAddr(o.listen)
		if err != nil {
			return nil, err
		}
		l, err := tcp.Listen(addr)
		if err != nil {
			return nil, fmt.Errorf("cannot listen on %s: %w", addr, unwrapOp(err))
		}
		out = append(out, listener{l, asked(addr, l.Addr())})
	}
	if o.unix != "" {
		l, err := unix.Listen(o.unix, o.unixMode)
		if err != nil {
			closeAll()
			return nil, unixListenError(o.unix, err)
		}
		out = append(out, listener{l, "unix:" + o.unix})
	}
	if smtps != nil {
		for i := range out {
			out[i].Listener = smtptls.NewListener(out[i].Listener, smtps)
			out[i].what += " (SMTPS)"
		}
	}
	return out, nil
}

// asked describes a TCP listener as it was asked for, with the port it got:
// "-l 0.0.0.0:25" prints 0.0.0.0:25 although Go listens on [::]:25 (IPv4
// and IPv6 both), and the default prints localhost:8025 (both loopbacks).
func asked(addr string, bound net.Addr) string {
	host, _, err := net.SplitHostPort(addr)
	tcp, ok := bound.(*net.TCPAddr)
	if err != nil || !ok {
		return bound.String()
	}
	return net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}

// unixListenError names the socket's path once: unix.Listen's errors may
// name it already ("unix: socket in use by a running server: PATH").
func unixListenError(path string, err error) error {
	err = unwrapOp(err)
	if strings.Contains(err.Error(), path) {
		return fmt.Errorf("cannot listen: %w", err)
	}
	return fmt.Errorf("cannot listen on %s: %w", path, err)
}

// unwrapOp shortens "listen tcp 127.0.0.1:25: bind: address already in
// use" to its cause, since the message names the address already.
func unwrapOp(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		var sys *os.SyscallError
		if errors.As(op.Err, &sys) {
			return sys.Err
		}
		return op.Err
	}
	return err
}
