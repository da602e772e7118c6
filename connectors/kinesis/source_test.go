package kinesis

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamsql/streamsql/input"
	"github.com/streamsql/streamsql/input/kpl"
	"github.com/streamsql/streamsql/internal/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// servers are the two real Kinesis servers every source test runs on.
func servers() []struct{ name, url string } {
	return []struct{ name, url string }{{"moto", awstest.Moto}, {"kinesalite", awstest.Kinesalite}}
}

func client(t testing.TB, endpoint string) *kinesis.Client {
	return kinesis.NewFromConfig(awstest.Config(t, endpoint))
}

func createStream(t testing.TB, c *kinesis.Client, shards int32) string {
	t.Helper()
	name := awstest.Name("s")
	ctx := context.Background()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, name)
	return name
}

func waitActive(t testing.TB, c *kinesis.Client, name string) {
	t.Helper()
	for i := 0; i < 200; i++ {
		out, err := c.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err == nil && out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("stream %s never became ACTIVE", name)
}

// put writes records with PutRecords and returns the payloads in order.
func put(t testing.TB, c *kinesis.Client, stream, prefix string, n int) []string {
	t.Helper()
	var entries []types.PutRecordsRequestEntry
	var payloads []string
	for i := 0; i < n; i++ {
		p := fmt.Sprintf(`{"%s":%d}`, prefix, i)
		payloads = append(payloads, p)
		entries = append(entries, types.PutRecordsRequestEntry{Data: []byte(p), PartitionKey: aws.String(fmt.Sprintf("k%d", i%7))})
	}
	for len(entries) > 0 {
		k := min(len(entries), 500)
		out, err := c.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries[:k]})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToInt32(out.FailedRecordCount) != 0 {
			t.Fatalf("%d records failed", aws.ToInt32(out.FailedRecordCount))
		}
		entries = entries[k:]
	}
	return payloads
}

// collect runs a source until want records arrived (or the deadline) and
// returns them per shard, in arrival order, then stops it.
type collector struct {
	src     *Source
	cancel  context.CancelFunc
	done    chan error
	once    sync.Once
	mu      sync.Mutex
	records []input.Record
	ends    []string
	listed  map[string]int // shard -> Listed of its Start
}

