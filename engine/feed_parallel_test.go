package engine

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/input"
	"github.com/streamsql/streamsql/operators"
)

// liveReads are the reads of three shards of a live run, interleaved as
// shard readers deliver them: batches of 1 to 2,500 records (reads of
// more than one chunk), arrival times a little out of step between the
// shards, payloads that fail to decode or to convert, each shard's last
// read ending the shard, and a shard that comes late.
func liveReads() []ShardRead {
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	recs := benchRecords(9000)
	var shards [3][]input.Record
	for i, r := range recs {
		s := i % 3
		r.Arrival = base.Add(time.Duration(i*7-s*300) * time.Millisecond).UnixMilli()
		r.ShardID = fmt.Sprintf("shardId-00000000000%d", s)
		r.SequenceNumber = fmt.Sprint(i)
		switch {
		case i%400 == 9:
			r.Data = []byte(`{"TICKER_SYMBOL":`)
		case i%300 == 5:
			r.Data = []byte(`{"TICKER_SYMBOL":"T001","PRICE":"not a number"}`)
		}
		shards[s] = append(shards[s], r)
		recs[i] = r
	}
	sizes := []int{1, 700, 2500, 40, 1024, 1025, 3}
	var reads []ShardRead
	for k := 0; ; k++ {
		more := false
		if k == 2 {
			// A shard no one opened shows up late with records from long
			// ago: their ROWTIME is raised to the run's time.
			late := slices.Clone(recs[:1500])
			for i := range late {
				late[i].ShardID, late[i].SequenceNumber = "shardId-000000000009", fmt.Sprint("late-", i)
			}
			reads = append(reads, ShardRead{Shard: "shardId-000000000009", Records: late, MillisBehind: 5000, End: true})
		}
		for s := range shards {
			n := min(sizes[(k+s)%len(sizes)], len(shards[s]))
			if n == 0 {
				continue
			}
			more = true
			reads = append(reads, ShardRead{Shard: shards[s][0].ShardID, Records: shards[s][:n], MillisBehind: 5000, End: n == len(shards[s])})
			shards[s] = shards[s][n:]
		}
		if !more {
			return reads
		}
	}
}

