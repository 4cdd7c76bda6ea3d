package main

import (
	"fmt"
	"strings"
)

// scenario is one row group of the report: a load shape that every server
// able to take it is measured under.
type scenario struct {
	key      string   // name for -scenarios
	title    string   // heading in the report
	load     []string // smtpload flags besides -addr, -d and -json
	size     int      // message bytes, for smtp-source's MB/s
	sessions int
	tls      bool     // needs STARTTLS: servers without it are skipped
	source   []string // smtp-source flags besides -m and the address; nil: not lock-step
	target   string   // the goal gosmtpd is tuned for, for the summary
}

const kib, mib = 1024, 1024 * 1024

// scenarios returns the benchmark's scenarios in report order.
func scenarios() []scenario {
	return []scenario{
		lockStep("single", "1 session, persistent, 1 KiB, lock-step", 1, kib, false, ""),
		lockStep("lockstep", "50 sessions x 1 KiB, lock-step", 50, kib, false, ">= 1.2x go-smtp msgs/s"),
		lockStep("reconnect", "50 sessions x 1 KiB, new connection per message", 50, kib, true, ""),
		lockStep("large", "10 sessions x 1 MiB, lock-step", 10, mib, false, ">= 3x go-smtp MB/s"),
		lockStep("c1000", "1000 sessions x 1 KiB, lock-step", 1000, kib, false, "no errors"),
		{key: "pipelined", title: "50 sessions x 1 KiB, RFC 2920 pipelined", sessions: 50, size: kib,
			load: []string{"-c", "50", "-size", "1024", "-mode", "pipelined"}, target: ">= 1.6x go-smtp msgs/s"},
		{key: "full", title: "50 sessions x 1 KiB, fully pipelined (whole transactions per write)", sessions: 50, size: kib,
			load: []string{"-c", "50", "-size", "1024", "-mode", "full"}, target: ">= 2.1x go-smtp msgs/s"},
		{key: "starttls", title: "50 sessions x 1 KiB, lock-step over STARTTLS", sessions: 50, size: kib, tls: true,
			load: []string{"-c", "50", "-size", "1024", "-starttls"}},
	}
}

// lockStep describes a lock-step scenario, which smtp-source also drives.
func lockStep(key, title string, sessions, size int, reconnect bool, target string) scenario {
	sc := scenario{key: key, title: title, size: size, sessions: sessions, target: target,
		load:   []string{"-c", fmt.Sprint(sessions), "-size", fmt.Sprint(size)},
		source: []string{"-s", fmt.Sprint(sessions), "-l", fmt.Sprint(size)},
	}
	if reconnect {
		sc.load = append(sc.load, "-reconnect")
	} else {
		sc.source = append(sc.source, "-d")
	}
	return sc
}

// selectScenarios keeps the scenarios named in the comma-separated list, or
// all of them for an empty list.
func selectScenarios(all []scenario, list string) ([]scenario, error) {
	if list == "" {
		return all, nil
	}
	var picked []scenario
	for _, key := range strings.Split(list, ",") {
		found := false
		for _, sc := range all {
			if sc.key == key {
				picked = append(picked, sc)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown scenario %q", key)
		}
	}
	return picked, nil
}
