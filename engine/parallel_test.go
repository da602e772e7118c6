package engine

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/input/kpl"
	"github.com/streamsql/streamsql/internal/textdiff"
)

// tumbling10sSQL: COUNT, SUM and AVG per ticker in 10-second windows.
const tumbling10sSQL = `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER_SYMBOL VARCHAR(8), N BIGINT, VOLUME BIGINT, AVG_PRICE DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM TICKER_SYMBOL, COUNT(*), SUM(VOLUME), AVG(PRICE)
  FROM "SOURCE_SQL_STREAM_001"
  GROUP BY TICKER_SYMBOL, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);`

// TestParallelReplayIdentical: a replay decoded by parallel workers writes
// the bytes the one-goroutine path writes, at every GOMAXPROCS: outputs,
// error_stream and counters, over a recording with bad lines, payloads that
// fail to convert, shards out of arrival order and several windows; one
// recording, then two merged by arrival time.
func TestParallelReplayIdentical(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	recs := benchRecords(3000)
	for i, r := range recs {
		at := base.Add(time.Duration(i*20) * time.Millisecond)
		if i%7 == 3 {
			at = at.Add(-900 * time.Millisecond) // the other shard, a little behind
		}
		data := r.Data
		switch {
		case i%500 == 17:
			b.WriteString("not a record\n")
		case i%300 == 5:
			data = []byte(`{"TICKER_SYMBOL":"T001","PRICE":"not a number"}`)
		case i%400 == 9:
			data = []byte(`{"TICKER_SYMBOL":`)
		}
		fmt.Fprintf(&b, `{"SequenceNumber":"%d","ApproximateArrivalTimestamp":%q,"Data":%q,"PartitionKey":"k","ShardId":"shardId-00000000000%d"}`+"\n",
			i, at.Format(time.RFC3339Nano), base64.StdEncoding.EncodeToString(data), i%7/3)
	}
	rec := filepath.Join(dir, "rec.jsonl")
	if err := os.WriteFile(rec, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	queries := map[string]string{
		"tumbling": tumbling10sSQL,
		"sliding": `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TRADER VARCHAR(16), PRICE DOUBLE, AVG_PRICE DOUBLE, SHARD VARCHAR(32));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM TRADER, PRICE, AVG(PRICE) OVER W, SHARD_ID
  FROM "SOURCE_SQL_STREAM_001"
  WINDOW W AS (PARTITION BY TICKER_SYMBOL RANGE INTERVAL '5' SECOND PRECEDING);`,
	}
	// A second recording, merged with the first by arrival time.
	rec2 := filepath.Join(dir, "rec2.jsonl")
	var b2 bytes.Buffer
	for i, r := range recs[:2000] {
		fmt.Fprintf(&b2, `{"ApproximateArrivalTimestamp":%q,"Data":%q,"ShardId":"shardId-000000000009"}`+"\n",
			base.Add(time.Duration(i*45+7)*time.Millisecond).Format(time.RFC3339Nano), base64.StdEncoding.EncodeToString(r.Data))
	}
	if err := os.WriteFile(rec2, b2.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	replays := []Replay{{Path: rec}}
	run := func(query string, reorder int) string {
		var out, errs, stderr bytes.Buffer
		st, err := Run(context.Background(), Options{App: benchApp(query), Replays: replays, Format: "ndjson", Rowtime: true,
			Reorder: reorder, Writers: map[string]io.Writer{"DESTINATION_SQL_STREAM": &out, "error_stream": &errs}, Stderr: &stderr})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%s\n-- errors\n%s\n-- stats %d %d %+v", out.String(), errs.String(), st.RecordsIn, st.ErrorRows, st.Inputs)
	}
	defer func(p int, a bool) { runtime.GOMAXPROCS(p); prefetchAlways = a }(runtime.GOMAXPROCS(0), prefetchAlways)
	for _, two := range []bool{false, true} {
		replays = []Replay{{Path: rec}}
		if two {
			replays = append(replays, Replay{Path: rec2})
		}
		compareParallel(t, queries, run)
	}
}

func compareParallel(t *testing.T, queries map[string]string, run func(string, int) string) {
	for name, q := range queries {
		for _, reorder := range []int{0, -1} {
			runtime.GOMAXPROCS(1)
			prefetchAlways = false
			want := run(q, reorder)
			if !bytes.Contains([]byte(want), []byte("not a number")) || !bytes.Contains([]byte(want), []byte("rec.jsonl:")) {
				t.Fatalf("%s: the recording's errors are missing:\n%.2000s", name, want)
			}
			prefetchAlways = true
			for _, procs := range []int{1, 2, 4} {
				runtime.GOMAXPROCS(procs)
				if got := run(q, reorder); got != want {
					t.Errorf("%s, reorder %d, GOMAXPROCS %d: the parallel replay differs\n%s", name, reorder, procs, firstDiff(got, want))
				}
			}
		}
	}
}

func firstDiff(got, want string) string { return textdiff.At(got, want) }

// The replay says, at debug level, whether its records are decoded in
// parallel and why not; a parallel path that cannot start is a warning,
// and the replay still gives the same rows on one goroutine.
func TestSequentialReplaySaysWhy(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	for i, r := range benchRecords(500) {
		fmt.Fprintf(&b, `{"ApproximateArrivalTimestamp":%q,"Data":%q,"ShardId":"shardId-000000000000"}`+"\n",
			base.Add(time.Duration(i*50)*time.Millisecond).Format(time.RFC3339Nano), base64.StdEncoding.EncodeToString(r.Data))
	}
	rec := filepath.Join(dir, "rec.jsonl")
	if err := os.WriteFile(rec, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	defer func(p int, a bool) { runtime.GOMAXPROCS(p); prefetchAlways = a }(runtime.GOMAXPROCS(0), prefetchAlways)
	// replay runs the recording; broken makes the parallel decoders fail
	// to build after the checks passed (the planted fault).
	replay := func(broken bool) (rows, logs string) {
		var out, lb bytes.Buffer
		p, err := Start(Options{App: benchApp(tumblingSQL), Replays: []Replay{{Path: rec}}, Format: "ndjson",
			Writers: map[string]io.Writer{"DESTINATION_SQL_STREAM": &out}, Stderr: io.Discard,
			Log: slog.New(slog.NewJSONHandler(&lb, &slog.HandlerOptions{Level: slog.LevelDebug}))})
		if err != nil {
			t.Fatal(err)
		}
		if broken {
			p.l.inputs[0].schema.Columns[0].Mapping = "no dollar"
		}
		rp, err := p.OpenReplays()
		if err != nil {
			t.Fatal(err)
		}
		for {
			if _, ok := rp.PushNext(p); !ok {
				break
			}
		}
		rp.Close()
		if _, err := p.Finish(); err != nil {
			t.Fatal(err)
		}
		return out.String(), lb.String()
	}
	runtime.GOMAXPROCS(1)
	prefetchAlways = false
	want, logs := replay(false)
	if strings.Count(want, "\n") < 5 {
		t.Fatalf("rows:\n%s", want)
	}
	if !strings.Contains(logs, `"level":"DEBUG"`) || !strings.Contains(logs, `"event":"decoding"`) || !strings.Contains(logs, `"parallel":false,"reason":"one core (GOMAXPROCS 1)"`) {
		t.Errorf("one core:\n%s", logs)
	}
	runtime.GOMAXPROCS(2)
	got, logs := replay(false)
	if got != want || !strings.Contains(logs, `"parallel":true,"workers":1`) {
		t.Errorf("two cores: rows equal %v, logs:\n%s", got == want, logs)
	}
	got, logs = replay(true)
	if got != want || !strings.Contains(logs, `"level":"WARN"`) || !strings.Contains(logs, "parallel decoding did not start") ||
		!strings.Contains(logs, `mapping \"no dollar\"`) {
		t.Errorf("broken decoders: rows equal %v, logs:\n%s", got == want, logs)
	}
}

// TestParallelReplayArenas: the parallel replay reads records into chunk
// arenas it reuses, so what outlives a chunk must own its bytes: group keys
// a window keeps across the whole recording, metadata strings, and the user
// records of KPL-aggregated records that a later chunk hands out. Over
// enough chunks that arenas come back, the rows are those of the
// one-goroutine replay.
func TestParallelReplayArenas(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	recs := benchRecords(30 * chunkRecords)
	for i, r := range recs {
		data := r.Data
		if i%997 == 0 { // an aggregated record: its users straddle chunk ends
			var users []kpl.UserRecord
			n := 5
			if i == 997 {
				n = 15 * chunkRecords // handed out long after its line's chunk is through
			}
			for k := range n {
				users = append(users, kpl.UserRecord{PartitionKey: fmt.Sprintf("user-%d-%d", i, k), Data: recs[(i+k*7)%len(recs)].Data})
			}
			data = kpl.Aggregate(users)
		}
		fmt.Fprintf(&b, `{"SequenceNumber":"4959%08d","ApproximateArrivalTimestamp":%q,"Data":%q,"PartitionKey":"pk-%d","ShardId":"shardId-00000000000%d"}`+"\n",
			i, base.Add(time.Duration(i*20)*time.Millisecond).Format(time.RFC3339Nano), base64.StdEncoding.EncodeToString(data), i%13, i%3)
	}
	rec := filepath.Join(dir, "rec.jsonl")
	if err := os.WriteFile(rec, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	queries := []string{`
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TRADER VARCHAR(16), SECTOR VARCHAR(16), N BIGINT, PK VARCHAR(32), SEQ VARCHAR(32));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM TRADER, SECTOR, COUNT(*), MIN(PARTITION_KEY), MAX(SEQUENCE_NUMBER)
  FROM "SOURCE_SQL_STREAM_001"
  GROUP BY TRADER, SECTOR, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' HOUR);`, `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER_SYMBOL VARCHAR(8), EXCHANGE VARCHAR(8), PK VARCHAR(32), SEQ VARCHAR(32), SHARD VARCHAR(32));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM TICKER_SYMBOL, EXCHANGE, PARTITION_KEY, SEQUENCE_NUMBER, SHARD_ID
  FROM "SOURCE_SQL_STREAM_001";`}
	defer func(p int, a bool) { runtime.GOMAXPROCS(p); prefetchAlways = a }(runtime.GOMAXPROCS(0), prefetchAlways)
	for qi, q := range queries {
		run := func() string {
			var out bytes.Buffer
			st, err := Run(context.Background(), Options{App: benchApp(q), Replays: []Replay{{Path: rec}}, Format: "ndjson",
				Writers: map[string]io.Writer{"DESTINATION_SQL_STREAM": &out}, Stderr: io.Discard})
			if err != nil {
				t.Fatal(err)
			}
			if st.ErrorRows != 0 {
				t.Fatalf("%d error rows", st.ErrorRows)
			}
			return out.String()
		}
		runtime.GOMAXPROCS(1)
		prefetchAlways = false
		want := run()
		if strings.Count(want, "\n") < 1000 || qi == 1 && !strings.Contains(want, `"PK":"user-997-3"`) {
			t.Fatalf("the replay lacks rows:\n%.1000s", want)
		}
		prefetchAlways = true
		for _, procs := range []int{1, 2} {
			runtime.GOMAXPROCS(procs)
			if got := run(); got != want {
				t.Errorf("GOMAXPROCS %d: the parallel replay differs\n%s", procs, firstDiff(got, want))
			}
		}
	}
}
