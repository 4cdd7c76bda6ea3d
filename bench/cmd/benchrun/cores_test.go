package main

import "testing"

func TestParseCoreCountsIdleAndIOWaitAsNotBusy(t *testing.T) {
	stat := "cpu  1 1 1 1 1 1 1 1 0 0\n" +
		"cpu0 10 0 20 30 5 0 15 0 7 0\n" +
		"cpu1 1 2 3 4 5 6 7 8 0 0\n"
	got, ok := parseCore(stat, "cpu0")
	if !ok || got.busy != 45 || got.total != 80 {
		t.Errorf("cpu0 = %+v, %v; want busy 45 of 80", got, ok)
	}
	if _, ok := parseCore(stat, "cpu2"); ok {
		t.Error("found a cpu2 that is not there")
	}
	if f := busyFraction(coreTimes{10, 100}, coreTimes{40, 200}); f != 0.3 {
		t.Errorf("busyFraction = %v, want 0.3", f)
	}
}
