package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
)

// shutdownGrace is how long sessions in a transaction get to finish after
// SIGINT or SIGTERM.
const shutdownGrace = 30 * time.Second

// serve serves every listener until SIGINT or SIGTERM, then shuts down
// gracefully; a second signal, or the grace period's end, stops at once.
func serve(srv *gosmtpd.Server, ls []listener, stderr io.Writer) error {
	// The signals stay caught until the process exits: once serving has
	// ended the command only writes its last log lines, and a signal then
	// (an impatient operator, a supervisor's retries) must not kill it
	// midway. Those the channel has no room for are dropped.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	errc := make(chan error, len(ls))
	for _, l := range ls {
		go func() { errc <- srv.Serve(l) }()
		fmt.Fprintf(stderr, "gosmtpd %s listening on %s\n", version, l.what)
	}
	select {
	case err := <-errc: // a listener failed: stop the others
		srv.Close()
		return err
	case <-sigs:
	}
	return shutdown(srv, sigs, errc, len(ls))
}

// shutdown stops srv gracefully, at once on a second signal, and collects
// the listeners' ends.
func shutdown(srv *gosmtpd.Server, sigs <-chan os.Signal, errc <-chan error, n int) error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-ctx.Done():
		}
	}()
	err := srv.Shutdown(ctx)
	if errors.Is(err, context.Canceled) {
		err = nil // a second signal: stopped at once, as asked
	}
	for range n {
		if serr := <-errc; !errors.Is(serr, gosmtpd.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
	}
	return err
}
