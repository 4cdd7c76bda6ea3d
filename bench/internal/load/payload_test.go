package load

import (
	"bytes"
	"testing"
	"time"
)

func TestMessageOfHasTheSizeAskedAndNoDotLines(t *testing.T) {
	for _, size := range []int{0, 150, 1024, 1025, 1026, 100000} {
		msg := messageOf(size)
		if !bytes.HasSuffix(msg, []byte("\r\n.\r\n")) {
			t.Fatalf("size %d: no terminating dot line", size)
		}
		content := msg[:len(msg)-3]
		if size >= 150 && (len(content) < size || len(content) > size+2) {
			t.Errorf("size %d: got %d bytes", size, len(content))
		}
		for _, line := range bytes.SplitAfter(content, []byte("\r\n")) {
			if bytes.HasPrefix(line, []byte(".")) {
				t.Errorf("size %d: line %q starts with a dot", size, line)
			}
			if len(line) > lineLen {
				t.Errorf("size %d: line of %d bytes", size, len(line))
			}
		}
	}
}

func TestParseReplyLine(t *testing.T) {
	cases := []struct {
		line     string
		code     int
		last, ok bool
	}{
		{"250 ok\r\n", 250, true, true},
		{"250-PIPELINING\r\n", 250, false, true},
		{"354\r\n", 354, true, true},
		{"25x ok\r\n", 0, false, false},
		{"250\r", 250, true, true},
		{"hi\r\n", 0, false, false},
	}
	for _, c := range cases {
		code, last, ok := parseReplyLine([]byte(c.line))
		if code != c.code || last != c.last || ok != c.ok {
			t.Errorf("%q: %d %v %v, want %d %v %v", c.line, code, last, ok, c.code, c.last, c.ok)
		}
	}
}

func TestHistogramPercentilesWithinResolution(t *testing.T) {
	var h histogram
	for i := 1; i <= 1000; i++ {
		h.record(time.Duration(i) * time.Microsecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Microsecond}, {0.9, 900 * time.Microsecond}, {0.99, 990 * time.Microsecond}} {
		got := h.percentile(c.q)
		if diff := got - c.want; diff < -c.want/32 || diff > c.want/32 {
			t.Errorf("p%v = %v, want %v within 1/32", c.q*100, got, c.want)
		}
	}
	var empty histogram
	if empty.percentile(0.5) != 0 {
		t.Error("empty histogram has a percentile")
	}
}
