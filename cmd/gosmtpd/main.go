// Command gosmtpd runs an SMTP or LMTP server from the command line, with
// aiosmtpd's flags under the same names:
//
//	gosmtpd -n                          # debugging server on localhost:8025
//	gosmtpd -n -c sink -l :2525         # accept and discard
//	gosmtpd -n --lmtp -l 127.0.0.1:24   # LMTP
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"os/user"
	"strconv"
	"syscall"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/handlers"
	"github.com/gosmtpd/gosmtpd/hooks"
)

const version = "0.1.0"

type options struct {
	nosetuid, smtputf8, version, lmtp, noRequireTLS bool
	class, listen, hostname, ident                  string
	tlscert, tlskey, smtpscert, smtpskey            string
	size                                            int64
	timeout                                         time.Duration
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gosmtpd:", err)
		os.Exit(1)
	}
}

func parse(args []string, stderr io.Writer) (*options, []string, error) {
	o := &options{}
	fs := flag.NewFlagSet("gosmtpd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	both := func(p *bool, short, long, usage string) {
		fs.BoolVar(p, short, false, usage)
		fs.BoolVar(p, long, false, usage)
	}
	both(&o.nosetuid, "n", "nosetuid", "do not drop to nobody when run as root")
	both(&o.smtputf8, "u", "smtputf8", "offer SMTPUTF8")
	both(&o.version, "v", "version", "print the version and exit")
	fs.StringVar(&o.class, "c", "debugging", "handler: debugging [stdout|stderr], sink")
	fs.StringVar(&o.class, "class", "debugging", "same as -c")
	fs.StringVar(&o.listen, "l", "localhost:8025", "[HOST][:PORT] to listen on")
	fs.StringVar(&o.listen, "listen", "localhost:8025", "same as -l")
	fs.Int64Var(&o.size, "s", 33554432, "maximum message size in bytes (0: unlimited)")
	fs.Int64Var(&o.size, "size", 33554432, "same as -s")
	fs.BoolVar(&o.lmtp, "lmtp", false, "speak LMTP instead of SMTP")
	fs.StringVar(&o.hostname, "hostname", "", "host name in the greeting (default: this host's)")
	fs.StringVar(&o.ident, "ident", "", "greeting text after the host name")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "command timeout")
	fs.StringVar(&o.tlscert, "tlscert", "", "certificate file for STARTTLS")
	fs.StringVar(&o.tlskey, "tlskey", "", "key file for STARTTLS")
	fs.BoolVar(&o.noRequireTLS, "no-requiretls", false, "with --tlscert: do not require STARTTLS")
	fs.StringVar(&o.smtpscert, "smtpscert", "", "certificate file for SMTPS (implicit TLS)")
	fs.StringVar(&o.smtpskey, "smtpskey", "", "key file for SMTPS")
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	return o, fs.Args(), nil
}

func run(args []string, stdout, stderr io.Writer) error {
	o, classArgs, err := parse(args, stderr)
	if err != nil {
		return err
	}
	if o.version {
		fmt.Fprintln(stdout, "gosmtpd", version)
		return nil
	}
	srv, err := newServer(o, classArgs, stdout, stderr)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", listenAddr(o.listen))
	if err != nil {
		return err
	}
	if err := dropPrivileges(o.nosetuid); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "gosmtpd %s listening on %s\n", version, l.Addr())
	return serve(srv, l, o)
}

// listenAddr applies aiosmtpd's defaults: host localhost, port 8025.
func listenAddr(s string) string {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		host, port = s, ""
		if _, perr := strconv.Atoi(s); perr == nil {
			host, port = "", s
		}
	}
	if host == "" && port == "" || host == "" && err != nil {
		host = "localhost"
	}
	if port == "" {
		port = "8025"
	}
	return net.JoinHostPort(host, port)
}

func newServer(o *options, classArgs []string, stdout, stderr io.Writer) (*gosmtpd.Server, error) {
	h, err := handler(o.class, classArgs, stdout, stderr)
	if err != nil {
		return nil, err
	}
	srv := &gosmtpd.Server{Handler: h, Hostname: o.hostname, Ident: o.ident, LMTP: o.lmtp,
		SMTPUTF8: o.smtputf8, Timeout: o.timeout, MaxMessageSize: o.size}
	if o.size == 0 {
		srv.MaxMessageSize = -1
	}
	if o.tlscert != "" || o.tlskey != "" {
		cert, err := tls.LoadX509KeyPair(o.tlscert, o.tlskey)
		if err != nil {
			return nil, fmt.Errorf("STARTTLS certificate: %w", err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		srv.RequireTLS = !o.noRequireTLS
	}
	return srv, nil
}

func handler(class string, args []string, stdout, stderr io.Writer) (hooks.Handler, error) {
	switch class {
	case "debugging", "aiosmtpd.handlers.Debugging":
		w := stdout
		if len(args) > 0 && args[0] == "stderr" {
			w = stderr
		}
		return &handlers.Debugging{W: w}, nil
	case "sink", "aiosmtpd.handlers.Sink":
		return handlers.Sink{}, nil
	}
	return nil, fmt.Errorf("unknown handler class %q (want debugging or sink)", class)
}

// serve runs until SIGINT or SIGTERM, then shuts down gracefully.
func serve(srv *gosmtpd.Server, l net.Listener, o *options) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() {
		if o.smtpscert != "" {
			cert, err := tls.LoadX509KeyPair(o.smtpscert, o.smtpskey)
			if err != nil {
				errc <- fmt.Errorf("SMTPS certificate: %w", err)
				return
			}
			srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
			errc <- srv.ServeTLS(l)
			return
		}
		errc <- srv.Serve(l)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, gosmtpd.ErrServerClosed) {
		return err
	}
	return nil
}

// dropPrivileges switches to nobody when run as root, as aiosmtpd does
// unless -n is given.
func dropPrivileges(nosetuid bool) error {
	if nosetuid || os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		return fmt.Errorf("cannot drop privileges (use -n to stay root): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := syscall.Setgid(gid); err != nil {
		return err
	}
	return syscall.Setuid(uid)
}
