package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	kinsdk "github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/engine/live"
	"github.com/streamsql/streamsql/input"
	"github.com/streamsql/streamsql/internal/awstest"
	"github.com/streamsql/streamsql/observe"
)

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, httptest.NewRequest("GET", path, nil))
	return rr.Code, rr.Body.String()
}

// waitStatus polls path until it answers code (or fails after 20 s).
func waitStatus(t *testing.T, h http.Handler, path string, code int) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, body := get(t, h, path)
		if got == code {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s answers %d, want %d: %s", path, got, code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// /readyz follows the shards of a live run: ready once every shard was
// read, not ready while reads stall (every GetRecords throttled), ready
// again when they resume; /healthz stays 200 all along (the loop turns),
// and the shard metrics count what was read and throttled.
func TestReadinessFollowsShards(t *testing.T) {
	awstest.Need(t)
	kc := kinesisClient(t, awstest.Kinesalite)
	in := createStream(t, kc, 2)
	putAll(t, kc, in, spendRecords(40))
	var stalled atomic.Bool
	proxy := awstest.NewProxy(t, awstest.Kinesalite, func(target string, n int, _ []byte) (int, string, bool) {
		if stalled.Load() && strings.HasSuffix(target, ".GetRecords") {
			return 400, `{"__type":"ProvisionedThroughputExceededException","message":"Rate exceeded for shard"}`, true
		}
		return 0, "", false
	})
	cfg := awstest.Config(t, proxy.URL)
	hub := observe.New(observe.Options{ReadyMaxAge: time.Second})
	h := hub.Handler()
	if code, _ := get(t, h, "/readyz"); code != 503 {
		t.Fatalf("/readyz before the start: %d, want 503", code)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var stderr bytes.Buffer
	logs := &lockedBuffer{}
	go func() {
		_, err := live.Run(ctx, engine.Options{App: spendApp(t, in), Stdout: io.Discard, Stderr: &stderr, Observer: hub},
			&live.Options{Position: "TRIM_HORIZON", CheckpointDir: t.TempDir(), PollInterval: 200 * time.Millisecond, Config: &cfg,
				Watch: hub.WatchSource, Checkpointed: hub.Checkpointed, Log: slog.New(slog.NewJSONHandler(logs, nil))})
		done <- err
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run: %v\n%s", err, stderr.String())
			}
		}
	}
	defer stop()
	waitStatus(t, h, "/readyz", 200)
	// Every record put was read, over both shards.
	deadline := time.Now().Add(20 * time.Second)
	for {
		fams := scrapeText(t, h)
		if strings.Count(fams, "streamsql_shard_records_total{") == 2 && sumMetric(fams, "streamsql_shard_records_total") == 40 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("shard metrics never counted the 40 records:\n%s", grepLines(fams, "streamsql_shard_"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The console's snapshot shows both shards with their lag.
	if code, snap := get(t, h, "/api/snapshot"); code != 200 || strings.Count(snap, `"input":"SOURCE_SQL_STREAM","id":"shardId-`) != 2 || !strings.Contains(snap, `"behindMillis":`) {
		t.Errorf("/api/snapshot's shards: %d %s", code, snap)
	}
	stalled.Store(true)
	body := waitStatus(t, h, "/readyz", 503)
	if !strings.Contains(body, "last read") || !strings.Contains(body, "shardId-") {
		t.Errorf("/readyz while stalled says %q; want the stale shards", body)
	}
	if code, body := get(t, h, "/healthz"); code != 200 {
		t.Errorf("/healthz while the shards stall: %d %s (the loop still turns)", code, body)
	}
	for deadline := time.Now().Add(20 * time.Second); sumMetric(scrapeText(t, h), "streamsql_shard_read_throttles_total") < 1; {
		if time.Now().After(deadline) {
			t.Fatalf("no throttled read counted while every read was throttled")
		}
		time.Sleep(100 * time.Millisecond)
	}
	stalled.Store(false)
	waitStatus(t, h, "/readyz", 200)
	waitStatus(t, h, "/healthz", 200)
	stop()
	// Throttling and the checkpoint are each one structured line.
	events := map[string]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("a log line that is not JSON: %q", line)
		}
		if ev, _ := m["event"].(string); ev != "" && events[ev] == nil {
			events[ev] = m
		}
	}
	if th := events["throttle"]; th == nil || !strings.Contains(th["call"].(string), "GetRecords "+in) || th["code"] != "ProvisionedThroughputExceededException" {
		t.Errorf("throttle event %v\nlogs:\n%s", th, logs.String())
	}
	if cp := events["checkpoint"]; cp == nil || cp["result"] != "saved" || cp["bytes"].(float64) <= 0 {
		t.Errorf("checkpoint event %v\nlogs:\n%s", cp, logs.String())
	}
	text := scrapeText(t, h)
	if n := sumMetric(text, `streamsql_checkpoints_total{result="saved"}`); n < 1 || sumMetric(text, "streamsql_checkpoint_size_bytes") <= 0 {
		t.Errorf("checkpoint metrics after the run:\n%s", grepLines(text, "streamsql_checkpoint"))
	}
}

func scrapeText(t *testing.T, h http.Handler) string {
	t.Helper()
	code, body := get(t, h, "/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	return body
}

// sumMetric adds the samples of one family in the text exposition.
func sumMetric(text, name string) float64 {
	var sum float64
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		f := strings.Fields(line)
		var v float64
		if _, err := fmt.Sscan(f[len(f)-1], &v); err == nil {
			sum += v
		}
	}
	return sum
}

func grepLines(text, prefix string) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, prefix) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// A split application run with --lease has a pipeline per part; --http
// serves every part's operators, labelled with the part, not only the
// first part's (one instance takes both parts, the second a grace
// later). Kinesis and DynamoDB on moto.
func TestMetricsOfEveryLivePart(t *testing.T) {
	cfg := awstest.Config(t, awstest.Moto)
	kc := kinsdk.NewFromConfig(cfg)
	in := createStream(t, kc, 2)
	var recs []input.Record
	for i := range 40 {
		recs = append(recs, input.Record{Data: fmt.Appendf(nil, `{"K":"k%d","V":%d}`, i%3, i), PartitionKey: fmt.Sprintf("k%d", i)})
	}
	putAll(t, kc, in, recs)
	a := &app.Application{ApplicationName: "split", ApplicationCode: `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (K VARCHAR(8), N BIGINT);
CREATE PUMP A AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM K, COUNT(*) FROM SOURCE_SQL_STREAM_001 GROUP BY K, STEP(ROWTIME BY INTERVAL '1' SECOND);
CREATE PUMP B AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM K, V FROM SOURCE_SQL_STREAM_002;`,
		Inputs: []app.Input{{NamePrefix: "SOURCE_SQL_STREAM", InputParallelism: &app.InputParallelism{Count: 2},
			KinesisStreamsInput: &app.ResourceRef{ResourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/" + in},
			InputSchema: app.SourceSchema{RecordFormat: app.RecordFormat{RecordFormatType: "JSON"},
				RecordColumns: []app.RecordColumn{{Name: "K", Mapping: "$.K", SqlType: "VARCHAR(8)"}, {Name: "V", Mapping: "$.V", SqlType: "INTEGER"}}}}}}
	hub := observe.New(observe.Options{PublishEvery: 50 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	h := hub.Handler()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		_, err := live.Run(ctx, engine.Options{App: a, Writers: map[string]io.Writer{"DESTINATION_SQL_STREAM": io.Discard}, Format: "ndjson", Stderr: logs, Observer: hub},
			&live.Options{Position: "TRIM_HORIZON", CheckpointDir: t.TempDir(), PollInterval: 100 * time.Millisecond, Config: &cfg,
				Lease: "dynamodb://" + awstest.Name("lease"), LeaseDuration: 300 * time.Millisecond, Watch: hub.WatchSource})
		done <- err
	}()
	want := map[string]string{ // an operator of each part, by part
		"SOURCE_SQL_STREAM_001": "A/tumbling",
		"SOURCE_SQL_STREAM_002": "B/select",
	}
	var text string
	for deadline := time.Now().Add(30 * time.Second); ; {
		text = scrapeText(t, h)
		got := 0
		for part, op := range want {
			if sumMetric(text, fmt.Sprintf(`streamsql_operator_rows_in_total{operator=%q,part=%q}`, op, part)) > 0 {
				got++
			}
		}
		if got == len(want) && sumMetric(text, "streamsql_input_records_total") == 40 {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("the operators of both parts never counted the 40 records:\n%s\n%s", grepLines(text, "streamsql_operator_rows_in_total"), logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Each part lists only what its rows reach; the stream both write
	// has a fan-in in each, together every row delivered.
	for _, wrong := range []string{`operator="A/tumbling",part="SOURCE_SQL_STREAM_002"`, `operator="B/select",part="SOURCE_SQL_STREAM_001"`, `part=""`} {
		if strings.Contains(text, wrong) {
			t.Errorf("/metrics has %s:\n%s", wrong, grepLines(text, "streamsql_operator_rows_in_total"))
		}
	}
	fanIn := sumMetric(text, `streamsql_operator_rows_in_total{operator="DESTINATION_SQL_STREAM/stream",part="SOURCE_SQL_STREAM_001"}`) +
		sumMetric(text, `streamsql_operator_rows_in_total{operator="DESTINATION_SQL_STREAM/stream",part="SOURCE_SQL_STREAM_002"}`)
	if rows := sumMetric(text, "streamsql_stream_rows_total"); fanIn != rows || rows < 1 {
		t.Errorf("the output stream's fan-ins count %v rows, the stream %v", fanIn, rows)
	}
	code, snap := get(t, h, "/api/snapshot")
	for part, op := range want {
		if code != 200 || !strings.Contains(snap, fmt.Sprintf(`"name":%q,"part":%q`, op, part)) {
			t.Errorf("/api/snapshot lacks %s of part %s: %d %s", op, part, code, snap)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("live run: %v\n%s", err, logs.String())
	}
}

// operatorParts are the parts the operator metrics served at url name
// (streamsql_operator_rows_in_total's part labels), sorted.
func operatorParts(t *testing.T, url string) []string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%s: %d %v", url, resp.StatusCode, err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(grepLines(string(body), "streamsql_operator_rows_in_total{"), "\n") {
		if _, rest, ok := strings.Cut(line, `part="`); ok {
			part, _, _ := strings.Cut(rest, `"`)
			seen[part] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}
