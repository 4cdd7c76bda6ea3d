package main

import (
	"os"
	"testing"
)

// TestDiagramIsCurrent fails when fsm/diagram.md is not what the graph
// declared in fsm/graph.go draws: run go generate in fsm.
func TestDiagramIsCurrent(t *testing.T) {
	committed, err := os.ReadFile("../../diagram.md")
	if err != nil {
		t.Fatal(err)
	}
	if got := render(); string(committed) != got {
		t.Errorf("fsm/diagram.md is out of date: run go generate ./fsm\n--- generated\n%s\n--- committed\n%s", got, committed)
	}
}