func startSource(t testing.TB, api API, o SourceOptions) *collector {
	t.Helper()
	if o.Backoff.Base == 0 {
		o.Backoff = Backoff{Base: 20 * time.Millisecond, Max: 200 * time.Millisecond}
	}
	if o.PollInterval == 0 {
		o.PollInterval = 200 * time.Millisecond
	}
	if o.ListInterval == 0 {
		o.ListInterval = 300 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &collector{src: NewSource(api, o), cancel: cancel, done: make(chan error, 1), listed: map[string]int{}}
	go func() { c.done <- c.src.Run(ctx) }()
	go func() {
		for b := range c.src.Batches() {
			c.mu.Lock()
			c.records = append(c.records, b.Records...)
			if b.End {
				c.ends = append(c.ends, b.ShardID)
			}
			if b.Start {
				c.listed[b.ShardID] = b.Listed
			}
			c.mu.Unlock()
		}
	}()
	t.Cleanup(func() { c.stop(t) })
	return c
}

func (c *collector) wait(t testing.TB, n int) []input.Record {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		got := len(c.records)
		c.mu.Unlock()
		if got >= n {
			time.Sleep(300 * time.Millisecond) // nothing more may come
			c.mu.Lock()
			defer c.mu.Unlock()
			return append([]input.Record(nil), c.records...)
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t.Fatalf("got %d records, want %d", len(c.records), n)
	return nil
}

// waitEnds waits until n shards have been read to their end (or the
// deadline) and returns them.
func (c *collector) waitEnds(t testing.TB, n int) []string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c.mu.Lock()
		ends := append([]string(nil), c.ends...)
		c.mu.Unlock()
		if len(ends) >= n || time.Now().After(deadline) {
			return ends
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (c *collector) stop(t testing.TB) {
	c.once.Do(func() {
		c.cancel()
		select {
		case err := <-c.done:
			if err != nil {
				t.Errorf("source: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("source did not stop within 10 s")
		}
	})
}

func payloads(recs []input.Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, string(r.Data))
	}
	return out
}

func sameSet(t *testing.T, got, want []string) {
	t.Helper()
	g, w := append([]string(nil), got...), append([]string(nil), want...)
	sort.Strings(g)
	sort.Strings(w)
	if strings.Join(g, "\n") != strings.Join(w, "\n") {
		t.Fatalf("got %d records, want %d\ngot:  %v\nwant: %v", len(got), len(want), g, w)
	}
}

// Every shard is read from TRIM_HORIZON; each shard's records come in
// sequence order with their metadata; the lag falls to 0.
func TestTrimHorizonAllShards(t *testing.T) {
	for _, srv := range servers() {
		t.Run(srv.name, func(t *testing.T) {
			c := client(t, srv.url)
			name := createStream(t, c, 3)
			want := put(t, c, name, "a", 120)
			col := startSource(t, c, SourceOptions{Stream: Stream{Name: name}, Position: TrimHorizon})
			got := col.wait(t, len(want))
			sameSet(t, payloads(got), want)
			shards := map[string]bool{}
			lastSeq := map[string]string{}
			for _, r := range got {
				shards[r.ShardID] = true
				if r.Arrival == 0 || r.PartitionKey == "" || r.SequenceNumber == "" {
					t.Fatalf("record without metadata: %+v", r)
				}
				if p := lastSeq[r.ShardID]; p != "" && !seqLess(p, r.SequenceNumber) {
					t.Fatalf("shard %s: sequence %s after %s", r.ShardID, r.SequenceNumber, p)
				}
				lastSeq[r.ShardID] = r.SequenceNumber
			}
			if len(shards) < 2 {
				t.Fatalf("records from %d shard(s); 7 partition keys over 3 shards should hit more", len(shards))
			}
			// Each shard's Start tells how many the first listing started.
			col.mu.Lock()
			if len(col.listed) != 3 {
				t.Errorf("Starts of %d shards, want 3: %v", len(col.listed), col.listed)
			}
			for id, n := range col.listed {
				if n != 3 {
					t.Errorf("shard %s: Start with Listed %d, want 3", id, n)
				}
			}
			col.mu.Unlock()
			time.Sleep(500 * time.Millisecond)
			if lag := col.src.Lag(); lag != 0 {
				t.Errorf("lag %d ms after reading everything", lag)
			}
		})
	}
}

func seqLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// NOW reads only what arrives after the start.
func TestNowSkipsOldRecords(t *testing.T) {
	for _, srv := range servers() {
		t.Run(srv.name, func(t *testing.T) {
			c := client(t, srv.url)
			name := createStream(t, c, 2)
			put(t, c, name, "old", 20)
			col := startSource(t, c, SourceOptions{Stream: Stream{Name: name}, Position: Now})
			waitReads(t, col.src, 2)
			want := put(t, c, name, "new", 15)
			sameSet(t, payloads(col.wait(t, len(want))), want)
		})
	}
}

// waitReads waits until the source has made n GetRecords calls (so its
// iterators exist).
func waitReads(t testing.TB, s *Source, n int64) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if calls, _ := s.Reads(); calls >= n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the source never read")
}

// AT_TIMESTAMP starts at the first record that arrived at or after the time.
func TestAtTimestamp(t *testing.T) {
	for _, srv := range servers() {
		t.Run(srv.name, func(t *testing.T) {
			c := client(t, srv.url)
			name := createStream(t, c, 2)
			put(t, c, name, "before", 10)
			time.Sleep(1100 * time.Millisecond)
			at := time.Now()
			time.Sleep(100 * time.Millisecond)
			want := put(t, c, name, "after", 10)
			col := startSource(t, c, SourceOptions{Stream: Stream{Name: name}, Position: AtTimestamp, Timestamp: at})
			sameSet(t, payloads(col.wait(t, len(want))), want)
		})
	}
}

// A split and a merge: each parent is read to its end before any record
// of its children, and nothing is lost.
func TestReshardingParentsFirst(t *testing.T) {
	for _, srv := range servers() {
		t.Run(srv.name, func(t *testing.T) {
			ctx := context.Background()
			c := client(t, srv.url)
			name := createStream(t, c, 1)
			want := put(t, c, name, "gen0", 30)
			ls, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(name)})
			if err != nil {
				t.Fatal(err)
			}
			parent := aws.ToString(ls.Shards[0].ShardId)
			// Split the one shard in the middle of its hash range.
			if _, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String(name), ShardToSplit: aws.String(parent),
				NewStartingHashKey: aws.String("170141183460469231731687303715884105728")}); err != nil {
				t.Fatal(err)
			}
			waitActive(t, c, name)
			want = append(want, put(t, c, name, "gen1", 30)...)
			ls, err = c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(name)})
			if err != nil {
				t.Fatal(err)
			}
			var children []string
			for _, sh := range ls.Shards {
				if aws.ToString(sh.ParentShardId) == parent {
					children = append(children, aws.ToString(sh.ShardId))
				}
			}
			if len(children) != 2 {
				t.Fatalf("split gave children %v", children)
			}
			// Merge the two children back into one.
			if _, err := c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String(name), ShardToMerge: aws.String(children[0]),
				AdjacentShardToMerge: aws.String(children[1])}); err != nil {
				t.Fatal(err)
			}
			waitActive(t, c, name)
			want = append(want, put(t, c, name, "gen2", 30)...)

			col := startSource(t, c, SourceOptions{Stream: Stream{Name: name}, Position: TrimHorizon})
			got := col.wait(t, len(want))
			sameSet(t, payloads(got), want)
			gen := func(r input.Record) int {
				switch {
				case strings.Contains(string(r.Data), "gen0"):
					return 0
				case strings.Contains(string(r.Data), "gen1"):
					return 1
				}
				return 2
			}
			for i := 1; i < len(got); i++ {
				if gen(got[i]) < gen(got[i-1]) {
					t.Fatalf("record %d (%s, shard %s) comes after %s (shard %s): a child was read before its parent ended",
						i, got[i].Data, got[i].ShardID, got[i-1].Data, got[i-1].ShardID)
				}
			}
			// The ends are waited for, not assumed within wait's grace: on
			// moto every record lands in the first shard (its PutRecords
			// routes by the hash ranges of closed shards too), so the
			// children hold nothing and their ends come after the last
			// record, as late as a loaded machine makes them.
			if ends := col.waitEnds(t, 3); len(ends) != 3 {
				t.Errorf("shards read to their end: %v; want the parent and both children", ends)
			}
			// The first listing started the parent only: the children,
			// started later, are not waited for as listed shards.
			col.mu.Lock()
			for id, n := range col.listed {
				if want := map[bool]int{true: 1, false: 0}[id == parent]; n != want {
					t.Errorf("shard %s: Start with Listed %d, want %d", id, n, want)
				}
			}
			col.mu.Unlock()
		})
	}
}

