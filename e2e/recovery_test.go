package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	kinsdk "github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/streamsql/streamsql/connectors/kinesis"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/engine/live"
	"github.com/streamsql/streamsql/input"
	"github.com/streamsql/streamsql/internal/awstest"
)

// recoveryIdle is the --idle-timeout of the runs compared with a replay.
// A shard silent for the idle timeout stops holding time back, so a shard
// whose first read after a start, restart or takeover answers later than
// that (a loaded machine, a slow kinesalite) lets time pass its backlog,
// whose rows then get later ROWTIMEs than the replay's. The default keeps
// that out of reach; endProducing waits for the windows to close (up to a
// minute), not a fixed time.
const recoveryIdle = "10s"

// recoveryApp is testdata/recovery/app.sql (tumbling, sliding and stagger
// windows, a stream join and COUNT_DISTINCT_ITEMS_TUMBLING, all into one
// output) reading stream in and delivering JSON rows to stream out.
func recoveryApp(t testing.TB, in, out string) string {
	return recoveryAppOf(t, "testdata/recovery/app.sql", 1, in, out)
}

// recoveryAppOf is recoveryApp with the SQL of file and count in-application
// input streams (InputParallelism.Count).
func recoveryAppOf(t testing.TB, file string, count int, in, out string) string {
	t.Helper()
	sql, err := filepath.Abs(file)
	if err != nil {
		t.Fatal(err)
	}
	yaml := strings.NewReplacer("{{SQL}}", sql, "{{IN}}", in, "{{OUT}}", out, "{{COUNT}}", fmt.Sprint(count)).Replace(`ApplicationName: recovery
ApplicationCodeFile: {{SQL}}
Inputs:
  - NamePrefix: SOURCE_SQL_STREAM
    InputParallelism: {Count: {{COUNT}}}
    KinesisStreamsInput: {ResourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/{{IN}}"}
    InputSchema:
      RecordFormat: {RecordFormatType: JSON, MappingParameters: {JSONMappingParameters: {RecordRowPath: "$"}}}
      RecordEncoding: UTF-8
      RecordColumns:
        - {Name: ID, Mapping: "$.ID", SqlType: BIGINT}
        - {Name: K, Mapping: "$.K", SqlType: VARCHAR(8)}
        - {Name: V, Mapping: "$.V", SqlType: INTEGER}
        - {Name: D, Mapping: "$.D", SqlType: VARCHAR(8)}
Outputs:
  - Name: DESTINATION_SQL_STREAM
    DestinationSchema: {RecordFormatType: JSON}
    KinesisStreamsOutput: {ResourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/{{OUT}}"}
`)
	path := filepath.Join(t.TempDir(), "app.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// producer writes records to a stream, one PutRecord every few
// milliseconds, until stopped; it returns how many it wrote.
func producer(t *testing.T, c *kinsdk.Client, stream string) (stop func() int) {
	return producerKeys(t, c, stream, 1)
}

// producerKeys is producer with partition keys p0 .. p(keys-1) in turn,
// which spread the records over the stream's shards.
func producerKeys(t *testing.T, c *kinsdk.Client, stream string, keys int) (stop func() int) {
	var n atomic.Int64
	quit := make(chan struct{})
	done := make(chan struct{})
	r := rand.New(rand.NewPCG(1, 2))
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-quit:
				return
			case <-time.After(8 * time.Millisecond):
			}
			data := fmt.Sprintf(`{"ID":%d,"K":"k%d","V":%d,"D":"d%d"}`, i, r.IntN(4), r.IntN(20), r.IntN(12))
			pk := "p"
			if keys > 1 {
				pk = fmt.Sprintf("p%d", i%keys)
			}
			if _, err := c.PutRecord(context.Background(), &kinsdk.PutRecordInput{StreamName: aws.String(stream), Data: []byte(data), PartitionKey: aws.String(pk)}); err != nil {
				t.Errorf("producer: %v", err)
				return
			}
			n.Add(1)
		}
	}()
	var once sync.Once
	return func() int {
		once.Do(func() { close(quit); <-done })
		return int(n.Load())
	}
}

// readAll reads a stream from TRIM_HORIZON until it has been quiet for a
// while.
func readAll(t *testing.T, c *kinsdk.Client, stream string) []input.Record {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := kinesis.NewSource(c, kinesis.SourceOptions{Stream: kinesis.Stream{Name: stream}, Position: kinesis.TrimHorizon, PollInterval: 200 * time.Millisecond})
	go src.Run(ctx)
	var out []input.Record
	quiet := time.NewTimer(3 * time.Second)
	for {
		select {
		case b := <-src.Batches():
			if len(b.Records) > 0 {
				out = append(out, b.Records...)
				quiet.Reset(1500 * time.Millisecond)
			}
		case <-quiet.C:
			return out
		}
	}
}

