package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// legend explains the columns of every table.
const legend = "Columns: msgs/s and MB/s (10^6 message bytes) delivered; vs go-smtp, the median over " +
	"repetitions of the ratio of msgs/s within each repetition; " +
	"p50/p99, the latency of a message from its first write to its last reply; server µs/msg, the " +
	"server process's CPU time (user + system, /proc/PID/stat) per message; server core and client " +
	"core, how busy each pinned CPU was (/proc/stat, interrupts and softirq included: on loopback much " +
	"of the TCP work lands there, charged to no process). A client core near 100% means the client " +
	"set the pace, so the server's figure is a floor; peak RSS is the server's VmHWM."

// report accumulates the Markdown document.
type report struct {
	head    []string
	results []scenarioResult
}

func newReport(f flags, srvs []server, logDir string) *report {
	r := &report{head: machineLines(f.binDir)}
	r.head = append(r.head,
		fmt.Sprintf("Servers pinned to CPU %s and clients to CPU %s with taskset; every server restarted "+
			"for every run; each figure is the median of %d run(s) of %v, repetitions interleaved "+
			"across servers. Logs and raw samples: `%s`.",
			f.serverCPU, f.clientCPU, f.reps, f.duration.Round(time.Millisecond), logDir))
	r.head = append(r.head, legend)
	for _, s := range srvs {
		if s.skip != "" {
			r.head = append(r.head, fmt.Sprintf("**%s skipped**: %s.", s.name, s.skip))
		}
	}
	return r
}

func (r *report) add(res scenarioResult) {
	r.results = append(r.results, res)
	fmt.Fprintln(os.Stderr)
	writeScenario(os.Stderr, res) // show each table as soon as it is known
}

// write prints the whole report on standard output and, if path is set,
// into that file.
func (r *report) write(path string) error {
	var sb strings.Builder
	for _, line := range r.head {
		sb.WriteString(line + "\n\n")
	}
	writeTargets(&sb, r.results)
	for _, res := range r.results {
		writeScenario(&sb, res)
	}
	fmt.Print(sb.String())
	if path == "" {
		return nil
	}
	return os.WriteFile(path, []byte(sb.String()), 0o644)
}

// writeTargets compares gosmtpd with go-smtp where the server work is
// tuned against a goal.
func writeTargets(w io.Writer, results []scenarioResult) {
	fmt.Fprintln(w, "### Targets\n\n| scenario | target | gosmtpd | go-smtp | ratio |\n|---|---|---:|---:|---:|")
	for _, res := range results {
		if res.sc.target == "" {
			continue
		}
		gd, okD := res.load["gosmtpd"]
		gs, okS := res.load[reference]
		if !okD || !okS {
			fmt.Fprintf(w, "| %s | %s | not measured | | |\n", res.sc.key, res.sc.target)
			continue
		}
		d, s := gd.summarize(), gs.summarize()
		if res.sc.target == "no errors" {
			fmt.Fprintf(w, "| %s | %s | %d errors | %d errors | |\n", res.sc.key, res.sc.target, d.errors, s.errors)
			continue
		}
		fmt.Fprintf(w, "| %s | %s | %.0f msgs/s, %.1f MB/s | %.0f msgs/s, %.1f MB/s | %s |\n", res.sc.key,
			res.sc.target, d.msgsPerSec, d.mbPerSec, s.msgsPerSec, s.mbPerSec, ratioTo(gd, gs))
	}
	fmt.Fprintln(w)
}