// KPL-aggregated records are expanded; a record with the magic bytes but a
// wrong MD5 passes through as it is.
func TestAggregatedRecords(t *testing.T) {
	for _, srv := range servers() {
		t.Run(srv.name, func(t *testing.T) {
			c := client(t, srv.url)
			name := createStream(t, c, 1)
			var users []kpl.UserRecord
			var want []string
			for i := 0; i < 25; i++ {
				p := fmt.Sprintf(`{"agg":%d}`, i)
				users = append(users, kpl.UserRecord{PartitionKey: fmt.Sprintf("user%d", i%4), Data: []byte(p)})
				want = append(want, p)
			}
			agg := kpl.Aggregate(users)
			bad := kpl.Aggregate(users[:2])
			bad[len(bad)-3] ^= 1
			for _, d := range [][]byte{agg, bad} {
				if _, err := c.PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: aws.String(name), Data: d, PartitionKey: aws.String("outer")}); err != nil {
					t.Fatal(err)
				}
			}
			want = append(want, string(bad))
			col := startSource(t, c, SourceOptions{Stream: Stream{Name: name}, Position: TrimHorizon})
			got := col.wait(t, len(want))
			if strings.Join(payloads(got), "\n") != strings.Join(want, "\n") {
				t.Fatalf("got %q\nwant %q", payloads(got), want)
			}
			if got[5].PartitionKey != "user1" || got[25].PartitionKey != "outer" {
				t.Errorf("partition keys: %q %q", got[5].PartitionKey, got[25].PartitionKey)
			}
			if got[0].SequenceNumber != got[24].SequenceNumber || got[0].Arrival != got[24].Arrival {
				t.Errorf("user records of one aggregated record should share its sequence number and arrival time")
			}
		})
	}
}

