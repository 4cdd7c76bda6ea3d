// Command benchrun runs the server comparison of bench/README.md: for each
// scenario, each server started afresh and pinned to one CPU, loaded by
// smtpload (and, in lock-step scenarios, by Postfix's smtp-source) pinned to
// another, repetitions interleaved across servers, medians reported as one
// Markdown table per scenario. bench/run.sh builds its inputs and runs it.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/gosmtpd/gosmtpd/bench/internal/selfsigned"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchrun:", err)
		os.Exit(1)
	}
}

type flags struct {
	binDir, logDir, out  string
	scenarios, servers   string
	reps, reruns         int
	duration, idleWait   time.Duration
	quick                bool
	serverCPU, clientCPU string
}

func parseFlags() flags {
	var f flags
	flag.StringVar(&f.binDir, "bin", "", "directory with smtpload, canned, gosmtp-sink and, if it builds, gosmtpd")
	flag.StringVar(&f.logDir, "logs", "", "directory for server logs and samples.jsonl (default: a new temporary one)")
	flag.StringVar(&f.out, "o", "", "also write the Markdown report to this file")
	flag.StringVar(&f.scenarios, "scenarios", "", "comma-separated scenarios to run (default: all)")
	flag.StringVar(&f.servers, "servers", "", "comma-separated servers to run (default: all)")
	flag.IntVar(&f.reps, "r", 3, "repetitions of every measurement")
	flag.DurationVar(&f.duration, "d", 5*time.Second, "load duration of every smtpload run")
	flag.IntVar(&f.reruns, "reruns", 3, "how often a run disturbed by other work is taken again")
	flag.DurationVar(&f.idleWait, "idle-wait", 2*time.Minute, "before each scenario, wait up to this long for both CPUs to be idle")
	flag.BoolVar(&f.quick, "q", false, "quick smoke run: one repetition of one second, no waiting for idle CPUs, no reruns")
	flag.StringVar(&f.serverCPU, "server-cpu", "0", "CPU list the servers are pinned to")
	flag.StringVar(&f.clientCPU, "client-cpu", "1", "CPU list the clients are pinned to")
	flag.Parse()
	if f.quick {
		f.reps, f.duration, f.idleWait, f.reruns = 1, time.Second, 0, 0
	}
	return f
}

func run() error {
	f := parseFlags()
	if f.binDir == "" {
		return fmt.Errorf("-bin is required (bench/run.sh sets it)")
	}
	scs, err := selectScenarios(scenarios(), f.scenarios)
	if err != nil {
		return err
	}
	if runtime.NumCPU() < 2 {
		fmt.Fprintln(os.Stderr, "benchrun: fewer than 2 CPUs: server and client will share one")
	}
	raiseFileLimit()
	b, err := newBench(f)
	if err != nil {
		return err
	}
	defer b.samplesLog.Close()
	srvs := selectServers(servers(f.binDir), f.servers)
	rep := newReport(f, srvs, b.logDir)
	for _, sc := range scs {
		rep.add(b.runScenario(sc, srvs))
	}
	return rep.write(f.out)
}

// newBench prepares the log directory and the STARTTLS certificate.
func newBench(f flags) (*bench, error) {
	logDir := f.logDir
	if logDir == "" {
		var err error
		if logDir, err = os.MkdirTemp("", "benchrun-"); err != nil {
			return nil, err
		}
	} else if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, err
	}
	b := &bench{binDir: f.binDir, logDir: logDir, duration: f.duration, idleWait: f.idleWait, reruns: f.reruns, reps: f.reps,
		serverCPU: f.serverCPU, clientCPU: f.clientCPU}
	certPEM, keyPEM, err := selfsigned.PEM()
	if err != nil {
		return nil, err
	}
	b.tls = &tlsFiles{cert: filepath.Join(logDir, "cert.pem"), key: filepath.Join(logDir, "key.pem")}
	if err := os.WriteFile(b.tls.cert, certPEM, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(b.tls.key, keyPEM, 0o644); err != nil {
		return nil, err
	}
	b.samplesLog, err = os.Create(filepath.Join(logDir, "samples.jsonl"))
	return b, err
}

// raiseFileLimit lifts the open-file limit to its maximum for this process
// and the servers and clients it starts: 1000 sessions need 1000
// descriptors on each side. Setting it explicitly also keeps Go from
// restoring the lower limit in child processes.
func raiseFileLimit() {
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil && lim.Cur < lim.Max {
		lim.Cur = lim.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
}
