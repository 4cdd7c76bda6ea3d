// Command gosmtpd runs an SMTP or LMTP server from the command line, with
// aiosmtpd's flags under the same names, so that its users can switch by
// changing one word:
//
//	gosmtpd -n                                  # print every message, on localhost:8025
//	gosmtpd -n -c sink -l :2525                 # accept and discard
//	gosmtpd -n -c mailbox ~/Maildir -l :0       # deliver to a Maildir, on a free port
//	gosmtpd -n -c proxy mx.example.net 25       # relay, with the upstream's verdicts
//	gosmtpd -n --lmtp --unix /run/lmtp.sock     # LMTP on a Unix socket
//	gosmtpd -n --tlscert c.pem --tlskey k.pem --auth-file users.htpasswd --auth-required
//
// The address listened on is printed on stderr at start, as asked with
// the port bound ("gosmtpd 0.1.0 listening on localhost:8025"). SIGINT and SIGTERM shut down
// gracefully (a second one at once). A mistake on the command line exits
// with status 2, a failure to start with 1, each with one line on stderr.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

const version = "0.1.0"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole command; its exit status.
func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args)
	if err == nil {
		err = start(o, stdout, stderr)
	}
	var usage usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "gosmtpd: %v (see gosmtpd --help)\n", err)
		return 2
	}
	fmt.Fprintf(stderr, "gosmtpd: %v\n", err)
	return 1
}

func start(o *options, stdout, stderr io.Writer) error {
	switch {
	case o.help:
		fmt.Fprint(stdout, usage())
		return nil
	case o.version:
		fmt.Fprintln(stdout, "gosmtpd", version)
		return nil
	}
	logs := newLineWriter(stderr) // a line per message: see lineWriter
	defer logs.Close()
	stderr = logs
	srv, smtps, certs, err := newServer(o, stdout, stderr)
	if err != nil {
		return err
	}
	defer certs.reloadOnSIGHUP(srv.Logger)()
	defer closeHandler(srv.Handler)
	ls, err := listen(o, smtps)
	if err != nil {
		return err
	}
	ops, err := newOps(o, srv, stderr)
	if err == nil {
		defer ops.close()
		err = dropPrivileges(o.nosetuid)
	}
	if err == nil {
		err = checkHandler(srv.Handler)
	}
	if err != nil {
		for _, l := range ls {
			l.Close()
		}
		return err
	}
	return serve(srv, ls, stderr)
}
