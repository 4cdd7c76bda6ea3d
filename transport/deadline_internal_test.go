package transport

import (
	"testing"
	"time"
)

// TestMoveDeadline: a deadline in force is kept while it is no earlier than
// wanted and at most a thousandth of the timeout later; otherwise it moves,
// never earlier than wanted.
func TestMoveDeadline(t *testing.T) {
	t0 := time.Unix(1000, 0)
	const timeout = 5 * time.Minute
	slack := timeout / deadlineSlack
	for _, tc := range []struct {
		name      string
		cur, want time.Time
		move      bool
	}{
		{"none in force", time.Time{}, t0, true},
		{"exact", t0, t0, false},
		{"within the slack", t0.Add(slack), t0, false},
		{"past the slack", t0.Add(slack + 1), t0, true},
		{"earlier than wanted", t0.Add(-1), t0, true},
		{"a shorter timeout now", t0.Add(time.Minute), t0, true},
	} {
		got, move := moveDeadline(tc.cur, tc.want, timeout)
		if move != tc.move {
			t.Errorf("%s: move %v", tc.name, move)
		}
		if got.Before(tc.want) || got.After(tc.want.Add(slack)) {
			t.Errorf("%s: deadline %v, want within [%v, +%v]", tc.name, got, tc.want, slack)
		}
	}
}
