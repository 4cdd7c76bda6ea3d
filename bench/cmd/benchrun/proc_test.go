package main

import (
	"testing"
	"time"
)

func TestParseStatCPUCountsFromTheLastParenthesis(t *testing.T) {
	stat := []byte("4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 1 0 0 0 250 30 0 0 20 0 1 0 100 0 0\n")
	got, err := parseStatCPU(stat)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2800 * time.Millisecond; got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestParseHWM(t *testing.T) {
	got, err := parseHWM([]byte("Name:\tx\nVmPeak:\t  9000 kB\nVmHWM:\t    1234 kB\nVmRSS:\t 1000 kB\n"))
	if err != nil || got != 1234*1024 {
		t.Errorf("got %d, %v; want %d", got, err, 1234*1024)
	}
	if _, err := parseHWM([]byte("Name:\tx\n")); err == nil {
		t.Error("no error without VmHWM")
	}
}
