package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// tlsFiles are the PEM files a STARTTLS-capable server is started with.
type tlsFiles struct{ cert, key string }

// server is one implementation under test.
type server struct {
	name string
	// argv returns the command line serving on addr, with STARTTLS when
	// tf is not nil.
	argv func(addr string, tf *tlsFiles) []string
	tls  bool   // can offer STARTTLS
	skip string // why it cannot run here; empty when it can
}

// The reference server that ratios are computed against.
const reference = "go-smtp"

// servers returns every server in report order, each marked with the
// reason it must be skipped, if any. binDir holds what run.sh built.
func servers(binDir string) []server {
	gosmtpd := filepath.Join(binDir, "gosmtpd")
	gosmtp := filepath.Join(binDir, "gosmtp-sink")
	cannedBin := filepath.Join(binDir, "canned")
	hooked := filepath.Join(binDir, "hooked")
	list := []server{
		{name: "gosmtpd", tls: true, skip: missing(gosmtpd, "./cmd/gosmtpd does not build"),
			argv: func(addr string, tf *tlsFiles) []string {
				// every load session comes from one address: no per-client cap
				return withTLS([]string{gosmtpd, "-n", "-c", "sink", "-l", addr, "--max-conns-per-client", "0"}, tf, "--tlscert", "--tlskey")
			}},
		{name: "gosmtpd+metrics", tls: true, skip: missing(gosmtpd, "./cmd/gosmtpd does not build"),
			argv: func(addr string, tf *tlsFiles) []string {
				// the same, counting every event for Prometheus (nobody scrapes)
				argv := []string{gosmtpd, "-n", "-c", "sink", "-l", addr, "--max-conns-per-client", "0",
					"--metrics-listen", "127.0.0.1:0"}
				return withTLS(argv, tf, "--tlscert", "--tlskey")
			}},
		{name: "gosmtpd+hook", tls: true, skip: missing(hooked, "bench/peers/hooked does not build"),
			argv: func(addr string, tf *tlsFiles) []string {
				return withTLS([]string{hooked, "-l", addr}, tf, "-tlscert", "-tlskey")
			}},
		{name: "gosmtpd+sink", tls: true, skip: missing(hooked, "bench/peers/hooked does not build"),
			argv: func(addr string, tf *tlsFiles) []string {
				// the same embedded program serving the Sink: it differs from
				// gosmtpd+hook only by the DATA hook
				return withTLS([]string{hooked, "-sink", "-l", addr}, tf, "-tlscert", "-tlskey")
			}},
		{name: reference, tls: true, skip: missing(gosmtp, "bench/peers/gosmtp was not built"),
			argv: func(addr string, tf *tlsFiles) []string {
				return withTLS([]string{gosmtp, "-l", addr}, tf, "-tlscert", "-tlskey")
			}},
		smtpSink(),
		aiosmtpd(),
		{name: "canned", skip: missing(cannedBin, "bench/peers/canned was not built"),
			argv: func(addr string, _ *tlsFiles) []string { return []string{cannedBin, "-l", addr} }},
	}
	return list
}

// smtpSink is Postfix's test sink, without its daemon. It needs a
// connection limit above the largest scenario (its default is 256), a
// listen backlog to match, and no -c: its counters would cost it a
// terminal write per message.
func smtpSink() server {
	const bin = "/usr/sbin/smtp-sink"
	return server{name: "smtp-sink", skip: missing(bin, "install Debian's postfix package"),
		argv: func(addr string, _ *tlsFiles) []string {
			argv := []string{bin, "-m", "2000"}
			if os.Geteuid() == 0 {
				argv = append(argv, "-u", "nobody") // it refuses to run as root
			}
			return append(argv, addr, "2048")
		}}
}

// aiosmtpd is Python's asyncio server with its Sink handler, from Debian's
// python3-aiosmtpd (the python3 on PATH may be another interpreter).
func aiosmtpd() server {
	const python = "/usr/bin/python3"
	s := server{name: "aiosmtpd", tls: true,
		argv: func(addr string, tf *tlsFiles) []string {
			argv := []string{python, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l", addr}
			return withTLS(argv, tf, "--tlscert", "--tlskey")
		}}
	if err := exec.Command(python, "-c", "import aiosmtpd").Run(); err != nil {
		s.skip = "install Debian's python3-aiosmtpd"
	}
	return s
}

func withTLS(argv []string, tf *tlsFiles, certFlag, keyFlag string) []string {
	if tf == nil {
		return argv
	}
	return append(argv, certFlag, tf.cert, keyFlag, tf.key)
}

// missing returns why when path is not an executable file, else "".
func missing(path, why string) string {
	if fi, err := os.Stat(path); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		return why
	}
	return ""
}

// selectServers keeps the servers named in the comma-separated list, or all
// of them for an empty list.
func selectServers(all []server, list string) []server {
	if list == "" {
		return all
	}
	var picked []server
	for _, s := range all {
		for _, name := range strings.Split(list, ",") {
			if s.name == name {
				picked = append(picked, s)
			}
		}
	}
	return picked
}
