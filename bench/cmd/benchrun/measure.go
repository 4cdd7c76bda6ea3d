package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// bench holds what every measurement of a run shares.
type bench struct {
	binDir     string
	logDir     string
	duration   time.Duration
	idleWait   time.Duration // how long to wait for other work to leave the cores
	reruns     int           // how often a disturbed measurement is taken again
	reps       int
	serverCPU  string // CPU list for taskset
	clientCPU  string
	tls        *tlsFiles
	samplesLog *os.File // every sample as a JSON line, for later study
}

// outcome is what a client reported about one run.
type outcome struct {
	messages             int64
	msgsPerSec, mbPerSec float64
	p50, p99             float64
	clientCPU            time.Duration // the client process's CPU time, set-up included
	errors               int64
	firstError           string
}

// measure starts srv afresh, lets drive load it, and samples the server's
// CPU time around the load and its peak memory after it.
func (b *bench) measure(sc scenario, srv server, client string, rep int, drive func(addr string) (outcome, error)) sample {
	smp := sample{Server: srv.name, Scenario: sc.key, Client: client, Rep: rep}
	addr, err := freeAddr()
	if err != nil {
		smp.Failure = err.Error()
		return b.record(smp)
	}
	var tf *tlsFiles
	if sc.tls {
		tf = b.tls
	}
	logPath := filepath.Join(b.logDir, fmt.Sprintf("%s-%s-%s-%d.log", sc.key, srv.name, client, rep))
	rs, err := startServer(srv.argv(addr, tf), addr, b.serverCPU, logPath)
	if err != nil {
		smp.Failure = "server did not start: " + err.Error()
		return b.record(smp)
	}
	defer rs.stop()
	cpu0, errCPU0 := rs.cpuTime()
	srvCore0, _ := readCore(b.serverCPU)
	cliCore0, _ := readCore(b.clientCPU)
	start := time.Now()
	out, err := drive(addr)
	wall := time.Since(start)
	srvCore1, _ := readCore(b.serverCPU)
	cliCore1, _ := readCore(b.clientCPU)
	cpu1, errCPU1 := rs.cpuTime()
	rss, errRSS := rs.peakRSS()
	switch {
	case err != nil:
		smp.Failure = err.Error()
	case rs.exited():
		smp.Failure = "server exited during the run (log: " + logPath + ")"
	case errCPU0 != nil || errCPU1 != nil || errRSS != nil:
		smp.Failure = fmt.Sprintf("reading /proc: %v %v %v", errCPU0, errCPU1, errRSS)
	}
	fill(&smp, out, cpu1-cpu0, wall, rss)
	smp.ServerCore = busyFraction(srvCore0, srvCore1)
	smp.ClientCore = busyFraction(cliCore0, cliCore1)
	markDisturbed(&smp)
	return b.record(smp)
}

// fill copies a client's outcome and the server's usage into smp. CPU
// shares are over wall, the whole client run, as the CPUs' busy times are.
func fill(smp *sample, out outcome, serverCPU, wall time.Duration, rss int64) {
	smp.MsgsPerSec, smp.MBPerSec = out.msgsPerSec, out.mbPerSec
	smp.P50Micros, smp.P99Micros = out.p50, out.p99
	smp.Errors, smp.FirstError = out.errors, out.firstError
	smp.PeakRSS = rss
	if wall > 0 {
		smp.ServerCPU = serverCPU.Seconds() / wall.Seconds()
		smp.ClientCPU = out.clientCPU.Seconds() / wall.Seconds()
	}
	if out.messages > 0 {
		smp.CPUPerMsg = float64(serverCPU.Microseconds()) / float64(out.messages)
	}
}

// foreignThreshold is the share of a pinned CPU that other processes may
// take before a measurement counts as disturbed. Undisturbed runs here show
// a few percent: kernel threads and the rounding of tick-based accounting.
const foreignThreshold = 0.10

// markDisturbed estimates, for each pinned CPU, the time neither the
// server nor the client process accounts for: the CPU's busy time less the
// process's own CPU time (which includes the softirq work done in its
// context).
func markDisturbed(smp *sample) {
	smp.ForeignServer = max(smp.ServerCore-smp.ServerCPU, 0)
	smp.ForeignClient = max(smp.ClientCore-smp.ClientCPU, 0)
	smp.Disturbed = smp.Failure == "" &&
		(smp.ForeignServer > foreignThreshold || smp.ForeignClient > foreignThreshold)
}

// record logs smp as one JSON line and a progress line, and returns it.
func (b *bench) record(smp sample) sample {
	if b.samplesLog != nil {
		line, _ := json.Marshal(smp)
		b.samplesLog.Write(append(line, '\n'))
	}
	status := fmt.Sprintf("%.0f msgs/s, %.2f MB/s, %.1f server µs/msg, cores busy: server %.0f%% client %.0f%%, %d errors",
		smp.MsgsPerSec, smp.MBPerSec, smp.CPUPerMsg, 100*smp.ServerCore, 100*smp.ClientCore, smp.Errors)
	if smp.Failure != "" {
		status = "FAILED: " + smp.Failure
	}
	if smp.Disturbed {
		status += " [disturbed]"
	}
	fmt.Fprintf(os.Stderr, "  [%s #%d] %-10s %-11s %s\n", smp.Scenario, smp.Rep, smp.Server, smp.Client, status)
	return smp
}

// withSmtpload returns a driver that runs smtpload with the scenario's flags.
func (b *bench) withSmtpload(sc scenario) func(string) (outcome, error) {
	return func(addr string) (outcome, error) {
		r, cpu, err := runLoad(filepath.Join(b.binDir, "smtpload"), b.clientCPU, addr, sc.load, b.duration)
		return outcome{messages: r.Messages, msgsPerSec: r.MsgsPerSec,
			mbPerSec: r.MBPerSec, p50: r.P50Micros, p99: r.P99Micros, clientCPU: cpu,
			errors: r.Errors, firstError: r.FirstError}, err
	}
}

// withSource returns a driver that runs smtp-source for count messages.
func (b *bench) withSource(sc scenario, count int64) func(string) (outcome, error) {
	return func(addr string) (outcome, error) {
		limit := max(20*b.duration, time.Minute)
		r := runSource(b.clientCPU, addr, sc.source, count, limit)
		out := outcome{messages: r.Messages, clientCPU: r.CPU}
		if r.Err != nil {
			// It stops at the first refusal, so the run measured nothing.
			out.errors = 1
			return out, r.Err
		}
		if r.Seconds > 0 {
			out.msgsPerSec = float64(r.Messages) / r.Seconds
			out.mbPerSec = out.msgsPerSec * float64(sc.size) / 1e6
		}
		return out, nil
	}
}
