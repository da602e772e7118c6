package engine

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/streamsql/streamsql/input"
)

var (
	recordingOnce sync.Once
	recordingPath string
)

// benchRecording writes benchRecords(n) as a recording once per test
// binary (the shape `streamsql record` writes).
func benchRecording(b *testing.B) string {
	recordingOnce.Do(func() {
		dir, err := os.MkdirTemp("", "streamsql-bench")
		if err != nil {
			b.Fatal(err)
		}
		recordingPath = filepath.Join(dir, "rec.jsonl")
		f, err := os.Create(recordingPath)
		if err != nil {
			b.Fatal(err)
		}
		w := input.NewWriter(f)
		for i, r := range benchRecords(1 << 17) {
			r.SequenceNumber = "49590000000000000000000000000" + string(rune('0'+i%10))
			r.PartitionKey = "T"
			if err := w.Write(r); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		f.Close()
	})
	return recordingPath
}

// BenchmarkReplayTumbling is `streamsql run --replay` of tumblingSQL over a
// recording file: reading, the envelope,
// base64, reordering, decoding and the window, end to end.
func BenchmarkReplayTumbling(b *testing.B) {
	replayBench(b, tumblingSQL)
}

// BenchmarkReplaySliding: slidingSQL (one NDJSON row out per record) from
// a recording file.
func BenchmarkReplaySliding(b *testing.B) {
	replayBench(b, slidingSQL)
}

// BenchmarkReplayTumblingStateBound is BenchmarkReplayTumbling with
// --max-state-memory checking the window's state (never reached).
func BenchmarkReplayTumblingStateBound(b *testing.B) {
	replayBench(b, tumblingSQL, func(o *Options) { o.MaxStateMemory = 1 << 40 })
}

func replayBench(b *testing.B, code string, opts ...func(*Options)) {
	path := benchRecording(b)
	a := benchApp(code)
	b.ReportAllocs()
	var n int64
	for i := 0; i < b.N; i++ {
		o := Options{App: a, Replays: []Replay{{Path: path}}, Format: "ndjson",
			Writers: map[string]io.Writer{"DESTINATION_SQL_STREAM": io.Discard}, Stderr: io.Discard}
		for _, f := range opts {
			f(&o)
		}
		st, err := Run(context.Background(), o)
		if err != nil {
			b.Fatal(err)
		}
		if st.ErrorRows != 0 {
			b.Fatalf("%d error rows", st.ErrorRows)
		}
		n += st.RecordsIn
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}
