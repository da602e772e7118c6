package e2e

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/connectors/lambda"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/engine/live"
	"github.com/streamsql/streamsql/internal/awstest"
)

// lambdaServer speaks Lambda's Invoke protocol and keeps the records of
// the KDA output events it receives, answering Ok for each.
type lambdaServer struct {
	mu      sync.Mutex
	records []string
	events  int
	fnPath  string
}

func (l *lambdaServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var ev lambda.Event
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &ev); err != nil || ev.InvocationID == "" || !strings.HasPrefix(ev.ApplicationARN, "arn:aws:kinesisanalytics:") {
		http.Error(w, fmt.Sprintf("bad event %v: %s", err, body), 400)
		return
	}
	var resp lambda.Response
	l.mu.Lock()
	l.events++
	l.fnPath = r.URL.Path
	for _, rec := range ev.Records {
		l.records = append(l.records, string(rec.Data))
		resp.Records = append(resp.Records, lambda.ResponseRecord{RecordID: rec.RecordID, Result: "Ok"})
	}
	l.mu.Unlock()
	b, _ := json.Marshal(resp)
	w.Write(b)
}

// csvTotals sums IMPRESSIONS and CLICKS per group over CSV rows
// (GENDER,SEGMENT_ID,ARTICLE_ID,IMPRESSIONS,CLICKS, each ending in a newline).
func csvTotals(t *testing.T, rows []string) map[string][2]int64 {
	t.Helper()
	out := map[string][2]int64{}
	for _, r := range rows {
		if !strings.HasSuffix(r, "\n") {
			t.Fatalf("CSV record without its newline: %q", r)
		}
		f, err := csv.NewReader(strings.NewReader(r)).Read()
		if err != nil || len(f) != 5 {
			t.Fatalf("row %q: %v", r, err)
		}
		g, s := f[0], f[1]
		if g == "" {
			g = "NULL"
		}
		if s == "" {
			s = "NULL"
		}
		k := g + "/" + s + "/" + f[2]
		imp, _ := strconv.ParseInt(f[3], 10, 64)
		clk, _ := strconv.ParseInt(f[4], 10, 64)
		v := out[k]
		v[0] += imp
		v[1] += clk
		out[k] = v
	}
	return out
}

// A Lambda destination in CSV, and a reference table refreshed from S3
// while the application runs: rows before the new version joined the old
// table, rows after it the new one.
func TestLambdaOutputAndReferenceRefresh(t *testing.T) {
	awstest.Need(t)
	fn := &lambdaServer{}
	srv := httptest.NewServer(fn)
	defer srv.Close()
	t.Setenv("AWS_ENDPOINT_URL_LAMBDA", srv.URL)

	kc := kinesisClient(t, awstest.Moto)
	in := createStream(t, kc, 1)
	bucket := awstest.Bucket(t)
	users, _ := os.ReadFile("../examples/news/users.csv")
	// Version 1: everyone's gender is X.
	var v1 strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(users)), "\n") {
		f := strings.Split(line, ",")
		v1.WriteString(f[0] + ",X," + f[2] + "\n")
	}
	awstest.PutObject(t, bucket, "reference/users.csv", []byte(v1.String()))
	a := newsApp(t, in, "unused", "unused", bucket)
	a.Outputs = []app.Output{{Name: "DESTINATION_SQL_STREAM", DestinationSchema: app.DestinationSchema{RecordFormatType: "CSV"},
		LambdaOutput: &app.ResourceRef{ResourceARN: "arn:aws:lambda:us-east-1:123456789012:function:news-post"}}}
	clicks := recording(t, "../examples/news/clicks.jsonl")

	var mu sync.Mutex
	var logs []string
	var read int64
	readCh := make(chan struct{}, 100)
	lo := &live.Options{Position: "TRIM_HORIZON", CloseWindowsOnStop: true, CheckpointDir: t.TempDir(), PollInterval: 200 * time.Millisecond, ReferenceRefresh: 100 * time.Millisecond,
		Logf: func(f string, args ...any) { mu.Lock(); logs = append(logs, fmt.Sprintf(f, args...)); mu.Unlock() },
		Progress: func(p live.Progress) {
			mu.Lock()
			read = p.RecordsIn
			mu.Unlock()
			select {
			case readCh <- struct{}{}:
			default:
			}
		}}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.After(20 * time.Second)
		for {
			mu.Lock()
			ok := cond()
			mu.Unlock()
			if ok {
				return
			}
			select {
			case <-readCh:
			case <-time.After(50 * time.Millisecond):
			case <-deadline:
				t.Fatalf("timed out waiting for %s; logs %v", what, logs)
			}
		}
	}
	ctx, cancel := contextWithCancel()
	type result struct {
		st  engine.Stats
		err error
	}
	done := make(chan result, 1)
	go func() {
		st, err := live.Run(ctx, engine.Options{App: a, Stderr: io.Discard, Stdout: io.Discard}, lo)
		done <- result{st, err}
	}()
	putAll(t, kc, in, clicks[:250])
	waitFor("250 records read", func() bool { return read >= 250 })
	awstest.PutObject(t, bucket, "reference/users.csv", users)
	waitFor("the new version", func() bool { return strings.Contains(strings.Join(logs, "\n"), "users: new version loaded") })
	putAll(t, kc, in, clicks[250:])
	waitFor("500 records read", func() bool { return read >= 500 })
	cancel()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	fn.mu.Lock()
	defer fn.mu.Unlock()
	if int64(len(fn.records)) != r.st.RowsOut["DESTINATION_SQL_STREAM"] || fn.events == 0 {
		t.Fatalf("the function got %d records in %d events; the run produced %d rows", len(fn.records), fn.events, r.st.RowsOut["DESTINATION_SQL_STREAM"])
	}
	if !strings.Contains(fn.fnPath, "function:news-post/invocations") {
		t.Errorf("invoked %s", fn.fnPath)
	}
	// Rows read before the new version joined version 1 (gender X, same
	// segments); the rest joined the real table. Users missing from the
	// table give NULL groups in both.
	want := map[string][2]int64{}
	add := func(k string, v [2]int64) {
		w := want[k]
		want[k] = [2]int64{w[0] + v[0], w[1] + v[1]}
	}
	for k, v := range totals(t, replayRows(t, clicks[:250])) {
		if !strings.HasPrefix(k, "NULL/") {
			k = "X" + k[strings.Index(k, "/"):]
		}
		add(k, v)
	}
	for k, v := range totals(t, replayRows(t, clicks[250:])) {
		add(k, v)
	}
	got := csvTotals(t, fn.records)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("totals:\ngot  %v\nwant %v", got, want)
	}
	xs := 0
	for k := range got {
		if strings.HasPrefix(k, "X/") {
			xs++
		}
	}
	if xs == 0 || len(got) == xs {
		t.Fatalf("want groups from both versions of the table: %v", got)
	}
}