// TestFeedDecodedAheadIdentical: a live run whose reads are decoded by the
// workers (Ahead) writes the bytes the run loop's own decoding writes, at
// every GOMAXPROCS: outputs, error_stream and counters, with the input
// spread over two in-application streams by shard; and the same with a
// checkpoint (the feed's queue and the pipeline's state, taken while
// decoded records wait in the feed) restored into a new pipeline halfway.
func TestFeedDecodedAheadIdentical(t *testing.T) {
	reads := liveReads()
	queries := map[string]string{
		"tumbling": tumbling10sSQL,
		"sliding": `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TRADER VARCHAR(16), PRICE DOUBLE, AVG_PRICE DOUBLE, SHARD VARCHAR(32), SEQ VARCHAR(8));
CREATE OR REPLACE PUMP "P1" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM TRADER, PRICE, AVG(PRICE) OVER W, SHARD_ID, SEQUENCE_NUMBER
  FROM "SOURCE_SQL_STREAM_001"
  WINDOW W AS (PARTITION BY TICKER_SYMBOL RANGE INTERVAL '5' SECOND PRECEDING);
CREATE OR REPLACE PUMP "P2" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM TRADER, PRICE, PRICE, SHARD_ID, SEQUENCE_NUMBER FROM "SOURCE_SQL_STREAM_002" WHERE VOLUME > 3000;`,
	}
	run := func(code string, checkpointAt int) string {
		a := benchApp(code)
		a.Inputs[0].InputParallelism = &app.InputParallelism{Count: 2}
		var out, errs bytes.Buffer
		start := func() (*Pipeline, *Feed, *Ahead) {
			p, err := Start(Options{App: a, Format: "ndjson", Rowtime: true, Connectors: noConnectors{}, Stderr: io.Discard,
				Writers: map[string]io.Writer{"DESTINATION_SQL_STREAM": &out, "error_stream": &errs}})
			if err != nil {
				t.Fatal(err)
			}
			f := NewFeed(p, time.Hour, func() time.Time { return time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC) })
			for s := range 3 {
				f.Open(fmt.Sprintf("shardId-00000000000%d", s))
			}
			return p, f, p.DecodeAhead()
		}
		p, f, ahead := start()
		for k, r := range reads {
			if k == checkpointAt {
				if f.Queued() == 0 {
					t.Fatalf("read %d: nothing queued in the feed to checkpoint", k)
				}
				var fb, pb bytes.Buffer
				if err := f.Snapshot(&fb); err != nil {
					t.Fatal(err)
				}
				if err := p.Snapshot(&pb); err != nil {
					t.Fatal(err)
				}
				if _, err := p.Stop(); err != nil {
					t.Fatal(err)
				}
				ahead.Close()
				p, f, ahead = start()
				if err := f.Restore(&fb); err != nil {
					t.Fatal(err)
				}
				if err := p.Restore(&pb); err != nil {
					t.Fatal(err)
				}
			}
			r.Decoded = ahead.Decode(r.Input, r.Records)
			f.Batch(r)
		}
		f.Drain()
		st, err := p.Finish()
		ahead.Close()
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%s\n-- errors\n%s\n-- stats %d %d %v", out.String(), errs.String(), st.RecordsIn, st.ErrorRows, st.Errors)
	}
	defer func(p int, a bool) { runtime.GOMAXPROCS(p); prefetchAlways = a }(runtime.GOMAXPROCS(0), prefetchAlways)
	for name, q := range queries {
		runtime.GOMAXPROCS(1)
		prefetchAlways = false
		want := run(q, -1)
		if !bytes.Contains([]byte(want), []byte("not a number")) || !bytes.Contains([]byte(want), []byte("-- stats 10500 ")) {
			t.Fatalf("%s: the run's errors or records are missing:\n%s", name, want[max(len(want)-3000, 0):])
		}
		prefetchAlways = true
		for _, procs := range []int{1, 2, 4} {
			runtime.GOMAXPROCS(procs)
			if got := run(q, -1); got != want {
				t.Errorf("%s, GOMAXPROCS %d: decoded ahead, the run differs\n%s", name, procs, firstDiff(got, want))
			}
			if got := run(q, len(reads)/2); got != want {
				t.Errorf("%s, GOMAXPROCS %d, restored from a checkpoint: the run differs\n%s", name, procs, firstDiff(got, want))
			}
		}
	}
}

// noConnectors makes a pipeline a live one (the wall clock, no replay
// clock) with nothing to fetch.
type noConnectors struct{}

func (noConnectors) Reference(string) ([]byte, bool, error) { return nil, false, nil }

func (noConnectors) Output(string, app.Output, operators.ErrorSink) (Output, error) { return nil, nil }

// TestDecodeAheadSaysWhy: a live run says at debug level whether its
// records are decoded by workers, and why not.
func TestDecodeAheadSaysWhy(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, c := range []struct {
		procs     int
		insertion bool
		want      string
	}{
		{1, false, `"live":true,"parallel":false,"reason":"one core (GOMAXPROCS 1)"`},
		{2, false, `"live":true,"parallel":true,"workers":1`},
		{4, false, `"live":true,"parallel":true,"workers":3`},
		{2, true, `"live":true,"parallel":false,"reason":"--insertion-time stamps each record when the run loop takes it"`},
	} {
		runtime.GOMAXPROCS(c.procs)
		var lb bytes.Buffer
		p, err := Start(Options{App: benchApp(tumblingSQL), Connectors: noConnectors{}, InsertionTime: c.insertion, Stderr: io.Discard,
			Writers: map[string]io.Writer{"DESTINATION_SQL_STREAM": io.Discard},
			Log:     slog.New(slog.NewJSONHandler(&lb, &slog.HandlerOptions{Level: slog.LevelDebug}))})
		if err != nil {
			t.Fatal(err)
		}
		ahead := p.DecodeAhead()
		if (ahead != nil) != strings.Contains(c.want, `"parallel":true`) || !strings.Contains(lb.String(), `"event":"decoding"`) || !strings.Contains(lb.String(), c.want) {
			t.Errorf("GOMAXPROCS %d, insertion time %v: Ahead %v; want %s in\n%s", c.procs, c.insertion, ahead != nil, c.want, lb.String())
		}
		ahead.Close()
		p.Stop()
	}
}
