package observe

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/engine"
)

// newsReplay is the news example's recording with two records that give
// no row: one whose payload is not JSON, one that is not a record at all.
func newsReplay(t *testing.T) (a *app.Application, rec string, bytes int64) {
	t.Helper()
	dir, err := filepath.Abs("../examples/news")
	if err != nil {
		t.Fatal(err)
	}
	a, _, err = app.Load(filepath.Join(dir, "app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "clicks.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	bad := base64.StdEncoding.EncodeToString([]byte("not json"))
	data = append(data, fmt.Sprintf(`{"ApproximateArrivalTimestamp":"2026-01-05T10:09:59.000Z","Data":%q,"PartitionKey":"x","SequenceNumber":"1","ShardId":"shardId-000000000000"}`+"\n", bad)...)
	rec = filepath.Join(t.TempDir(), "clicks.jsonl")
	if err := os.WriteFile(rec, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return a, rec, 0
}

// scrape reads /metrics into families by name.
func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, httptest.NewRequest("GET", "/metrics", nil))
	if rr.Code != 200 {
		t.Fatalf("/metrics: %d %s", rr.Code, rr.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(rr.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// sample finds a sample by its labels ("k=v" pairs); -1 when absent.
func sample(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := fams[name]
	if f == nil {
		return -1
	}
next:
	for _, m := range f.Metric {
		got := map[string]string{}
		for _, l := range m.Label {
			got[l.GetName()] = l.GetValue()
		}
		for _, kv := range labels {
			k, v, _ := strings.Cut(kv, "=")
			if got[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		case m.Untyped != nil:
			return m.Untyped.GetValue()
		}
	}
	return -1
}

// sampleCheck is a sample expected in a scrape: its family, its labels
// ("k=v") and its value (-1: absent).
type sampleCheck struct {
	name   string
	labels []string
	want   float64
}

func checkSamples(t *testing.T, fams map[string]*dto.MetricFamily, checks []sampleCheck) {
	t.Helper()
	for _, c := range checks {
		if got := sample(fams, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
}

// After a known replay, /metrics has the run's figures under their
// documented names, equal to what the run itself reports.
func TestMetricsAfterReplay(t *testing.T) {
	a, rec, _ := newsReplay(t)
	hub := New(Options{Version: "test"})
	st, err := engine.Run(context.Background(), engine.Options{App: a, Replays: []engine.Replay{{Path: rec}},
		References: map[string]string{"users": filepath.Join(a.Dir, "users.csv")}, Stdout: io.Discard, Stderr: io.Discard, Observer: hub})
	if err != nil {
		t.Fatal(err)
	}
	fams := scrape(t, hub.Handler())
	checkSamples(t, fams, []sampleCheck{
		{"streamsql_input_records_total", []string{"input=SOURCE_SQL_STREAM"}, 501},
		{"streamsql_input_failed_records_total", []string{"input=SOURCE_SQL_STREAM"}, 1},
		{"streamsql_operator_rows_in_total", []string{"operator=ENRICH_PUMP/refjoin"}, 500},
		{"streamsql_operator_rows_out_total", []string{"operator=ENRICH_PUMP/refjoin"}, 500},
		{"streamsql_operator_rows_in_total", []string{"operator=AGGREGATE_PUMP/tumbling"}, 500},
		{"streamsql_operator_rows_out_total", []string{"operator=AGGREGATE_PUMP/tumbling"}, 115},
		{"streamsql_operator_late_rows_total", []string{"operator=AGGREGATE_PUMP/tumbling"}, 0},
		{"streamsql_operator_state_groups", []string{"operator=AGGREGATE_PUMP/tumbling"}, 0}, // all windows closed at the end
		{"streamsql_stream_rows_total", []string{"stream=DESTINATION_SQL_STREAM"}, 115},
		{"streamsql_output_rows_total", []string{"output=DESTINATION_SQL_STREAM", "destination=stdout"}, 115},
		{"streamsql_output_pending_rows", []string{"output=DESTINATION_SQL_STREAM", "destination=stdout"}, 0},
		{"streamsql_output_delivery_duration_seconds", []string{"output=DESTINATION_SQL_STREAM"}, 0},
		{"streamsql_late_rows_total", nil, 0},
		{"streamsql_run_finished", nil, 1},
		{"streamsql_build_info", []string{"version=test"}, 1},
	})
	// The figures the run reports are the ones served.
	if got := sample(fams, "streamsql_input_bytes_total", "input=SOURCE_SQL_STREAM"); got != float64(st.Inputs[0].Bytes) || got < 41505 {
		t.Errorf("input bytes %v, run says %d", got, st.Inputs[0].Bytes)
	}
	if st.ErrorRows != 1 {
		t.Fatalf("the run sent %d rows to error_stream, want 1 (%v)", st.ErrorRows, st.Errors)
	}
	for name, n := range st.Errors {
		if got := sample(fams, "streamsql_error_stream_rows_total", "error_name="+name); got != float64(n) {
			t.Errorf("error_stream_rows_total{error_name=%q} = %v, want %d", name, got, n)
		}
	}
	// The console's snapshot has the last rows of each stream and the error.
	s := hub.Latest()
	if rows := s.Streams["DESTINATION_SQL_STREAM"]; len(rows) != 20 || !strings.Contains(rows[19], `"IMPRESSIONS"`) {
		t.Errorf("DESTINATION_SQL_STREAM's latest rows: %q", rows)
	}
	if len(s.Errors) != 1 {
		t.Errorf("error rows kept: %q", s.Errors)
	}
}

// Every metric the collector can emit is listed in docs/metrics.md, and
// the document lists no metric that does not exist.
func TestMetricsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	text, _, _ := strings.Cut(string(doc), "## Not yet") // reserved names follow
	known := map[string]bool{"streamsql_build_info": true, "streamsql_last_loop_timestamp_seconds": true}
	for _, m := range allMetrics {
		known[descName(m)] = true
		_, help, _ := strings.Cut(m.desc.String(), `help: "`)
		help, _, _ = strings.Cut(help, `", constLabels`)
		if !strings.Contains(text, help) {
			t.Errorf("docs/metrics.md does not give %s's help text %q", descName(m), help)
		}
	}
	for name := range known {
		if !strings.Contains(text, "`"+name+"`") {
			t.Errorf("docs/metrics.md does not list %s", name)
		}
	}
	for _, f := range strings.Fields(text) {
		f = strings.Trim(f, "`|,.")
		if strings.HasPrefix(f, "streamsql_") && !known[f] && !strings.HasSuffix(f, "_") && !strings.HasSuffix(f, "*") {
			t.Errorf("docs/metrics.md lists %s, which no collector emits", f)
		}
	}
}

func descName(m metric) string {
	s := m.desc.String() // Desc{fqName: "streamsql_...", ...}
	_, rest, _ := strings.Cut(s, `fqName: "`)
	name, _, _ := strings.Cut(rest, `"`)
	return name
}

// /healthz fails when the engine's loop stops turning and recovers when it
// turns again; /readyz is ready once the graph is built (a replay).
func TestHealthFollowsTheLoop(t *testing.T) {
	a, rec, _ := newsReplay(t)
	hub := New(Options{HealthMaxAge: 100 * time.Millisecond})
	h := hub.Handler()
	get := func(path string) int {
		rr := httptest.NewRecorder()
		h.ServeHTTP(rr, httptest.NewRequest("GET", path, nil))
		return rr.Code
	}
	if get("/readyz") != 503 || get("/healthz") != 200 {
		t.Fatalf("before the start: readyz %d healthz %d; want 503, 200", get("/readyz"), get("/healthz"))
	}
	p, err := engine.Start(engine.Options{App: a, Replays: []engine.Replay{{Path: rec}},
		References: map[string]string{"users": filepath.Join(a.Dir, "users.csv")}, Stdout: io.Discard, Stderr: io.Discard, Observer: hub})
	if err != nil {
		t.Fatal(err)
	}
	if get("/readyz") != 200 || get("/healthz") != 200 {
		t.Fatalf("started: readyz %d healthz %d; want 200, 200", get("/readyz"), get("/healthz"))
	}
	time.Sleep(150 * time.Millisecond)
	if code := get("/healthz"); code != 503 {
		t.Fatalf("/healthz after the loop stalled: %d, want 503", code)
	}
	p.Observe()
	if code := get("/healthz"); code != 200 {
		t.Fatalf("/healthz after the loop turned again: %d, want 200", code)
	}
	p.Finish()
	time.Sleep(150 * time.Millisecond)
	if code := get("/healthz"); code != 200 {
		t.Fatalf("/healthz after the run ended (held): %d, want 200", code)
	}
}

func TestListenAddr(t *testing.T) {
	for in, want := range map[string]string{":8080": "127.0.0.1:8080", "0.0.0.0:9": "0.0.0.0:9", "localhost:1": "localhost:1", "[::1]:2": "[::1]:2"} {
		if got := ListenAddr(in); got != want {
			t.Errorf("ListenAddr(%q) = %q, want %q", in, got, want)
		}
	}
}

// The server answers on a real socket and stops cleanly with an event
// stream open.
func TestServeAndClose(t *testing.T) {
	hub := New(Options{Logger: discard()})
	srv, err := hub.Serve("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + srv.Addr() + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("/events content type %q", ct)
	}
	start := time.Now()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %v with an event stream open", d)
	}
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Reference refreshes are counted by result.
func TestRefreshMetrics(t *testing.T) {
	a, rec, _ := newsReplay(t)
	hub := New(Options{PublishEvery: time.Nanosecond})
	users := filepath.Join(a.Dir, "users.csv")
	p, err := engine.Start(engine.Options{App: a, Replays: []engine.Replay{{Path: rec}},
		References: map[string]string{"users": users}, Stdout: io.Discard, Stderr: io.Discard, Observer: hub})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(users)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ReplaceTable("users", data); err != nil {
		t.Fatal(err)
	}
	p.RefreshFailed("users")
	p.Observe()
	fams := scrape(t, hub.Handler())
	if got := sample(fams, "streamsql_reference_refreshes_total", "table=users", "result=loaded"); got != 1 {
		t.Errorf("loaded refreshes %v, want 1", got)
	}
	if got := sample(fams, "streamsql_reference_refreshes_total", "table=users", "result=failed"); got != 1 {
		t.Errorf("failed refreshes %v, want 1", got)
	}
	p.Finish()
}

// Checkpoint writes are counted by result, and a save whose old
// checkpoints stayed is counted apart.
func TestCheckpointMetrics(t *testing.T) {
	hub := New(Options{})
	hub.Checkpointed(100, time.Millisecond, nil)
	hub.Checkpointed(120, time.Millisecond, nil)
	hub.Checkpointed(0, time.Millisecond, errors.New("disk full"))
	hub.CheckpointPruneFailed(errors.New("removing old checkpoint: permission denied"))
	fams := scrape(t, hub.Handler())
	for name, want := range map[string]float64{"streamsql_checkpoint_prune_failures_total": 1, "streamsql_checkpoint_size_bytes": 120} {
		if got := sample(fams, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if got := sample(fams, "streamsql_checkpoints_total", "result=saved"); got != 2 {
		t.Errorf("saved %v, want 2", got)
	}
	if got := sample(fams, "streamsql_checkpoints_total", "result=failed"); got != 1 {
		t.Errorf("failed %v, want 1", got)
	}
}
