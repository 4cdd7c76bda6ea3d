// Command loadserver is the gosmtpd server the attacks suite runs as a
// separate process, so that its memory (VmHWM) and its file descriptors
// are its own: a Sink behind gosmtpd.Server on 127.0.0.1, with a
// connection cap, no per-client cap, and an optional lower RLIMIT_NOFILE. It prints the
// address it listens on to its standard error, as gosmtpd does ("loadserver
// listening on ADDR"), and serves until SIGTERM or its standard input
// closes.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	gosmtpd "github.com/gosmtpd/gosmtpd"
	"github.com/gosmtpd/gosmtpd/handlers"
)

func main() {
	maxConns := flag.Int("max-conns", 0, "MaxConnections (0: derived from the descriptor limit)")
	nofile := flag.Uint64("nofile", 0, "lower RLIMIT_NOFILE to this (0: leave it)")
	flag.Parse()
	if err := run(*maxConns, *nofile); err != nil {
		fmt.Fprintln(os.Stderr, "loadserver:", err)
		os.Exit(1)
	}
}

func run(maxConns int, nofile uint64) error {
	if nofile > 0 {
		lim := syscall.Rlimit{Cur: nofile, Max: nofile}
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return err
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	// The tests hold thousands of connections from one address: no
	// per-client cap.
	srv := &gosmtpd.Server{Handler: handlers.Sink{}, Hostname: "mx.test", MaxConnections: maxConns, MaxConnectionsPerClient: -1,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	fmt.Fprintf(os.Stderr, "loadserver listening on %s\n", l.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	go func() { // the test went away
		io.Copy(io.Discard, os.Stdin)
		stop()
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	return nil
}
