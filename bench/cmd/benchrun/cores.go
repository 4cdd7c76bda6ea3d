package main

import (
	"os"
	"strconv"
	"strings"
)

// coreTimes is one CPU's line of /proc/stat: busy and total time in ticks.
// Busy time includes interrupt and softirq time, which on loopback is much
// of the TCP work and is charged to no process.
type coreTimes struct{ busy, total int64 }

// readCore returns the times of CPU cpu (a number as given to taskset), or
// false if cpu is a list or cannot be read.
func readCore(cpu string) (coreTimes, bool) {
	if _, err := strconv.Atoi(cpu); err != nil {
		return coreTimes{}, false
	}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return coreTimes{}, false
	}
	return parseCore(string(b), "cpu"+cpu)
}

// parseCore reads the line of name ("cpu0") in a /proc/stat text. Its
// fields are user, nice, system, idle, iowait, irq, softirq, steal, ...;
// idle and iowait are the time not busy. Guest times are already inside
// user and nice, so only the first eight count.
func parseCore(stat, name string) (coreTimes, bool) {
	for line := range strings.Lines(stat) {
		fields := strings.Fields(line)
		if len(fields) < 9 || fields[0] != name {
			continue
		}
		var t coreTimes
		for i, f := range fields[1:9] {
			v, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return coreTimes{}, false
			}
			t.total += v
			if i != 3 && i != 4 {
				t.busy += v
			}
		}
		return t, true
	}
	return coreTimes{}, false
}

// busyFraction returns the share of the time between a and b the core was
// busy, or 0 if nothing was measured.
func busyFraction(a, b coreTimes) float64 {
	if b.total <= a.total {
		return 0
	}
	return float64(b.busy-a.busy) / float64(b.total-a.total)
}
