// Command smtpload is the benchmark's load generator: N concurrent SMTP or
// LMTP sessions, each sending M messages (or sending for a duration), in
// lock-step, RFC 2920 pipelined or fully pipelined mode, optionally over
// STARTTLS or with a new connection per message. It prints one human line,
// or one JSON line with -json, with msgs/s, MB/s, latency percentiles and
// errors.
//
//	smtpload -addr 127.0.0.1:2525 -c 50 -d 10s -size 1024 -mode pipelined
//
// Pin it to its own core (taskset) so that it does not compete with the
// server it measures; the client_cpu field says how busy it was.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/gosmtpd/gosmtpd/bench/internal/load"
	"github.com/pkg/profile"
)

func main() {
	cfg, opts, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "smtpload:", err)
		os.Exit(2)
	}
	if stop := startProfile(opts.profile, opts.profileDir); stop != nil {
		defer stop()
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()

	res, err := load.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "smtpload:", err)
		os.Exit(2)
	}
	if opts.json {
		json.NewEncoder(os.Stdout).Encode(res)
	} else {
		fmt.Println(res)
	}
}

// options are the flags that shape the output rather than the load.
type options struct {
	json       bool
	profile    string
	profileDir string
}

func parseFlags(args []string) (load.Config, options, error) {
	fs := flag.NewFlagSet("smtpload", flag.ContinueOnError)
	var cfg load.Config
	var opts options
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:2525", "server `host:port`")
	fs.IntVar(&cfg.Sessions, "c", 1, "concurrent sessions")
	fs.IntVar(&cfg.Messages, "m", 0, "messages per session (0: until -d ends)")
	fs.DurationVar(&cfg.Duration, "d", 0, "send for this long (0: until -m messages each)")
	fs.IntVar(&cfg.Size, "size", 1024, "message size in bytes, headers included")
	fs.IntVar(&cfg.Rcpts, "rcpts", 1, "recipients per message")
	mode := fs.String("mode", "lockstep", "lockstep, pipelined (RFC 2920) or full (whole transactions in one write)")
	fs.IntVar(&cfg.Window, "window", load.DefaultWindow, "full mode: transactions sent ahead of their replies")
	fs.BoolVar(&cfg.Reconnect, "reconnect", false, "new connection for every message")
	fs.BoolVar(&cfg.StartTLS, "starttls", false, "upgrade each connection with STARTTLS (certificate not verified)")
	fs.BoolVar(&cfg.LMTP, "lmtp", false, "speak LMTP (LHLO, one reply per recipient after the dot)")
	fs.DurationVar(&cfg.Timeout, "timeout", load.DefaultTimeout, "limit on each transaction")
	fs.BoolVar(&opts.json, "json", false, "print one JSON line instead of the human summary")
	fs.StringVar(&opts.profile, "profile", "", "profile the client: cpu or mem")
	fs.StringVar(&opts.profileDir, "profile-dir", ".", "where -profile writes its file")
	if err := fs.Parse(args); err != nil {
		return cfg, opts, err
	}
	if fs.NArg() > 0 {
		return cfg, opts, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	m, err := load.ParseMode(*mode)
	if err != nil {
		return cfg, opts, err
	}
	cfg.Mode = m
	if opts.profile != "" && opts.profile != "cpu" && opts.profile != "mem" {
		return cfg, opts, fmt.Errorf("unknown -profile %q (want cpu or mem)", opts.profile)
	}
	return cfg, opts, nil
}

// startProfile starts the profile named by kind ("cpu" or "mem") and
// returns its stop function, or nil when kind is empty.
func startProfile(kind, dir string) func() {
	if kind == "" {
		return nil
	}
	mode := profile.CPUProfile
	if kind == "mem" {
		mode = profile.MemProfile
	}
	return profile.Start(mode, profile.ProfilePath(dir), profile.Quiet, profile.NoShutdownHook).Stop
}
