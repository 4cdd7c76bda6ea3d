package main

import (
	"fmt"
	"os"
	"time"
)

// scenarioResult is one scenario's cells, by client and server name.
type scenarioResult struct {
	sc      scenario
	servers []server         // those measured, in report order
	skipped []string         // "name (why)" of each server not measured
	load    map[string]*cell // smtpload runs
	source  map[string]*cell // smtp-source runs, lock-step scenarios only
	// background is how busy the server's and the client's CPUs were just
	// before the scenario, with no server running: other processes' work
	// that the figures shared their cores with.
	background [2]float64
}

// runScenario measures every server able to take sc, repetitions
// interleaved so that a drift of the machine spreads over all servers.
func (b *bench) runScenario(sc scenario, all []server) scenarioResult {
	res := scenarioResult{sc: sc,
		load: map[string]*cell{}, source: map[string]*cell{}}
	for _, s := range all {
		switch {
		case s.skip != "":
			res.skipped = append(res.skipped, s.name+" ("+s.skip+")")
		case sc.tls && !s.tls:
			res.skipped = append(res.skipped, s.name+" (no STARTTLS)")
		default:
			res.servers = append(res.servers, s)
			res.load[s.name], res.source[s.name] = &cell{}, &cell{}
		}
	}
	res.background[0], res.background[1] = b.backgroundLoad()
	fmt.Fprintf(os.Stderr, "%s: %s (background load: CPU %s %.0f%%, CPU %s %.0f%%)\n", sc.key, sc.title,
		b.serverCPU, 100*res.background[0], b.clientCPU, 100*res.background[1])
	for rep := 1; rep <= b.reps; rep++ {
		for _, s := range res.servers {
			smp := b.measureUndisturbed(sc, s, "smtpload", rep, b.withSmtpload(sc))
			res.load[s.name].samples = append(res.load[s.name].samples, smp)
		}
	}
	if sc.source != nil {
		b.runSource(sc, &res)
	}
	return res
}

// runSource drives the lock-step scenario again with smtp-source. Since it
// sends a fixed count, each server gets as many messages as smtpload's
// median rate for it delivers in the run duration.
func (b *bench) runSource(sc scenario, res *scenarioResult) {
	counts := map[string]int64{}
	for _, s := range res.servers {
		rate := res.load[s.name].summarize().msgsPerSec
		counts[s.name] = max(int64(rate*b.duration.Seconds()), int64(sc.sessions))
	}
	for rep := 1; rep <= b.reps; rep++ {
		for _, s := range res.servers {
			smp := b.measureUndisturbed(sc, s, "smtp-source", rep, b.withSource(sc, counts[s.name]))
			res.source[s.name].samples = append(res.source[s.name].samples, smp)
		}
	}
}

// measureUndisturbed measures as measure does and, while other work took a
// noticeable share of the server's or the client's CPU, waits for idle
// CPUs and measures again. The last try is kept even if disturbed, and
// says so.
func (b *bench) measureUndisturbed(sc scenario, srv server, client string, rep int,
	drive func(string) (outcome, error)) sample {
	for try := 0; ; try++ {
		smp := b.measure(sc, srv, client, rep, drive)
		if !smp.Disturbed || try >= b.reruns {
			smp.Reruns = try
			return smp
		}
		fmt.Fprintf(os.Stderr, "  disturbed by other work (CPU %s %.0f%%, CPU %s %.0f%%): measuring again\n",
			b.serverCPU, 100*smp.ForeignServer, b.clientCPU, 100*smp.ForeignClient)
		b.backgroundLoad()
	}
}

// backgroundLoad samples how busy the server's and the client's CPUs are
// while nothing of the benchmark runs, waiting up to b.idleWait for both to
// fall below busyThreshold.
func (b *bench) backgroundLoad() (server, client float64) {
	deadline := time.Now().Add(b.idleWait)
	for {
		s0, _ := readCore(b.serverCPU)
		c0, _ := readCore(b.clientCPU)
		time.Sleep(time.Second)
		s1, _ := readCore(b.serverCPU)
		c1, _ := readCore(b.clientCPU)
		server, client = busyFraction(s0, s1), busyFraction(c0, c1)
		if (server <= busyThreshold && client <= busyThreshold) || time.Now().After(deadline) {
			return server, client
		}
		fmt.Fprintf(os.Stderr, "  waiting for idle cores (CPU %s %.0f%%, CPU %s %.0f%% busy)\n",
			b.serverCPU, 100*server, b.clientCPU, 100*client)
	}
}