// waitCheckpoint waits until a checkpoint file exists in dir.
func waitCheckpoint(t *testing.T, dir string, p *liveProcess) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m, _ := filepath.Glob(filepath.Join(dir, "*.checkpoint.*")); len(m) > 0 {
			return
		}
		select {
		case <-p.exited:
			t.Fatalf("the process exited (%d)\n%s", p.code, p.log())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("no checkpoint in %s\n%s", dir, p.log())
}

// replayInput records the input stream (which must hold the produced
// records), replays it and returns the records and the replay's rows.
func replayInput(t *testing.T, kc *kinsdk.Client, appFile, in string, produced int) (recs []input.Record, rows []string) {
	t.Helper()
	recs = readAll(t, kc, in)
	if len(recs) != produced {
		t.Fatalf("the input stream holds %d records, the producer wrote %d", len(recs), produced)
	}
	recFile := filepath.Join(t.TempDir(), "in.jsonl")
	f, err := os.Create(recFile)
	if err != nil {
		t.Fatal(err)
	}
	w := newRecWriter(f)
	for _, r := range recs {
		w.Write(r)
	}
	w.Flush()
	f.Close()
	code, stdout, errOut := streamsql(t, nil, "run", appFile, "--replay", recFile, "--format", "ndjson")
	if code != 0 {
		t.Fatalf("replay: exit %d\n%s", code, errOut)
	}
	return recs, strings.Split(strings.TrimSpace(stdout), "\n")
}

// waitDelivered waits until stream out holds every row of rows (every
// window of the live runs has closed), or a minute has passed (the
// comparison that follows then says what is missing), or a process
// exited.
func waitDelivered(t *testing.T, kc *kinsdk.Client, out string, rows []string, procs []*liveProcess) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		got := map[string]bool{}
		for _, l := range payloadLines(readAll(t, kc, out)) {
			got[l] = true
		}
		missing := 0
		for _, l := range rows {
			if !got[l] {
				missing++
			}
		}
		if missing == 0 {
			return
		}
		for _, p := range procs {
			select {
			case <-p.exited:
				t.Fatalf("a process exited (%d) with %d rows of the replay not delivered\n%s", p.code, missing, p.log())
			default:
			}
		}
	}
}

