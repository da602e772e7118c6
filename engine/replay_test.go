package engine

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/app"
)

// A recording whose two shards were written one after the other (as
// concatenated per-shard get-records output is) replays in arrival order:
// every record lands in the window it arrived in. With the reorder slack
// disabled, shard 2's records would be clamped into the last window.
func TestReplayMergesShardsByArrival(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	line := func(shard string, sec int, block string) {
		data := base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf(`{"Block":%q,"Amount":1.00,"Customer":"c"}`, block)))
		fmt.Fprintf(&b, `{"ApproximateArrivalTimestamp":%q,"Data":%q,"PartitionKey":"k","SequenceNumber":"1","ShardId":%q}`+"\n",
			base.Add(time.Duration(sec)*time.Second).Format(time.RFC3339Nano), data, shard)
	}
	for _, s := range []int{1, 16, 31} {
		line("shardId-000000000000", s, "B1")
	}
	for _, s := range []int{2, 17, 32} {
		line("shardId-000000000001", s, "B2")
	}
	rec := filepath.Join(dir, "rec.jsonl")
	if err := os.WriteFile(rec, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	a, _, err := app.Load("../examples/spend/app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	run := func(reorder int) string {
		var out bytes.Buffer
		_, err := Run(context.Background(), Options{App: a, Replays: []Replay{{Path: rec}}, Format: "ndjson",
			Reorder: reorder, Writers: map[string]io.Writer{"DESTINATION_SQL_STREAM": &out}, Stderr: &bytes.Buffer{}})
		if err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	got := run(0)
	for _, want := range []string{
		`"Block":"B2","TotalAmount":1.00,"Purchases":1,"WindowStart":"2026-01-05 10:00:00.000"`,
		`"Block":"B2","TotalAmount":1.00,"Purchases":1,"WindowStart":"2026-01-05 10:00:15.000"`,
		`"Block":"B2","TotalAmount":1.00,"Purchases":1,"WindowStart":"2026-01-05 10:00:30.000"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("reordered replay lacks %s:\n%s", want, got)
		}
	}
	// File order: shard 1's records all arrive "after" 10:00:31 and are
	// clamped into the 10:00:30 window.
	if off := run(-1); !strings.Contains(off, `"Block":"B2","TotalAmount":3.00,"Purchases":3`) {
		t.Errorf("file-order replay:\n%s", off)
	}
}

// With InputParallelism.Count 3, a replayed shard feeds the in-application
// stream its number gives (shardId-...04 is _002), whatever order the
// shards first appear in.
func TestReplayShardsFeedStreamsByNumber(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	for i, shard := range []int{4, 2, 0, 3, 1} {
		data := base64.StdEncoding.EncodeToString([]byte(`{"K":"x"}`))
		fmt.Fprintf(&b, `{"ApproximateArrivalTimestamp":%q,"Data":%q,"PartitionKey":"k","SequenceNumber":"1","ShardId":"shardId-%012d"}`+"\n",
			base.Add(time.Duration(i)*time.Second).Format(time.RFC3339Nano), data, shard)
	}
	rec := filepath.Join(dir, "rec.jsonl")
	if err := os.WriteFile(rec, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var sql strings.Builder
	sql.WriteString(`CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (S INTEGER, SHARD VARCHAR(32));` + "\n")
	for k := 1; k <= 3; k++ {
		fmt.Fprintf(&sql, `CREATE PUMP P%d AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM %d, SHARD_ID FROM SOURCE_SQL_STREAM_%03d;`+"\n", k, k, k)
	}
	a := &app.Application{ApplicationName: "streams", ApplicationCode: sql.String(),
		Inputs: []app.Input{{NamePrefix: "SOURCE_SQL_STREAM", InputParallelism: &app.InputParallelism{Count: 3},
			InputSchema: app.SourceSchema{RecordFormat: app.RecordFormat{RecordFormatType: "JSON"},
				RecordColumns: []app.RecordColumn{{Name: "K", Mapping: "$.K", SqlType: "VARCHAR(8)"}}}}}}
	var out bytes.Buffer
	if _, err := Run(context.Background(), Options{App: a, Replays: []Replay{{Path: rec}}, Format: "ndjson",
		Writers: map[string]io.Writer{"DESTINATION_SQL_STREAM": &out}, Stderr: &bytes.Buffer{}}); err != nil {
		t.Fatal(err)
	}
	for shard, s := range []int{1, 2, 3, 1, 2} {
		if want := fmt.Sprintf(`{"S":%d,"SHARD":"shardId-%012d"}`, s, shard); !strings.Contains(out.String(), want) {
			t.Errorf("no %s in:\n%s", want, out.String())
		}
	}
	if n := strings.Count(out.String(), "\n"); n != 5 {
		t.Errorf("%d rows, want 5:\n%s", n, out.String())
	}
}
