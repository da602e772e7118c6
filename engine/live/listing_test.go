package live

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/connectors/kinesis"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/input"
)

// An input holds time back until every shard of its first listing has
// opened, not only the first: shard A opens and delivers caught-up records
// before shard B's Start comes in (each shard's reader sends its own), and
// B's backlog, older than A's records, keeps its arrival times as ROWTIME
// instead of being clamped to the time A's records moved to.
func TestInputHoldsTimeUntilEveryListedShardOpens(t *testing.T) {
	a := &app.Application{ApplicationName: "listing", ApplicationCode: `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ID BIGINT, T TIMESTAMP, A TIMESTAMP);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM ID, ROWTIME, APPROXIMATE_ARRIVAL_TIME FROM "SOURCE_SQL_STREAM_001";`,
		Inputs: []app.Input{{NamePrefix: "SOURCE_SQL_STREAM", InputSchema: app.SourceSchema{RecordFormat: app.RecordFormat{RecordFormatType: "JSON"},
			RecordColumns: []app.RecordColumn{{Name: "ID", Mapping: "$.ID", SqlType: "BIGINT"}}}}}}
	var out bytes.Buffer
	p, err := engine.Start(engine.Options{App: a, Writers: map[string]io.Writer{"DESTINATION_SQL_STREAM": &out}, Format: "ndjson", Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	now := base.Add(10 * time.Second)
	feed := engine.NewFeed(p, time.Minute, func() time.Time { return now })
	inputs := []*liveInput{{pos: &kinesis.Checkpoint{Stream: "s", Shards: map[string]kinesis.ShardCheckpoint{}}}}
	feed.Open(listing(0))
	recs := func(shard string, ids ...int) []input.Record {
		var rs []input.Record
		for _, id := range ids {
			rs = append(rs, input.Record{Data: fmt.Appendf(nil, `{"ID":%d}`, id), Arrival: base.Add(time.Duration(id) * time.Second).UnixMilli(),
				SequenceNumber: fmt.Sprint(id), ShardID: shard})
		}
		return rs
	}
	// The first listing has two shards; A's Start and caught-up records
	// (arrived at +5 s, +6 s) come before B's Start.
	take(inputs, feed, liveBatch{b: kinesis.Batch{ShardID: "A", Start: true, Listed: 2}})
	take(inputs, feed, liveBatch{b: kinesis.Batch{ShardID: "A", Records: recs("A", 5, 6)}})
	take(inputs, feed, liveBatch{b: kinesis.Batch{ShardID: "B", Start: true, Listed: 2}})
	take(inputs, feed, liveBatch{b: kinesis.Batch{ShardID: "B", Records: recs("B", 1, 2)}})
	feed.Drain()
	if _, err := p.Finish(); err != nil {
		t.Fatal(err)
	}
	arrivalTimes(t, out.String(), 4, "")
}
