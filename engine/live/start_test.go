package live

import (
	"testing"
	"time"
)

// The moment a run starts reading is a whole millisecond later than any
// record that arrived before the call (arrival times are milliseconds)
// and has begun when the call returns, before any shard is opened: a
// resumed run reading a never-read shard from it reads neither a record
// older than the run nor misses one the run could have read.
func TestReadingStartIsTheNextMillisecond(t *testing.T) {
	for range 200 {
		before := time.Now()
		start := readingStart()
		after := time.Now()
		if !start.Equal(start.Truncate(time.Millisecond)) {
			t.Fatalf("start %v is not a whole millisecond", start)
		}
		if !start.After(before.Truncate(time.Millisecond)) {
			t.Fatalf("start %v is in the millisecond a record arriving before the call (%v) may carry", start, before)
		}
		if after.Before(start) {
			t.Fatalf("readingStart returned at %v, before its moment %v", after, start)
		}
	}
}