// compareDelivered compares the rows delivered to stream out with the
// replay's rows once exact duplicates are removed, and returns how many
// rows were delivered again.
func compareDelivered(t *testing.T, kc *kinsdk.Client, out string, recs []input.Record, rows []string) (again int) {
	t.Helper()
	want := map[string]bool{}
	for _, l := range rows {
		want[l] = true
	}
	got := map[string]int{}
	delivered := payloadLines(readAll(t, kc, out))
	for _, l := range delivered {
		got[l]++
	}
	var missing, extra []string
	for l := range want {
		if got[l] == 0 {
			missing = append(missing, l)
		}
	}
	for l := range got {
		if !want[l] {
			extra = append(extra, l)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("%d records; replay %d rows, live %d rows (%d distinct)\nmissing from the live run (%d): %s\nnot in the replay (%d): %s",
			len(recs), len(want), len(delivered), len(got), len(missing), head(missing), len(extra), head(extra))
	}
	t.Logf("%d records, %d rows; the live runs delivered %d rows, %d of them again", len(recs), len(want), len(delivered), len(delivered)-len(got))
	return len(delivered) - len(got)
}

func head(l []string) string {
	if len(l) > 8 {
		l = l[:8]
	}
	return strings.Join(l, "\n  ")
}

// kill -9 at five random instants while a producer writes, restarting
// each time from LAST_STOPPED_POINT: once exact duplicates are removed,
// the rows delivered equal a replay of the records (tumbling, sliding and
// stagger windows, a stream join, COUNT_DISTINCT): none lost, none with a
// record counted twice.
func TestKill9ResumesExactly(t *testing.T) {
	restartsEqualReplay(t, syscall.SIGKILL)
}

// A clean stop (SIGTERM) in the middle of windows, restarted from
// LAST_STOPPED_POINT, five times: the open windows wait in the stop's
// checkpoint and the restarted runs close them, so the rows equal a
// replay of the records, as after kill -9. (With --close-windows-on-stop
// each stop would split the windows open at that moment into two rows.)
func TestStopRestartEqualsReplay(t *testing.T) {
	restartsEqualReplay(t, syscall.SIGTERM)
}

// recoveryResources are the streams (one shard each), application
// (recoveryApp), checkpoint folder and environment of a recovery run on
// kinesalite.
func recoveryResources(t *testing.T) (kc *kinsdk.Client, in, out, appFile, cp string, env []string) {
	kc = kinesisClient(t, awstest.Kinesalite)
	in = createStream(t, kc, 1)
	out = createStream(t, kc, 1)
	return kc, in, out, recoveryApp(t, in, out), t.TempDir(), []string{"AWS_ENDPOINT_URL_KINESIS=" + awstest.Kinesalite}
}

// restartsEqualReplay runs the recovery application while a producer
// writes, ends the process with sig at five random instants and restarts
// it from LAST_STOPPED_POINT each time; at the end the rows delivered,
// exact duplicates removed, must equal a replay of the records.
func restartsEqualReplay(t *testing.T, sig syscall.Signal) {
	kc, in, out, appFile, cp, env := recoveryResources(t)
	args := func(pos string) []string {
		return []string{appFile, "--start-position", pos, "--checkpoint-dir", cp, "--checkpoint-interval", "700ms",
			"--idle-timeout", recoveryIdle, "--progress-every", "1s"}
	}
	stop := producer(t, kc, in)
	defer stop()
	p := startLive(t, env, args("TRIM_HORIZON")...)
	waitCheckpoint(t, cp, p)
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
	for i := range 5 {
		// A signal before the process has installed its handler would
		// kill it (exit -1 on a loaded machine): its first line says it has.
		p.waitLog(t, "streamsql: ", 30*time.Second)
		time.Sleep(time.Duration(300+r.IntN(2500)) * time.Millisecond)
		p.cmd.Process.Signal(sig)
		if code := p.wait(t, 20*time.Second); sig != syscall.SIGKILL && code != 0 {
			t.Fatalf("exit %d after %v\n%s", code, sig, p.log())
		}
		t.Logf("stop %d (%v) after %d records read", i+1, sig, p.read())
		p = startLive(t, env, args("LAST_STOPPED_POINT")...)
	}
	endProducing(t, kc, appFile, in, out, stop, 1500*time.Millisecond, p)
}

// endProducing lets the producer write for last, stops it, replays the
// records, waits until the live runs have delivered every row of the
// replay (the idle timeout moves time past the last record, so every
// window closes), stops each process with SIGTERM (exit 0 wanted) and
// compares the rows delivered, exact duplicates removed, with the
// replay's. It returns the records, the replay's rows and how many rows
// were delivered again.
func endProducing(t *testing.T, kc *kinsdk.Client, appFile, in, out string, stop func() int, last time.Duration, procs ...*liveProcess) (recs []input.Record, rows []string, again int) {
	t.Helper()
	time.Sleep(last)
	recs, rows = replayInput(t, kc, appFile, in, stop())
	waitDelivered(t, kc, out, rows, procs)
	for _, p := range procs {
		p.cmd.Process.Signal(syscall.SIGTERM)
		if code := p.wait(t, 20*time.Second); code != 0 {
			t.Fatalf("exit %d after SIGTERM\n%s", code, p.log())
		}
	}
	return recs, rows, compareDelivered(t, kc, out, recs, rows)
}

// putTo writes n spend records to one shard of a two-shard stream (by
// explicit hash key: shard 0 or 1).
func putTo(t *testing.T, c *kinsdk.Client, stream string, shard, n int) {
	t.Helper()
	key := "0"
	if shard == 1 {
		key = "340282366920938463463374607431768211455"
	}
	for _, r := range spendRecords(n) {
		if _, err := c.PutRecord(context.Background(), &kinsdk.PutRecordInput{StreamName: aws.String(stream), Data: r.Data,
			PartitionKey: aws.String(r.PartitionKey), ExplicitHashKey: aws.String(key)}); err != nil {
			t.Fatal(err)
		}
	}
}

// A run started at NOW that reads nothing and stops still records where
// it began: the next run from LAST_STOPPED_POINT reads what came in
// between. A shard never written to during a run is not read from its
// beginning by the next run: its older records stay unread.
func TestResumePositionEdges(t *testing.T) {
	kc := kinesisClient(t, awstest.Kinesalite)
	in := createStream(t, kc, 2)
	cfg := awstest.Config(t, awstest.Kinesalite)
	putTo(t, kc, in, 1, 45) // older than every run: never read
	cp := t.TempDir()
	// kinesalite never answers GetShardIterator AT_TIMESTAMP on a shard
	// with no record after that time (Kinesis gives an iterator at the
	// tip), so the silent shard holds time back until it is idle: a short
	// idle timeout keeps the test short.
	o := func() engine.Options { return engine.Options{App: spendApp(t, in), IdleTimeout: time.Second} }
	opts := func(pos string) *live.Options {
		return &live.Options{Position: pos, CheckpointDir: cp, PollInterval: 200 * time.Millisecond, Config: &cfg}
	}
	// Nothing read before a clean stop.
	st, _, log := runLiveUntil(t, o(), opts("NOW"), 0)
	if st.RecordsIn != 0 {
		t.Fatalf("read %d records from NOW with nothing written\n%s", st.RecordsIn, log)
	}
	putTo(t, kc, in, 0, 100)
	st, _, log = runLiveUntil(t, o(), opts("LAST_STOPPED_POINT"), 100)
	time.Sleep(time.Second)
	if st.RecordsIn != 100 {
		t.Fatalf("read %d records after a run that read nothing, want the 100 written since\n%s", st.RecordsIn, log)
	}
	// Shard 1 was never written to while a run read: the next run reads
	// only what comes now.
	putTo(t, kc, in, 0, 10)
	st, _, log = runLiveUntil(t, o(), opts("LAST_STOPPED_POINT"), 10)
	if st.RecordsIn != 10 {
		t.Fatalf("read %d records, want the 10 new ones (the 45 on the shard never written to are older than the first run)\n%s", st.RecordsIn, log)
	}
}

// A checkpoint with state refuses an application whose SQL changed, with
// a message saying what to do; --fresh-state resumes from its positions
// with empty state.
func TestChangedApplicationRefused(t *testing.T) {
	kc := kinesisClient(t, awstest.Kinesalite)
	in := createStream(t, kc, 1)
	cfg := awstest.Config(t, awstest.Kinesalite)
	cp := t.TempDir()
	putAll(t, kc, in, spendRecords(30))
	lo := &live.Options{Position: "TRIM_HORIZON", CheckpointDir: cp, PollInterval: 200 * time.Millisecond, Config: &cfg}
	if st, _, log := runLiveUntil(t, engine.Options{App: spendApp(t, in)}, lo, 30); st.RecordsIn != 30 {
		t.Fatalf("read %d\n%s", st.RecordsIn, log)
	}
	changed := spendApp(t, in)
	sql, err := os.ReadFile(filepath.Join(changed.Dir, changed.ApplicationCodeFile))
	if err != nil || !strings.Contains(string(sql), "SUM(") {
		t.Fatalf("spend SQL: %v", err)
	}
	changed.ApplicationCode, changed.ApplicationCodeFile = strings.Replace(string(sql), "SUM(", "MAX(", 1), ""
	var stderr strings.Builder
	_, err = live.Run(context.Background(), engine.Options{App: changed, Stdout: &strings.Builder{}, Stderr: &stderr},
		&live.Options{Position: "LAST_STOPPED_POINT", CheckpointDir: cp, Config: &cfg})
	if err == nil || !strings.Contains(err.Error(), "application changed") || !strings.Contains(err.Error(), "--fresh-state") {
		t.Fatalf("error %v; want the changed application refused\n%s", err, stderr.String())
	}
	putAll(t, kc, in, spendRecords(5))
	st, _, log := runLiveUntil(t, engine.Options{App: changed}, &live.Options{Position: "LAST_STOPPED_POINT", CheckpointDir: cp, PollInterval: 200 * time.Millisecond, FreshState: true, Config: &cfg}, 5)
	if st.RecordsIn != 5 || !strings.Contains(log, "empty state") {
		t.Fatalf("--fresh-state: read %d records, want the 5 new ones\n%s", st.RecordsIn, log)
	}
}

// waitLog waits until the process has printed s.
func (p *liveProcess) waitLog(t *testing.T, s string, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for !strings.Contains(p.log(), s) {
		select {
		case <-p.lines:
		case <-p.exited:
			t.Fatalf("the process exited (%d) before printing %q\n%s", p.code, s, p.log())
		case <-deadline:
			t.Fatalf("no %q within %v\n%s", s, within, p.log())
		}
	}
}

// The same with one owner and a standby (a DynamoDB lease on moto,
// checkpoints in S3): the owner is killed at five random instants, the
// standby takes over within 30 s from the latest checkpoint, and a new
// standby is started each time. The rows equal a replay's.
func TestStandbyTakesOver(t *testing.T) {
	kc := kinesisClient(t, awstest.Kinesalite)
	in := createStream(t, kc, 1)
	out := createStream(t, kc, 1)
	bucket := awstest.Bucket(t)
	appFile := recoveryApp(t, in, out)
	env := []string{"AWS_ENDPOINT_URL_KINESIS=" + awstest.Kinesalite, "AWS_ENDPOINT_URL_S3=" + awstest.Moto, "AWS_ENDPOINT_URL_DYNAMODB=" + awstest.Moto}
	table := awstest.Name("lease")
	args := func(pos string) []string {
		return []string{appFile, "--start-position", pos, "--checkpoint", "s3://" + bucket + "/checkpoints", "--lease", "dynamodb://" + table,
			"--lease-duration", "2s", "--checkpoint-interval", "700ms", "--idle-timeout", recoveryIdle, "--progress-every", "1s"}
	}
	stop := producer(t, kc, in)
	defer stop()
	owner := startLive(t, env, args("TRIM_HORIZON")...)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if keys, _ := awstest.Objects(t, bucket, "checkpoints/"); len(keys) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint in S3\n%s", owner.log())
		}
		time.Sleep(100 * time.Millisecond)
	}
	standby := startLive(t, env, args("LAST_STOPPED_POINT")...)
	standby.waitLog(t, "standby:", 10*time.Second)
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 5))
	for i := range 5 {
		time.Sleep(time.Duration(300+r.IntN(2000)) * time.Millisecond)
		owner.cmd.Process.Signal(syscall.SIGKILL)
		killed := time.Now()
		owner.wait(t, 5*time.Second)
		standby.waitLog(t, "took over", 30*time.Second)
		t.Logf("kill %d: the standby took over after %v", i+1, time.Since(killed).Round(time.Millisecond))
		owner = standby
		standby = startLive(t, env, args("LAST_STOPPED_POINT")...)
		standby.waitLog(t, "standby:", 10*time.Second)
	}
	endProducing(t, kc, appFile, in, out, stop, 1500*time.Millisecond, standby, owner)
}

