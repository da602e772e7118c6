package engine

import "testing"

// BenchmarkReplayTumblingParallel is BenchmarkReplayTumbling on the
// parallel path (the reader, the decoding workers and the run loop on
// their goroutines) at any GOMAXPROCS, so that scripts/bench-instructions,
// which runs at -test.cpu 1, counts that path's instructions too.
func BenchmarkReplayTumblingParallel(b *testing.B) {
	defer func(a bool) { prefetchAlways = a }(prefetchAlways)
	prefetchAlways = true
	replayBench(b, tumblingSQL)
}