// writeScenario prints one scenario's tables: smtpload's, then smtp-source's.
func writeScenario(w io.Writer, res scenarioResult) {
	fmt.Fprintf(w, "### %s\n\n`smtpload %s`\n\n", res.sc.title, strings.Join(res.sc.load, " "))
	fmt.Fprintln(w, "| server | msgs/s | MB/s | vs go-smtp | p50 ms | p99 ms | server µs/msg | server core | client core | peak RSS MiB | errors |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	ref := res.load[reference]
	for _, s := range res.servers {
		sum := res.load[s.name].summarize()
		fmt.Fprintf(w, "| %s | %.0f | %.2f | %s | %.2f | %.2f | %.1f | %.0f%% | %.0f%% | %.1f | %d |\n",
			s.name, sum.msgsPerSec, sum.mbPerSec, ratioTo(res.load[s.name], ref), sum.p50/1000, sum.p99/1000,
			sum.cpuPerMsg, 100*sum.serverCore, 100*sum.clientCore, sum.peakRSS/(1<<20), sum.errors)
	}
	writeNotes(w, res, res.load)
	if res.sc.source != nil && len(res.servers) > 0 {
		writeSourceTable(w, res)
	}
	writeSkipped(w, res)
	writeBackground(w, res)
}

// busyThreshold is the background load above which a scenario's figures
// are flagged: other work shared the benchmark's cores.
const busyThreshold = 0.10

func writeBackground(w io.Writer, res scenarioResult) {
	if bg := res.background; bg[0] > busyThreshold || bg[1] > busyThreshold {
		fmt.Fprintf(w, "**Disturbed**: before this scenario, with no server running, the server's CPU was "+
			"%.0f%% and the client's %.0f%% busy with other work.\n\n", 100*bg[0], 100*bg[1])
	}
}

func writeSourceTable(w io.Writer, res scenarioResult) {
	fmt.Fprintf(w, "Same load from Postfix's `smtp-source %s` (MB/s counts its payload only):\n\n",
		strings.Join(res.sc.source, " "))
	fmt.Fprintln(w, "| server | msgs/s | MB/s | vs go-smtp | server µs/msg | server core | client core | peak RSS MiB | errors |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	ref := res.source[reference]
	for _, s := range res.servers {
		sum := res.source[s.name].summarize()
		fmt.Fprintf(w, "| %s | %.0f | %.2f | %s | %.1f | %.0f%% | %.0f%% | %.1f | %d |\n",
			s.name, sum.msgsPerSec, sum.mbPerSec, ratioTo(res.source[s.name], ref),
			sum.cpuPerMsg, 100*sum.serverCore, 100*sum.clientCore, sum.peakRSS/(1<<20), sum.errors)
	}
	writeNotes(w, res, res.source)
}

// writeNotes lists, under a table, what went wrong in its runs.
func writeNotes(w io.Writer, res scenarioResult, cells map[string]*cell) {
	fmt.Fprintln(w)
	for _, s := range res.servers {
		if note := cells[s.name].summarize().note(); note != "" {
			fmt.Fprintf(w, "- %s: %s\n", s.name, note)
		}
	}
	fmt.Fprintln(w)
}

func writeSkipped(w io.Writer, res scenarioResult) {
	if len(res.skipped) > 0 {
		fmt.Fprintf(w, "Skipped: %s.\n\n", strings.Join(res.skipped, ", "))
	}
}

// ratioTo formats c's throughput relative to ref's, as the median of the
// ratios within each repetition: servers of one repetition run minutes
// apart at most, so a slow drift of the machine cancels out.
func ratioTo(c, ref *cell) string {
	if ref == nil {
		return "n/a"
	}
	if r := repRatio(c, ref); r > 0 {
		return fmt.Sprintf("%.2fx", r)
	}
	return "n/a"
}

// repRatio returns the median over repetitions of c's msgs/s divided by
// ref's, counting only repetitions where both runs measured something.
func repRatio(c, ref *cell) float64 {
	var ratios []float64
	for _, a := range c.samples {
		for _, b := range ref.samples {
			if a.Rep == b.Rep && a.Failure == "" && b.Failure == "" && b.MsgsPerSec > 0 {
				ratios = append(ratios, a.MsgsPerSec/b.MsgsPerSec)
			}
		}
	}
	return median(ratios)
}