// Each user record of an aggregate gets a payload of its own, not a slice
// of the aggregate's bytes (Batch: a string kept from it holds only it).
func TestAggregatedRecordsOwnTheirBytes(t *testing.T) {
	users := []kpl.UserRecord{{PartitionKey: "a", Data: []byte(`{"n":1}`)}, {PartitionKey: "b", Data: []byte(`{"n":2}`)}}
	agg := kpl.Aggregate(users)
	got := expand([]types.Record{{Data: agg, PartitionKey: aws.String("outer"), SequenceNumber: aws.String("1")}}, "shardId-000000000000", nil)
	for i := range agg {
		agg[i] = 'x'
	}
	if len(got) != 2 || string(got[0].Data) != `{"n":1}` || string(got[1].Data) != `{"n":2}` {
		t.Fatalf("after the aggregate's bytes changed, the user records hold %q", payloads(got))
	}
}

// LAST_STOPPED_POINT resumes after what the previous run handed out, and a
// checkpoint survives a file round trip.
func TestLastStoppedPoint(t *testing.T) {
	for _, srv := range servers() {
		t.Run(srv.name, func(t *testing.T) {
			c := client(t, srv.url)
			name := createStream(t, c, 2)
			first := put(t, c, name, "first", 40)
			col := startSource(t, c, SourceOptions{Stream: Stream{Name: name}, Position: TrimHorizon})
			sameSet(t, payloads(col.wait(t, len(first))), first)
			col.stop(t)
			path := t.TempDir() + "/cp.json"
			if err := col.src.Position().Save(path); err != nil {
				t.Fatal(err)
			}
			cp, err := LoadCheckpoint(path)
			if err != nil || cp == nil || len(cp.Shards) == 0 {
				t.Fatalf("checkpoint %+v, %v", cp, err)
			}
			second := put(t, c, name, "second", 25)
			col2 := startSource(t, c, SourceOptions{Stream: Stream{Name: name}, Position: LastStoppedPoint, Checkpoint: cp})
			sameSet(t, payloads(col2.wait(t, len(second))), second)
		})
	}
}

// Throttling (injected in front of the real server) is backed off and
// retried, reads of a shard stay under 5 per second, and an unknown stream
// fails the source with the API's error.
func TestThrottlingAndReadRate(t *testing.T) {
	c := client(t, awstest.Kinesalite)
	name := createStream(t, c, 1)
	want := put(t, c, name, "t", 50)
	proxy := awstest.NewProxy(t, awstest.Kinesalite, func(target string, n int, _ []byte) (int, string, bool) {
		if strings.HasSuffix(target, ".GetRecords") && n <= 3 {
			return 400, `{"__type":"ProvisionedThroughputExceededException","message":"Rate exceeded for shard"}`, true
		}
		return 0, "", false
	})
	pc := kinesis.NewFromConfig(awstest.Config(t, proxy.URL), func(o *kinesis.Options) { o.RetryMaxAttempts = 1 })
	col := startSource(t, pc, SourceOptions{Stream: Stream{Name: name}, Position: TrimHorizon, PollInterval: time.Millisecond})
	sameSet(t, payloads(col.wait(t, len(want))), want)
	time.Sleep(time.Second)
	calls, throttled := col.src.Reads()
	if throttled != 3 || calls < 4 {
		t.Fatalf("calls %d, throttled %d; want 3 throttled then success", calls, throttled)
	}
	times := proxy.Calls("Kinesis_20131202.GetRecords")
	for i := 1; i < len(times); i++ {
		if d := times[i].Sub(times[i-1]); d < 190*time.Millisecond {
			t.Fatalf("GetRecords %d came %v after the previous: over 5 reads per second", i, d)
		}
	}

	src := NewSource(c, SourceOptions{Stream: Stream{Name: "no-such-stream"}, Position: TrimHorizon})
	go func() {
		for range src.Batches() {
		}
	}()
	err := src.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "ResourceNotFound") {
		t.Fatalf("unknown stream: %v", err)
	}
}

