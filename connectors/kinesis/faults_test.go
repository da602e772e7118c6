package kinesis

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/streamsql/streamsql/connectors/deliver"
	"github.com/streamsql/streamsql/internal/awstest"
)

// issue14Mix is the fault mix of issue 14: 30% of PutRecords calls
// throttled whole, 10% of answers lost after the write, 40% of entries
// failed.
var issue14Mix = awstest.FaultMix{Throttle: 0.3, LostAnswer: 0.1, EntryFail: 0.4, Seed: 14}

// deliverUnderFaults sends n records through a sink in front of the fault
// mix, sending every `bound` records as a live run does at its time bounds
// (engine/live's destination.Advance), then flushes what is left as the
// end of a run does; it returns how long it all took and how long the
// final flush (the drain) took.
func deliverUnderFaults(tb testing.TB, name string, fk *awstest.FaultyKinesis, first, n, bound int) (total, drain time.Duration) {
	tb.Helper()
	// The default SDK client, as a live run makes it (its own retries included).
	sink := NewSink(kinesis.NewFromConfig(awstest.Config(tb, fk.URL)), SinkOptions{Stream: Stream{Name: name}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	for i := first; i < first+n; i++ {
		if err := sink.Add(ctx, deliver.Entry{Data: []byte(fmt.Sprintf(`{"i":%d}`, i)), Key: fmt.Sprintf("%x", i*2654435761)}); err != nil {
			tb.Fatal(err)
		}
		if (i-first+1)%bound == 0 {
			if err := sink.Send(ctx); err != nil {
				tb.Fatal(err)
			}
		}
	}
	drainStart := time.Now()
	if err := sink.Flush(ctx); err != nil {
		tb.Fatal(err)
	}
	return time.Since(start), time.Since(drainStart)
}

// Under the fault mix nothing is lost, and a record arrives twice only
// when a call that carried it lost its answer (at least once, never more
// than the lost answers explain).
func TestSinkUnderFaultMix(t *testing.T) {
	c := client(t, awstest.Kinesalite)
	name := createStream(t, c, 2)
	fk := awstest.NewFaultyKinesis(t, awstest.Kinesalite, issue14Mix)
	// Rounds of 1,000 records until every kind of fault has happened.
	n := 0
	var took, drain time.Duration
	for st := fk.Counts(); n < 10000 && (n == 0 || st.Throttled == 0 || st.Lost == 0 || st.EntryFailed == 0); st = fk.Counts() {
		t1, d1 := deliverUnderFaults(t, name, fk, n, 1000, 250)
		took, drain, n = took+t1, drain+d1, n+1000
	}
	col := startSource(t, c, SourceOptions{Stream: Stream{Name: name}, Position: TrimHorizon})
	got := map[string]int{}
	for _, r := range col.wait(t, n) {
		got[string(r.Data)]++
	}
	var sent []string
	for i := 0; i < n; i++ {
		sent = append(sent, fmt.Sprintf(`{"i":%d}`, i))
	}
	dups := fk.Delivered(t, got, sent)
	st := fk.Counts()
	t.Logf("%d records in %v (the last flush %v): %d PutRecords calls, %d throttled, %d answers lost, %d of %d entries failed; %d duplicates",
		n, took.Round(time.Millisecond), drain.Round(time.Millisecond), st.Calls, st.Throttled, st.Lost, st.EntryFailed, st.Entries, dups)
	if st.Throttled == 0 || st.Lost == 0 || st.EntryFailed == 0 {
		t.Fatalf("the fault mix was not applied: %+v", st)
	}
}

// BenchmarkSinkUnderFaultMix: one op delivers 2,000 rows through the fault
// mix to kinesalite, sent at bounds of 250 rows and flushed at the end;
// records/s is the throughput a live run keeps under that mix, drain-ms the
// final flush (what a stop waits for).
func BenchmarkSinkUnderFaultMix(b *testing.B) {
	c := client(b, awstest.Kinesalite)
	name := createStream(b, c, 2)
	fk := awstest.NewFaultyKinesis(b, awstest.Kinesalite, issue14Mix)
	const n = 2000
	b.ResetTimer()
	var took, drain time.Duration
	for i := 0; i < b.N; i++ {
		t, d := deliverUnderFaults(b, name, fk, i*n, n, 250)
		took, drain = took+t, drain+d
	}
	b.ReportMetric(float64(b.N*n)/took.Seconds(), "records/s")
	b.ReportMetric(float64(drain.Milliseconds())/float64(b.N), "drain-ms")
	b.ReportMetric(float64(fk.Counts().Calls)/float64(b.N), "calls/op")
}

// With random partition keys, a shard that refuses every entry is left
// out while it backs off: the other shard takes the records, so every
// record is delivered and few are refused. (Sent by their partition keys,
// the half that hash to the refusing shard would never be delivered.)
func TestSinkAvoidsARefusingShard(t *testing.T) {
	awstest.Need(t)
	c := client(t, awstest.Kinesalite)
	name := createStream(t, c, 2)
	half := new(big.Int).Lsh(big.NewInt(1), 127)
	fk := awstest.NewFaultyKinesis(t, awstest.Kinesalite, awstest.FaultMix{HotBelow: half})
	sink := NewSink(kinesis.NewFromConfig(awstest.Config(t, fk.URL)), SinkOptions{Stream: Stream{Name: name}, RandomKeys: true,
		Backoff: Backoff{Base: 2 * time.Second, Max: 10 * time.Second}})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const n = 2000
	for i := 0; i < n; i++ {
		if err := sink.Add(ctx, deliver.Entry{Data: []byte(fmt.Sprintf(`{"i":%d}`, i)), Key: fmt.Sprintf("%x", rand.Uint64())}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sink.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	col := startSource(t, c, SourceOptions{Stream: Stream{Name: name}, Position: TrimHorizon})
	got := map[string]int{}
	for _, r := range col.wait(t, n) {
		if r.ShardID != "shardId-000000000001" {
			t.Fatalf("a record reached %s, the refusing shard", r.ShardID)
		}
		got[string(r.Data)]++
	}
	var sent []string
	for i := 0; i < n; i++ {
		sent = append(sent, fmt.Sprintf(`{"i":%d}`, i))
	}
	fk.Delivered(t, got, sent)
	st := fk.Counts()
	t.Logf("%d records: %d calls, %d of %d entries refused", n, st.Calls, st.EntryFailed, st.Entries)
	if st.EntryFailed > n/2 {
		t.Fatalf("%d entries refused by the hot shard; want it left out after its first refusals", st.EntryFailed)
	}
}
