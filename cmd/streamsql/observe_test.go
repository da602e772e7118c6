package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/engine/live"
	"github.com/streamsql/streamsql/observe"
)

func TestObserveFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--hold"}, "--hold keeps the --http server up"},
		{[]string{"--log-format", "xml"}, `--log-format "xml": want text or json`},
		{[]string{"--log-level", "loud"}, `--log-level "loud"`},
	} {
		args := append([]string{"run", "../../examples/spend/app.yaml", "--replay", "../../examples/spend/purchases.jsonl"}, c.args...)
		code, _, stderr := runCLI(args...)
		if code != 2 || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.msg)
		}
	}
}

// holdRun starts `run ARGS --http 127.0.0.1:0 --hold --log-format json
// --quiet`, checks that every log line is JSON, and returns the console's
// URL and a function that stops the run and checks it ended cleanly.
func holdRun(t *testing.T, args ...string) (url string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- cmdRun(ctx, append(args, "--http", "127.0.0.1:0", "--hold", "--log-format", "json", "--quiet"), io.Discard, pw)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	urlRE := regexp.MustCompile(`"url":"(http://[^"]+)"`)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "{") {
			t.Errorf("a log line that is not JSON: %q", line)
		}
		if m := urlRE.FindStringSubmatch(line); m != nil && strings.Contains(line, `"event":"hold"`) {
			url = m[1]
			break
		}
	}
	go io.Copy(io.Discard, pr)
	stop = func() {
		t.Helper()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("run --hold did not end after its context")
		}
	}
	if url == "" {
		stop()
		t.Fatal("no hold line with the URL")
	}
	return url, stop
}

// get reads a URL's body.
func get(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return body
}

// run --http --hold serves the finished replay's figures until stopped,
// and the logs are JSON lines with --log-format json.
func TestRunHoldServesMetrics(t *testing.T) {
	url, stop := holdRun(t, "../../examples/spend/app.yaml", "--replay", "../../examples/spend/purchases.jsonl")
	defer stop()
	body := get(t, url+"metrics")
	for _, want := range []string{"streamsql_run_finished 1", `streamsql_input_records_total{input="SOURCE_SQL_STREAM"}`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// A replay of a two-shard recording counts each shard's records and
// payload bytes under the live run's shard metric names, and the console
// lists the shards; the figures are counted here from the file itself.
func TestReplayShardMetrics(t *testing.T) {
	const rec = "../../examples/spend/purchases.jsonl"
	data, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	records, bytes := map[string]int{}, map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r struct{ Data, ShardId string }
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		payload, err := base64.StdEncoding.DecodeString(r.Data)
		if err != nil {
			t.Fatal(err)
		}
		records[r.ShardId]++
		bytes[r.ShardId] += len(payload)
	}
	if len(records) != 2 || records["shardId-000000000000"] != 300 || records["shardId-000000000001"] != 300 {
		t.Fatalf("the recording's shards are not what the test expects: %v", records)
	}
	url, stop := holdRun(t, "../../examples/spend/app.yaml", "--replay", rec)
	defer stop()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(string(get(t, url+"metrics"))))
	if err != nil {
		t.Fatal(err)
	}
	got := func(name, shard string) float64 {
		f := fams[name]
		if f == nil {
			return -1
		}
		for _, m := range f.Metric {
			l := map[string]string{}
			for _, p := range m.Label {
				l[p.GetName()] = p.GetValue()
			}
			if l["input"] == "SOURCE_SQL_STREAM" && l["shard"] == shard {
				return m.GetCounter().GetValue()
			}
		}
		return -1
	}
	for shard := range records {
		if n := got("streamsql_shard_records_total", shard); n != float64(records[shard]) {
			t.Errorf("shard_records_total{shard=%q} = %v, want %d", shard, n, records[shard])
		}
		if n := got("streamsql_shard_bytes_total", shard); n != float64(bytes[shard]) {
			t.Errorf("shard_bytes_total{shard=%q} = %v, want %d", shard, n, bytes[shard])
		}
	}
	if n := len(fams["streamsql_shard_records_total"].GetMetric()); n != 2 {
		t.Errorf("%d shard_records_total series, want 2", n)
	}
	var view struct {
		Shards []struct {
			Input, ID      string
			Replay         bool
			Records, Bytes int
		}
	}
	if err := json.Unmarshal(get(t, url+"api/snapshot"), &view); err != nil {
		t.Fatal(err)
	}
	if len(view.Shards) != 2 {
		t.Fatalf("the console lists shards %+v", view.Shards)
	}
	for _, sh := range view.Shards {
		if sh.Input != "SOURCE_SQL_STREAM" || !sh.Replay || sh.Records != records[sh.ID] || sh.Bytes != bytes[sh.ID] {
			t.Errorf("console shard %+v, want %d records, %d bytes", sh, records[sh.ID], bytes[sh.ID])
		}
	}
}

