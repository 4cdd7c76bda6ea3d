package main

import "testing"

func TestMedian(t *testing.T) {
	cases := []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}}
	for _, c := range cases {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestSummarizeSkipsFailedRunsAndSumsErrors(t *testing.T) {
	c := cell{samples: []sample{
		{MsgsPerSec: 100, Errors: 1, FirstError: "x"},
		{Failure: "server exited at start"},
		{MsgsPerSec: 300, Errors: 2, FirstError: "x"},
	}}
	s := c.summarize()
	if s.runs != 2 || s.msgsPerSec != 200 || s.errors != 3 {
		t.Errorf("runs %d, msgs/s %v, errors %d; want 2, 200, 3", s.runs, s.msgsPerSec, s.errors)
	}
	if got := s.note(); got != "server exited at start; x" {
		t.Errorf("note %q", got)
	}
	c.samples[0].Disturbed = true
	if got := c.summarize().note(); got != "server exited at start; x; 1 run(s) disturbed by other work" {
		t.Errorf("note %q", got)
	}
}

func TestMarkDisturbedComparesCoreBusyWithProcessCPU(t *testing.T) {
	quiet := sample{ServerCore: 0.99, ServerCPU: 0.97, ClientCore: 0.92, ClientCPU: 0.90}
	markDisturbed(&quiet)
	if quiet.Disturbed {
		t.Errorf("quiet run marked disturbed: %+v", quiet)
	}
	busy := sample{ServerCore: 1, ServerCPU: 1, ClientCore: 0.88, ClientCPU: 0.16}
	markDisturbed(&busy)
	if !busy.Disturbed || busy.ForeignClient < 0.7 {
		t.Errorf("client CPU shared with other work not marked: %+v", busy)
	}
}
