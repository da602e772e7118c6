package live

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/connectors/kinesis"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/input"
)

// BenchmarkCheckpoint measures one checkpoint as a live run writes it
// (pipeline and feed snapshot, encoding with its SHA-256, a local file
// written, synced and renamed) for a large state: 1M groups of an open
// GROUP BY window, and 3M rows in a sliding window (10,000 partitions). The run loop stops for
// the snapshot only (ms-pause); the encoding and the write of a periodic
// checkpoint go on in the background. drop-at-10s-% is the share of a 10 s
// interval the pause takes: the throughput lost with the default
// --checkpoint-interval (on a machine with a core to spare for the write).
func BenchmarkCheckpoint(b *testing.B) {
	for _, c := range []struct {
		name, sql string
		records   int
		keys      int // distinct TRADERs
	}{
		{"groupby-1M-groups", `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TRADER VARCHAR(16), N BIGINT, VOLUME BIGINT);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM TRADER, COUNT(*), SUM(VOLUME) FROM "SOURCE_SQL_STREAM_001"
  GROUP BY TRADER, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' HOUR);`, 1_000_000, 1_000_000},
		{"sliding-3M-rows", `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TRADER VARCHAR(16), PRICE DOUBLE, AVG_PRICE DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM TRADER, PRICE, AVG(PRICE) OVER W FROM "SOURCE_SQL_STREAM_001"
  WINDOW W AS (PARTITION BY TRADER RANGE INTERVAL '1' HOUR PRECEDING);`, 3_000_000, 10_000},
	} {
		b.Run(c.name, func(b *testing.B) {
			a := &app.Application{ApplicationName: "bench", ApplicationCode: c.sql, Inputs: []app.Input{{NamePrefix: "SOURCE_SQL_STREAM",
				InputSchema: app.SourceSchema{RecordFormat: app.RecordFormat{RecordFormatType: "JSON"}, RecordColumns: []app.RecordColumn{
					{Name: "TRADER", Mapping: "$.TRADER", SqlType: "VARCHAR(16)"}, {Name: "PRICE", Mapping: "$.PRICE", SqlType: "DOUBLE"},
					{Name: "VOLUME", Mapping: "$.VOLUME", SqlType: "BIGINT"}}}}}}
			p, err := engine.Start(engine.Options{App: a, Writers: map[string]io.Writer{"DESTINATION_SQL_STREAM": io.Discard}, Format: "ndjson", Stderr: io.Discard})
			if err != nil {
				b.Fatal(err)
			}
			base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC).UnixMilli()
			for i := range c.records {
				p.Push(0, -1, input.Record{Data: fmt.Appendf(nil, `{"TRADER":"t%07d","PRICE":%d.5,"VOLUME":%d}`, i%c.keys, i%1000, i%5000),
					Arrival: base + int64(i), ShardID: "shardId-000000000000", SequenceNumber: fmt.Sprint(i)})
			}
			feed := engine.NewFeed(p, time.Hour, nil)
			ops := p.Running().Operators()
			var groups, rows int64
			for _, op := range ops {
				st := op.StateSize()
				groups += st.Groups
				rows += st.Rows
			}
			cps := &checkpointer{lo: &Options{}, store: NewDirStore(b.TempDir(), "bench"), next: 1, p: p, feed: feed, app: "bench",
				inputs: []*liveInput{{pos: &kinesis.Checkpoint{Stream: "s", Shards: map[string]kinesis.ShardCheckpoint{"shardId-000000000000": {SequenceNumber: "1"}}}}}}
			var pause time.Duration
			b.ResetTimer()
			for range b.N {
				if err := cps.write(context.Background(), true); err != nil {
					b.Fatal(err)
				}
				pause += cps.took
			}
			b.StopTimer()
			per := b.Elapsed() / time.Duration(b.N)
			pause /= time.Duration(b.N)
			b.ReportMetric(float64(per.Microseconds())/1000, "ms/checkpoint")
			b.ReportMetric(float64(pause.Microseconds())/1000, "ms-pause")
			b.ReportMetric(float64(cps.bytes)/1e6, "MB")
			b.ReportMetric(float64(groups), "groups")
			b.ReportMetric(float64(rows), "rows")
			b.ReportMetric(100*pause.Seconds()/DefaultCheckpointInterval.Seconds(), "drop-at-10s-%")
		})
	}
}