// Transient server errors are retried; the records still all arrive.
func TestTransientErrorsRetried(t *testing.T) {
	c := client(t, awstest.Moto)
	name := createStream(t, c, 1)
	want := put(t, c, name, "x", 20)
	proxy := awstest.NewProxy(t, awstest.Moto, func(target string, n int, _ []byte) (int, string, bool) {
		if (strings.HasSuffix(target, ".GetRecords") || strings.HasSuffix(target, ".ListShards")) && n <= 2 {
			return 500, `{"__type":"InternalFailure","message":"try again"}`, true
		}
		return 0, "", false
	})
	pc := kinesis.NewFromConfig(awstest.Config(t, proxy.URL), func(o *kinesis.Options) { o.RetryMaxAttempts = 1 })
	col := startSource(t, pc, SourceOptions{Stream: Stream{Name: name}, Position: TrimHorizon})
	sameSet(t, payloads(col.wait(t, len(want))), want)
}

func TestParseStream(t *testing.T) {
	s, err := ParseStream("arn:aws:kinesis:eu-west-1:123456789012:stream/clicks")
	if err != nil || s.Name != "clicks" || s.Region != "eu-west-1" {
		t.Fatalf("%+v %v", s, err)
	}
	if s, err := ParseStream("clicks"); err != nil || s.Name != "clicks" || s.Region != "" {
		t.Fatalf("%+v %v", s, err)
	}
	for _, bad := range []string{"", "arn:aws:s3:::bucket", "arn:aws:kinesis:us-east-1:1:stream/"} {
		if _, err := ParseStream(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// An outage longer than the old limit of 20 retries (the server drops every
// connection for 5 s) is survived: the reader retries with capped backoff,
// reports the outage while it lasts and its end, and every record written
// meanwhile arrives once the server answers again. With MaxOutage the
// source gives up instead, with an error that says how long it tried.
func TestOutageRetriedWithoutLimit(t *testing.T) {
	c := client(t, awstest.Kinesalite)
	name := createStream(t, c, 1)
	want := put(t, c, name, "a", 10)
	proxy := awstest.NewProxy(t, awstest.Kinesalite, nil)
	pc := kinesis.NewFromConfig(awstest.Config(t, proxy.URL), func(o *kinesis.Options) { o.RetryMaxAttempts = 1 })
	var mu sync.Mutex
	var logs []string
	logf := func(f string, a ...any) { mu.Lock(); logs = append(logs, fmt.Sprintf(f, a...)); mu.Unlock() }
	col := startSource(t, pc, SourceOptions{Stream: Stream{Name: name}, Position: TrimHorizon,
		Backoff: Backoff{Base: 5 * time.Millisecond, Max: 50 * time.Millisecond}, OutageReport: time.Second, Logf: logf})
	col.wait(t, len(want))
	proxy.SetDown(true)
	want = append(want, put(t, c, name, "b", 10)...)
	time.Sleep(5 * time.Second)
	if o := col.src.Outages(); len(o) == 0 || !strings.Contains(o[0], "GetRecords "+name) {
		t.Errorf("Outages during the outage: %q", o)
	}
	proxy.SetDown(false)
	sameSet(t, payloads(col.wait(t, len(want))), want)
	mu.Lock()
	all := strings.Join(logs, "\n")
	mu.Unlock()
	for _, w := range []string{"; retrying", "still retrying", "working again after"} {
		if !strings.Contains(all, w) {
			t.Errorf("no %q in the log:\n%s", w, all)
		}
	}

	src := NewSource(pc, SourceOptions{Stream: Stream{Name: name}, Position: TrimHorizon, MaxOutage: time.Second,
		Backoff: Backoff{Base: 5 * time.Millisecond, Max: 50 * time.Millisecond}})
	go func() {
		for range src.Batches() {
		}
	}()
	proxy.SetDown(true)
	start := time.Now()
	err := src.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "over the limit of 1s") {
		t.Fatalf("MaxOutage 1s: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("gave up after %v, want about 1 s", d)
	}
}