func TestExplainFormats(t *testing.T) {
	for _, c := range []struct {
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{[]string{"--format", "dot"}, 0, "digraph streamsql {", ""},
		{[]string{"--format", "mermaid"}, 0, "flowchart LR", ""},
		{[]string{"--format", "json"}, 0, `"op": "TumblingWindow"`, ""},
		{[]string{"--format", "text"}, 0, "OUTPUT DESTINATION_SQL_STREAM -> Firehose delivery stream", ""},
		{[]string{"--format", "svg"}, 2, "", `--format "svg": want text, dot, mermaid or json`},
		{[]string{"--analyze"}, 2, "", "give its recording with --replay FILE"},
		{[]string{"--replay", "../../examples/news/clicks.jsonl"}, 2, "", "--replay is for --analyze"},
		{[]string{"--analyze", "--format", "dot", "--replay", "../../examples/news/clicks.jsonl"}, 0, `tumbling: 500 in, 115 out`, ""},
		{[]string{"--analyze", "--format", "mermaid", "--replay", "../../examples/news/clicks.jsonl"}, 0, "TMP_SQL_STREAM<br/>500 rows", ""},
		{[]string{"--analyze", "--format", "svg", "--replay", "../../examples/news/clicks.jsonl"}, 2, "", `explain --analyze: --format "svg": want text, dot, mermaid or json`},
		{[]string{"--analyze", "--replay", "../../examples/news/clicks.jsonl"}, 0, "ANALYZE: 500 records", ""},
		{[]string{"--analyze", "--format", "json", "--replay", "../../examples/news/clicks.jsonl"}, 0, `"rowsIn": 500`, ""},
	} {
		code, stdout, stderr := runCLI(append([]string{"explain", "../../examples/news/app.yaml"}, c.args...)...)
		if code != c.code || !strings.Contains(stdout, c.inStdout) || !strings.Contains(stderr, c.inStderr) {
			t.Errorf("explain %v: exit %d\nstdout %s\nstderr %s", c.args, code, stdout, stderr)
		}
	}
}

func TestProgressBarLine(t *testing.T) {
	b := newProgressBar(io.Discard)
	got := b.line(1234567, 50<<20, 100<<20, 10*time.Second)
	want := " 50% [============            ] 1,234,567 records  50.0 MiB/100.0 MiB  123,456 records/s  ETA 10s"
	if got != want {
		t.Errorf("line:\n got %q\nwant %q", got, want)
	}
	if got := b.line(42, 0, 0, time.Second); got != "42 records  42 records/s" {
		t.Errorf("line without a known size: %q", got)
	}
}

// A replay draws the bar as it goes (at most every 100 ms of its clock)
// and clears it at the end, before the summary.
func TestProgressBarDuringReplay(t *testing.T) {
	var out strings.Builder
	b := newProgressBar(&out)
	clock := time.Unix(0, 0)
	b.now = func() time.Time { clock = clock.Add(150 * time.Millisecond); return clock }
	a, err := loadApp("../../examples/news/app.yaml", "", nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	_, err = engine.Run(context.Background(), engine.Options{App: a, Replays: []engine.Replay{{Path: "../../examples/news/clicks.jsonl"}},
		Stdout: io.Discard, Stderr: io.Discard, Observer: b, BatchRecords: 100})
	if err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.Contains(s, "\r100% [========================] 500 records") || !strings.HasSuffix(s, "\r\x1b[K") || strings.Count(s, "\r") < 5 {
		t.Errorf("bar output %q", s)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// explain whose plan cannot be written (a full disk, a closed pipe) fails
// instead of exiting 0 with nothing printed.
func TestExplainWriteErrorFails(t *testing.T) {
	var stderr strings.Builder
	code := run([]string{"explain", "../../examples/news/app.yaml"}, failingWriter{}, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), "no space left on device") {
		t.Fatalf("explain to a failing stdout: exit %d, stderr %q", code, stderr.String())
	}
}

// brokenListener fails its first Accept as a listener does when the
// process runs out of file descriptors; closed closes when http.Server
// has given up on it.
type brokenListener struct {
	net.Listener
	once   sync.Once
	closed chan struct{}
}

func (l *brokenListener) Accept() (net.Conn, error) {
	return nil, errors.New("accept tcp: too many open files")
}

func (l *brokenListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// An --http server that stops serving during the run is reported when
// the run ends, not dropped.
func TestHTTPServerFailureIsLogged(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	bl := &brokenListener{Listener: ln, closed: make(chan struct{})}
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	hub := observe.New(observe.Options{Logger: log})
	w := &watcher{hub: hub, srv: hub.ServeOn(bl), log: log}
	select {
	case <-bl.closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not give up on a failing listener")
	}
	w.stop(context.Background())
	if s := logs.String(); !strings.Contains(s, "level=ERROR") || !strings.Contains(s, "too many open files") {
		t.Fatalf("logs:\n%s", s)
	}
}

// A live run's lines written printf-style (lease, resume, "warning: ..."
// lines) go through the run's logger: warnings at WARN without the
// prefix, the rest at INFO.
func TestLiveLinesGoThroughTheLogger(t *testing.T) {
	var b strings.Builder
	var lo live.Options
	withLog(slog.New(slog.NewJSONHandler(&b, nil)))(&lo)
	lo.Logf("warning: lease %s: release failed; a standby takes over once the lease runs out (%s)", "t/app", "10s")
	lo.Logf("resumed from checkpoint %s", "/tmp/app.checkpoint.000000000003")
	var lines []struct{ Level, Msg, Event string }
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		var x struct{ Level, Msg, Event string }
		if err := json.Unmarshal([]byte(l), &x); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		lines = append(lines, x)
	}
	if len(lines) != 2 || lines[0].Level != "WARN" || lines[0].Msg != "lease t/app: release failed; a standby takes over once the lease runs out (10s)" ||
		lines[1].Level != "INFO" || lines[1].Msg != "resumed from checkpoint /tmp/app.checkpoint.000000000003" || lines[0].Event != "live" {
		t.Errorf("lines %+v", lines)
	}
}