// recoveryRecords are n records of the recovery application's input,
// their IDs from first on.
func recoveryRecords(first, n int) []input.Record {
	var out []input.Record
	for i := first; i < first+n; i++ {
		out = append(out, input.Record{Data: fmt.Appendf(nil, `{"ID":%d,"K":"k%d","V":%d,"D":"d%d"}`, i, i%4, i%20, i%12), PartitionKey: "p"})
	}
	return out
}

// A run killed before its first periodic checkpoint is resumed from where
// it began: the records that came after its start are read again by the
// restart (none lost), those from before it still are not.
func TestKill9BeforeFirstCheckpoint(t *testing.T) {
	kc, in, _, appFile, cp, env := recoveryResources(t)
	args := func(pos string) []string {
		return []string{appFile, "--start-position", pos, "--checkpoint-dir", cp, "--checkpoint-interval", "1h", "--progress-every", "200ms"}
	}
	putAll(t, kc, in, recoveryRecords(0, 7)) // older than every run: never read
	// NOW opens each shard at its tip: the records must be put only once
	// every shard has been read (/readyz), not once the streams answer
	// (listing them comes before the shard iterators, and on a slow
	// machine records put in between were never read).
	addr := freeAddr(t)
	p := startLive(t, env, append(args("NOW"), "--http", addr)...)
	waitReady(t, p, "http://"+addr+"/readyz", 20*time.Second)
	putAll(t, kc, in, recoveryRecords(7, 20))
	p.waitRead(t, 20)
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.wait(t, 5*time.Second)
	p = startLive(t, env, args("LAST_STOPPED_POINT")...)
	p.waitRead(t, 20)
	time.Sleep(1500 * time.Millisecond)
	if n := p.read(); n != 20 {
		t.Fatalf("the restart read %d records, want the 20 that came after the killed run's start\n%s", n, p.log())
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t, 20*time.Second); code != 0 {
		t.Fatalf("exit %d after SIGTERM\n%s", code, p.log())
	}
}

// freeAddr is a 127.0.0.1 address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitReady polls a live process's /readyz until it answers 200: every
// shard of the run has been read once.
func waitReady(t *testing.T, p *liveProcess, url string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never answered 200 within %s\n%s", url, within, p.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
