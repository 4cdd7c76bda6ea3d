package load

import (
	"math/bits"
	"time"
)

// subBits sets the histogram's resolution: each power of two is split into
// 2^subBits buckets, so a reported percentile is within 1/32 (about 3%) of
// the true value, at a fixed 8 KiB per session and no allocation per sample.
const subBits = 5

// histogram counts durations in log-linear buckets.
type histogram struct {
	counts [(64 - subBits + 1) << subBits]uint32
	total  uint64
}

// bucketOf returns the bucket of a duration of v nanoseconds.
func bucketOf(v uint64) int {
	if v < 1<<subBits {
		return int(v)
	}
	shift := bits.Len64(v) - 1 - subBits
	return (shift+1)<<subBits + int(v>>shift) - 1<<subBits
}

// bucketMid returns the middle of bucket i, in nanoseconds.
func bucketMid(i int) uint64 {
	if i < 1<<subBits {
		return uint64(i)
	}
	shift := i>>subBits - 1
	low := uint64(i&(1<<subBits-1)+1<<subBits) << shift
	return low + (uint64(1)<<shift)/2
}

func (h *histogram) record(d time.Duration) {
	h.counts[bucketOf(uint64(max(d, 0)))]++
	h.total++
}

// merge adds the counts of o to h.
func (h *histogram) merge(o *histogram) {
	for i, n := range o.counts {
		h.counts[i] += n
	}
	h.total += o.total
}

// percentile returns the duration below which a fraction q of the samples
// fall, or 0 without samples.
func (h *histogram) percentile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	rank := uint64(q*float64(h.total-1)) + 1
	var seen uint64
	for i, n := range h.counts {
		seen += uint64(n)
		if seen >= rank {
			return time.Duration(bucketMid(i))
		}
	}
	return 0
}
