// Package latency is a fixed-bucket histogram of call durations, kept by
// the goroutine that makes the calls and copied out by value: a metrics
// endpoint turns a copy into a Prometheus histogram at scrape time, so the
// calls pay one comparison loop and no lock.
package latency

import "time"

// Bounds are the buckets' upper bounds in seconds (Prometheus's default
// buckets, which span a fast PutRecords to a slow Lambda invocation).
var Bounds = [...]float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// Histogram counts durations per bucket (not cumulative; the last count is
// above the last bound). The zero value is empty.
type Histogram struct {
	Counts [len(Bounds) + 1]uint64
	Sum    float64 // seconds
	Count  uint64
}

// Observe adds one duration.
func (h *Histogram) Observe(d time.Duration) {
	s := d.Seconds()
	i := 0
	for i < len(Bounds) && s > Bounds[i] {
		i++
	}
	h.Counts[i]++
	h.Sum += s
	h.Count++
}

// Add sums two histograms.
func (h Histogram) Add(o Histogram) Histogram {
	for i := range h.Counts {
		h.Counts[i] += o.Counts[i]
	}
	h.Sum += o.Sum
	h.Count += o.Count
	return h
}

// Cumulative returns the count at or below each bound, keyed by bound (as
// prometheus.MustNewConstHistogram wants them).
func (h Histogram) Cumulative() map[float64]uint64 {
	out := make(map[float64]uint64, len(Bounds))
	var n uint64
	for i, b := range Bounds {
		n += h.Counts[i]
		out[b] = n
	}
	return out
}
