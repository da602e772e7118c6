package observe

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/engine"
)

// splitApp has two in-application input streams (InputParallelism 2)
// that no pump connects: two parts, each writing the output's stream.
func splitApp() *app.Application {
	return &app.Application{ApplicationName: "split", ApplicationCode: `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (K VARCHAR(8), N BIGINT);
CREATE PUMP A AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM K, COUNT(*) FROM SOURCE_SQL_STREAM_001 GROUP BY K, STEP(ROWTIME BY INTERVAL '1' SECOND);
CREATE PUMP B AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM K, V FROM SOURCE_SQL_STREAM_002 WHERE V > 1;`,
		Inputs: []app.Input{{NamePrefix: "SOURCE_SQL_STREAM", InputParallelism: &app.InputParallelism{Count: 2},
			InputSchema: app.SourceSchema{RecordFormat: app.RecordFormat{RecordFormatType: "JSON"},
				RecordColumns: []app.RecordColumn{{Name: "K", Mapping: "$.K", SqlType: "VARCHAR(8)"}, {Name: "V", Mapping: "$.V", SqlType: "INTEGER"}}}}}}
}

// shardRecording writes n records of one shard (its number picks the
// in-application stream: shard 0 feeds _001, shard 1 _002).
func shardRecording(t *testing.T, shard, n int) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		data := base64.StdEncoding.EncodeToString(fmt.Appendf(nil, `{"K":"k%d","V":%d}`, i%2, i))
		fmt.Fprintf(&b, `{"ApproximateArrivalTimestamp":"2026-01-05T10:00:%02d.000Z","Data":%q,"PartitionKey":"p","SequenceNumber":"%d","ShardId":"shardId-%012d"}`+"\n", i, data, i+1, shard)
	}
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// When the parts of a split application run in pipelines of their own
// (a live run with --lease), every part's operators are served, labelled
// with the part, each part listing only the operators its rows reach; the
// other figures add up. Each pipeline here replays one part's shard.
func TestMetricsOfEveryPart(t *testing.T) {
	hub := New(Options{Logger: discard()})
	parts := []struct {
		name    string
		shard   int
		records int
	}{{"SOURCE_SQL_STREAM_001", 0, 10}, {"SOURCE_SQL_STREAM_002", 1, 6}}
	for _, pt := range parts {
		_, err := engine.Run(context.Background(), engine.Options{App: splitApp(), Replays: []engine.Replay{{Path: shardRecording(t, pt.shard, pt.records)}},
			Stdout: io.Discard, Stderr: io.Discard, Observer: hub.Part(pt.name, []string{pt.name})})
		if err != nil {
			t.Fatal(err)
		}
	}
	checkSamples(t, scrape(t, hub.Handler()), []sampleCheck{
		{"streamsql_input_records_total", []string{"input=SOURCE_SQL_STREAM"}, 16},
		{"streamsql_operator_rows_in_total", []string{"operator=A/tumbling", "part=SOURCE_SQL_STREAM_001"}, 10},
		{"streamsql_operator_rows_in_total", []string{"operator=B/select", "part=SOURCE_SQL_STREAM_002"}, 6},
		{"streamsql_operator_rows_out_total", []string{"operator=B/select", "part=SOURCE_SQL_STREAM_002"}, 4},
		{"streamsql_operator_rows_in_total", []string{"operator=DESTINATION_SQL_STREAM/stream", "part=SOURCE_SQL_STREAM_001"}, 10},
		{"streamsql_operator_rows_in_total", []string{"operator=DESTINATION_SQL_STREAM/stream", "part=SOURCE_SQL_STREAM_002"}, 4},
		{"streamsql_stream_rows_total", []string{"stream=DESTINATION_SQL_STREAM"}, 14},
		{"streamsql_run_finished", nil, 1},
		// A part lists only what its rows reach.
		{"streamsql_operator_rows_in_total", []string{"operator=A/tumbling", "part=SOURCE_SQL_STREAM_002"}, -1},
		{"streamsql_operator_rows_in_total", []string{"operator=B/select", "part=SOURCE_SQL_STREAM_001"}, -1},
		{"streamsql_operator_rows_in_total", []string{"operator=SOURCE_SQL_STREAM_002/stream", "part=SOURCE_SQL_STREAM_001"}, -1},
	})
	// The JSON snapshot (the console's) lists each part's operators.
	code, body := getBody(t, hub.Handler(), "/api/snapshot")
	var v View
	if err := json.Unmarshal([]byte(body), &v); code != 200 || err != nil {
		t.Fatalf("/api/snapshot: %d %v", code, err)
	}
	byPart := map[string][]string{}
	for _, op := range v.Operators {
		byPart[op.Part] = append(byPart[op.Part], op.Name)
	}
	if got := fmt.Sprint(byPart); got != "map[SOURCE_SQL_STREAM_001:[SOURCE_SQL_STREAM_001/stream DESTINATION_SQL_STREAM/stream A/tumbling A/select A/insert] "+
		"SOURCE_SQL_STREAM_002:[SOURCE_SQL_STREAM_002/stream DESTINATION_SQL_STREAM/stream B/select B/insert]]" {
		t.Errorf("/api/snapshot's operators by part: %s", got)
	}
	if v.RecordsIn != 16 || !v.Final || len(v.Streams["DESTINATION_SQL_STREAM"]) != 14 {
		t.Errorf("/api/snapshot: %d records in, final %v, %d latest rows of the output's stream; want 16, true, 14",
			v.RecordsIn, v.Final, len(v.Streams["DESTINATION_SQL_STREAM"]))
	}
	// The latest rows of the stream both parts write, in time order.
	rows := v.Streams["DESTINATION_SQL_STREAM"]
	if !slices.IsSortedFunc(rows, func(a, b string) int { return strings.Compare(rowtimeOf(a), rowtimeOf(b)) }) {
		t.Errorf("the parts' latest rows are not in time order:\n%s", strings.Join(rows, "\n"))
	}
}

func getBody(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, httptest.NewRequest("GET", path, nil))
	return rr.Code, rr.Body.String()
}

// A part handed over to another instance (Leave) is no longer shown; the
// other part's figures stay.
func TestPartLeaves(t *testing.T) {
	hub := New(Options{Logger: discard()})
	var leaving engine.Observer
	for i, name := range []string{"SOURCE_SQL_STREAM_001", "SOURCE_SQL_STREAM_002"} {
		ob := hub.Part(name, []string{name})
		if i == 0 {
			leaving = ob
		}
		if _, err := engine.Run(context.Background(), engine.Options{App: splitApp(), Replays: []engine.Replay{{Path: shardRecording(t, i, 4)}},
			Stdout: io.Discard, Stderr: io.Discard, Observer: ob}); err != nil {
			t.Fatal(err)
		}
	}
	leaving.(engine.PartLeaver).Leave()
	checkSamples(t, scrape(t, hub.Handler()), []sampleCheck{
		{"streamsql_operator_rows_in_total", []string{"operator=A/tumbling", "part=SOURCE_SQL_STREAM_001"}, -1},
		{"streamsql_operator_rows_in_total", []string{"operator=B/select", "part=SOURCE_SQL_STREAM_002"}, 4},
		{"streamsql_input_records_total", []string{"input=SOURCE_SQL_STREAM"}, 4},
	})
}
