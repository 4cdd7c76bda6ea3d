package interop

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Deliberate is one allowed difference between gosmtpd and aiosmtpd, read
// from testdata/deliberate.txt:
//
//	# session             step  reason
//	bare-lf-command       1     RFC 5321 2.3.8: a bare LF does not end a command line
//
// Step is a reply index (0 is the greeting; see the golden file), "*" for
// every reply of the session, "end" for how the session ends, or
// "messages" for the delivered messages. The reason must cite the RFC
// clause or CVE that makes gosmtpd differ.
type Deliberate struct {
	Session string
	Step    string
	Reason  string
	Line    int // line in deliberate.txt
}

// citation is what a reason must contain: an RFC or a CVE.
var citation = regexp.MustCompile(`RFC ?\d+|CVE-\d{4}-\d+`)

// ParseDeliberate reads the allow-list.
func ParseDeliberate(src []byte) ([]Deliberate, error) {
	var out []Deliberate
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		d, err := parseDeliberateLine(line)
		if err != nil {
			return nil, fmt.Errorf("deliberate.txt line %d: %w", n, err)
		}
		d.Line = n
		key := d.Session + " " + d.Step
		if prev, dup := seen[key]; dup {
			return nil, fmt.Errorf("deliberate.txt line %d: repeats line %d", n, prev)
		}
		seen[key] = n
		out = append(out, d)
	}
	return out, sc.Err()
}

// parseDeliberateLine splits "session step reason...".
func parseDeliberateLine(line string) (Deliberate, error) {
	f := strings.Fields(line)
	if len(f) < 3 {
		return Deliberate{}, fmt.Errorf("want: session step reason, got %q", line)
	}
	d := Deliberate{Session: f[0], Step: f[1], Reason: strings.Join(f[2:], " ")}
	if !validStep(d.Step) {
		return d, fmt.Errorf("step %q is not a reply index, *, end or messages", d.Step)
	}
	if !citation.MatchString(d.Reason) {
		return d, fmt.Errorf("reason %q cites no RFC or CVE", d.Reason)
	}
	return d, nil
}

// validStep tells whether s names a step of a difference.
func validStep(s string) bool {
	if s == "*" || s == StepEnd || s == StepMessages {
		return true
	}
	n, err := strconv.Atoi(s)
	return err == nil && n >= 0
}

// Step names of differences that are not a reply.
const (
	StepEnd      = "end"
	StepMessages = "messages"
)

// Difference is one place where gosmtpd answered unlike aiosmtpd.
type Difference struct {
	Session string
	Step    string // reply index, StepEnd or StepMessages
	Detail  string
}

func (d Difference) String() string {
	return fmt.Sprintf("%s step %s: %s", d.Session, d.Step, d.Detail)
}

// AllowList applies the deliberate differences and remembers which entries
// were needed, so that stale entries (which explain nothing any more) can be
// reported and removed. It is safe for concurrent use by parallel subtests.
type AllowList struct {
	mu   sync.Mutex
	list []Deliberate
	used []bool
}

// NewAllowList wraps the parsed entries.
func NewAllowList(list []Deliberate) *AllowList {
	return &AllowList{list: list, used: make([]bool, len(list))}
}

// Explain returns the differences no entry allows.
func (a *AllowList) Explain(diffs []Difference) (unexplained []Difference) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, d := range diffs {
		i := findDeliberate(a.list, d)
		if i < 0 {
			unexplained = append(unexplained, d)
			continue
		}
		a.used[i] = true
	}
	return unexplained
}

// Stale returns the entries that allowed no difference so far.
func (a *AllowList) Stale() []Deliberate {
	a.mu.Lock()
	defer a.mu.Unlock()
	var stale []Deliberate
	for i, e := range a.list {
		if !a.used[i] {
			stale = append(stale, e)
		}
	}
	return stale
}

// findDeliberate returns the index of the entry allowing d, or -1. An entry
// for the exact step wins over a "*" entry.
func findDeliberate(list []Deliberate, d Difference) int {
	star := -1
	for i, e := range list {
		if e.Session != d.Session {
			continue
		}
		if e.Step == d.Step {
			return i
		}
		if e.Step == "*" && d.Step != StepMessages && star < 0 {
			star = i
		}
	}
	return star
}
