package main

import (
	"fmt"
	"slices"
	"strings"
)

// sample is what one run of one client against one fresh server measured.
type sample struct {
	Server     string  `json:"server"`
	Scenario   string  `json:"scenario"`
	Client     string  `json:"client"` // smtpload or smtp-source
	Rep        int     `json:"rep"`
	MsgsPerSec float64 `json:"msgs_per_sec"`
	MBPerSec   float64 `json:"mb_per_sec"`
	P50Micros  float64 `json:"p50_us,omitempty"`
	P99Micros  float64 `json:"p99_us,omitempty"`
	ServerCPU  float64 `json:"server_cpu"`        // server CPU time over wall time
	CPUPerMsg  float64 `json:"server_us_per_msg"` // server CPU microseconds per message
	ClientCPU  float64 `json:"client_cpu"`
	ServerCore float64 `json:"server_core_busy"` // the server's CPU, from /proc/stat, softirq included
	ClientCore float64 `json:"client_core_busy"`
	// Other processes' estimated share of each CPU, and whether it was
	// enough to spoil the figures (see markDisturbed).
	ForeignServer float64 `json:"foreign_server_cpu"`
	ForeignClient float64 `json:"foreign_client_cpu"`
	Disturbed     bool    `json:"disturbed"`
	Reruns        int     `json:"reruns"` // disturbed tries thrown away before this one
	PeakRSS       int64   `json:"peak_rss"`
	Errors        int64   `json:"errors"`
	Failure       string  `json:"failure,omitempty"` // why the run measured nothing
	FirstError    string  `json:"first_error,omitempty"`
}

// cell gathers the repetitions of one server in one scenario and client.
type cell struct{ samples []sample }

// summary is a cell reduced to medians; errors are summed.
type summary struct {
	runs                            int
	msgsPerSec, mbPerSec, p50, p99  float64
	serverCPU, cpuPerMsg, clientCPU float64
	serverCore, clientCore          float64
	peakRSS                         float64
	errors                          int64
	failures, firstErrors           []string
	disturbed                       int // runs kept although other work shared the CPUs
}

func (c *cell) summarize() summary {
	var s summary
	var m [10][]float64
	for _, x := range c.samples {
		s.errors += x.Errors
		if x.FirstError != "" && !slices.Contains(s.firstErrors, x.FirstError) {
			s.firstErrors = append(s.firstErrors, x.FirstError)
		}
		if x.Failure != "" {
			s.failures = append(s.failures, x.Failure)
			continue
		}
		s.runs++
		if x.Disturbed {
			s.disturbed++
		}
		for i, v := range []float64{x.MsgsPerSec, x.MBPerSec, x.P50Micros, x.P99Micros,
			x.ServerCPU, x.CPUPerMsg, x.ClientCPU, float64(x.PeakRSS), x.ServerCore, x.ClientCore} {
			m[i] = append(m[i], v)
		}
	}
	s.msgsPerSec, s.mbPerSec, s.p50, s.p99 = median(m[0]), median(m[1]), median(m[2]), median(m[3])
	s.serverCPU, s.cpuPerMsg, s.clientCPU, s.peakRSS = median(m[4]), median(m[5]), median(m[6]), median(m[7])
	s.serverCore, s.clientCore = median(m[8]), median(m[9])
	return s
}

// note is what the report says under a row that lost runs or messages.
func (s summary) note() string {
	notes := append(slices.Clone(s.failures), s.firstErrors...)
	if s.disturbed > 0 {
		notes = append(notes, fmt.Sprintf("%d run(s) disturbed by other work", s.disturbed))
	}
	return strings.Join(notes, "; ")
}

// median returns the middle value (the mean of the two middle ones for an
// even count), or 0 for none.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Sorted(slices.Values(v))
	mid := len(v) / 2
	if len(v)%2 == 1 {
		return v[mid]
	}
	return (v[mid-1] + v[mid]) / 2
}
