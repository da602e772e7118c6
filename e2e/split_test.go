package e2e

import (
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"

	kinsdk "github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/streamsql/streamsql/input"
	"github.com/streamsql/streamsql/internal/awstest"
)

// splitResources are the streams (the input of two shards), bucket,
// application (testdata/recovery/split.sql, InputParallelism.Count 2) and
// environment of a split run.
func splitResources(t *testing.T) (kc *kinsdk.Client, in, out, bucket, appFile string, env []string) {
	kc = kinesisClient(t, awstest.Kinesalite)
	in = createStream(t, kc, 2)
	out = createStream(t, kc, 1)
	bucket = awstest.Bucket(t)
	appFile = recoveryAppOf(t, "testdata/recovery/split.sql", 2, in, out)
	env = []string{"AWS_ENDPOINT_URL_KINESIS=" + awstest.Kinesalite, "AWS_ENDPOINT_URL_S3=" + awstest.Moto, "AWS_ENDPOINT_URL_DYNAMODB=" + awstest.Moto}
	return
}

// bothParts checks that the records went to both shards and that every
// pump of both parts has rows in the replay the live rows equal.
func bothParts(t *testing.T, recs []input.Record, rows []string) {
	t.Helper()
	shards := map[string]int{}
	for _, rec := range recs {
		shards[rec.ShardID]++
	}
	chains := map[string]int{}
	for _, row := range rows {
		for _, q := range []string{"tumble1", "slide1", "stagger2", "dist2"} {
			if strings.Contains(row, `"`+q+`"`) {
				chains[q]++
			}
		}
	}
	if len(shards) != 2 || len(chains) != 4 {
		t.Fatalf("records by shard %v, rows by pump %v: want both shards and every pump", shards, chains)
	}
	t.Logf("records by shard %v, rows by pump %v", shards, chains)
}

// Two instances split an application whose two in-application input
// streams (InputParallelism.Count 2, a stream of two shards) feed
// independent pump chains: each owns one part, reads only its part's
// shard and keeps that part's checkpoints. One is killed with SIGKILL;
// the other takes its part over from the part's latest checkpoint within
// 30 s and runs both. Once exact duplicates are removed, the rows
// delivered equal a replay of the records.
func TestInstancesSplitParts(t *testing.T) {
	kc, in, out, bucket, appFile, env := splitResources(t)
	table := awstest.Name("lease")
	args := []string{appFile, "--start-position", "TRIM_HORIZON", "--checkpoint", "s3://" + bucket + "/checkpoints", "--lease", "dynamodb://" + table,
		"--lease-duration", "2s", "--checkpoint-interval", "700ms", "--idle-timeout", recoveryIdle, "--progress-every", "1s"}
	stop := producerKeys(t, kc, in, 16)
	defer stop()
	a := startLive(t, env, args...)
	b := startLive(t, env, args...)
	for _, p := range []*liveProcess{a, b} {
		p.waitLog(t, "owning application recovery, part", 20*time.Second)
	}
	// Each part's checkpoints, under its own name.
	deadline := time.Now().Add(20 * time.Second)
	for {
		keys, _ := awstest.Objects(t, bucket, "checkpoints/")
		var one, two bool
		for _, k := range keys {
			one = one || strings.Contains(k, "recovery.SOURCE_SQL_STREAM_001.checkpoint.")
			two = two || strings.Contains(k, "recovery.SOURCE_SQL_STREAM_002.checkpoint.")
		}
		if one && two {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint of each part in S3 (%q)\n%s\n%s", keys, a.log(), b.log())
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, p := range []*liveProcess{a, b} {
		if n := strings.Count(p.log(), "owning application recovery, part"); n != 1 {
			t.Fatalf("an instance owns %d parts, want 1 each\n%s", n, p.log())
		}
	}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	time.Sleep(time.Duration(500+r.IntN(2000)) * time.Millisecond)
	a.cmd.Process.Signal(syscall.SIGKILL)
	killed := time.Now()
	a.wait(t, 5*time.Second)
	b.waitLog(t, "took over application recovery, part", 30*time.Second)
	t.Logf("the other instance took the killed one's part over after %v", time.Since(killed).Round(time.Millisecond))
	recs, rows, again := endProducing(t, kc, appFile, in, out, stop, 1500*time.Millisecond, b)
	// A part reading the other part's shard too would deliver that part's
	// rows a second time all along, not only those after a checkpoint.
	if again*2 >= len(rows) {
		t.Fatalf("%d of %d rows delivered again: more than a kill explains", again, len(rows))
	}
	bothParts(t, recs, rows)
}

// One instance alone takes every part of a split application, the second
// a grace later; started at NOW, every part reads from the moment the
// instance started, so the late part loses nothing: the rows equal a
// replay of every record.
func TestOneInstanceRunsEveryPart(t *testing.T) {
	kc, in, out, bucket, appFile, env := splitResources(t)
	p := startLive(t, env, appFile, "--start-position", "NOW", "--checkpoint", "s3://"+bucket+"/checkpoints", "--lease", "dynamodb://"+awstest.Name("lease"),
		"--lease-duration", "1s", "--checkpoint-interval", "700ms", "--idle-timeout", recoveryIdle)
	p.waitLog(t, "owning application recovery, part", 20*time.Second)
	stop := producerKeys(t, kc, in, 16)
	defer stop()
	deadline := time.Now().Add(20 * time.Second)
	for strings.Count(p.log(), "owning application recovery, part") < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the instance took one part only\n%s", p.log())
		}
		time.Sleep(100 * time.Millisecond)
	}
	_, rows, again := endProducing(t, kc, appFile, in, out, stop, 2*time.Second, p)
	// A send whose answer is lost is sent again (at least once), so a few
	// rows may come twice; a part read twice would send all of its rows
	// twice.
	if again*2 >= len(rows) || len(rows) == 0 {
		t.Fatalf("%d rows, %d delivered twice by one instance\n%s", len(rows), again, p.log())
	}
}

// An instance started after another one runs every part gets its fair
// share: A starts alone and runs both parts of the split application; B
// starts, finds both leases held, asks A for a part, and A stops that
// part as a clean stop does (its last checkpoint keeps the open windows)
// and hands its lease to B, which resumes it from that checkpoint. Within
// 30 s each runs one part, and it stays so; A's /readyz answers 200 (the
// part it handed over no longer counts). Once exact duplicates are
// removed, the rows delivered equal a replay of the records.
func TestInstancesRebalanceOnJoin(t *testing.T) {
	kc, in, out, bucket, appFile, env := splitResources(t)
	args := []string{appFile, "--start-position", "TRIM_HORIZON", "--checkpoint", "s3://" + bucket + "/checkpoints", "--lease", "dynamodb://" + awstest.Name("lease"),
		"--lease-duration", "2s", "--checkpoint-interval", "700ms", "--idle-timeout", recoveryIdle, "--progress-every", "1s"}
	stop := producerKeys(t, kc, in, 16)
	defer stop()
	addr := freeAddr(t)
	a := startLive(t, env, append(args, "--http", addr, "--ready-max-age", "2s")...)
	deadline := time.Now().Add(40 * time.Second)
	for strings.Count(a.log(), "owning application recovery, part") < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the first instance took one part only\n%s", a.log())
		}
		time.Sleep(100 * time.Millisecond)
	}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	time.Sleep(time.Duration(500+r.IntN(1500)) * time.Millisecond)
	b := startLive(t, env, args...)
	joined := time.Now()
	b.waitLog(t, "took over application recovery, part", 30*time.Second)
	t.Logf("the second instance runs a part %v after it started", time.Since(joined).Round(time.Millisecond))
	for _, want := range []struct {
		p    *liveProcess
		says string
	}{{a, "handed application recovery, part"}, {b, "asked "}, {b, "handed over by"}} {
		if !strings.Contains(want.p.log(), want.says) {
			t.Fatalf("no %q\nA:\n%s\nB:\n%s", want.says, a.log(), b.log())
		}
	}
	// Balanced, and it stays so: no part moves again. A, which reads one
	// part now, is ready (the part it handed over is not watched).
	time.Sleep(3 * time.Second)
	waitReady(t, a, "http://"+addr+"/readyz", 10*time.Second)
	// Its metrics show the one part it runs now: the new owner shows the
	// other's operators.
	if parts := operatorParts(t, "http://"+addr+"/metrics"); len(parts) != 1 {
		t.Errorf("A serves the operators of parts %q, want the one it runs", parts)
	}
	if n, m := strings.Count(a.log(), "handed application"), strings.Count(b.log(), "took over application"); n != 1 || m != 1 || strings.Contains(b.log(), "owning application") {
		t.Fatalf("A handed %d parts over, B took %d (want 1 each, and B owning no other)\nA:\n%s\nB:\n%s", n, m, a.log(), b.log())
	}
	recs, rows, again := endProducing(t, kc, appFile, in, out, stop, 1500*time.Millisecond, a, b)
	// The part handed over goes on from the checkpoint of its stop, after
	// which nothing was delivered: no row comes twice, but for a send
	// whose answer was lost (at least once). A part read again from an
	// older position would deliver its rows since then twice.
	if again > 2 {
		t.Fatalf("%d of %d rows delivered again: a hand-over delivers none again", again, len(rows))
	}
	bothParts(t, recs, rows)
}

// Scaling in loses and repeats nothing: two instances started at NOW (or
// TRIM_HORIZON) run one part each while a producer writes; one is stopped
// with SIGTERM, and its clean stop marks its part's lease released by its
// run. The other instance, which saw that run hold the part, takes it and
// resumes it from the stop's checkpoint, not from its own start position
// (NOW would read again what came since it started, TRIM_HORIZON every
// record). The rows delivered equal a replay of the records, none twice.
func TestInstancesScaleIn(t *testing.T) {
	for _, pos := range []string{"NOW", "TRIM_HORIZON"} {
		t.Run(pos, func(t *testing.T) {
			kc, in, out, bucket, appFile, env := splitResources(t)
			args := []string{appFile, "--start-position", pos, "--checkpoint", "s3://" + bucket + "/checkpoints", "--lease", "dynamodb://" + awstest.Name("lease"),
				"--lease-duration", "2s", "--checkpoint-interval", "700ms", "--idle-timeout", recoveryIdle, "--progress-every", "1s"}
			a := startLive(t, env, args...)
			b := startLive(t, env, args...)
			for _, p := range []*liveProcess{a, b} {
				p.waitLog(t, "owning application recovery, part", 20*time.Second)
			}
			stop := producerKeys(t, kc, in, 16)
			defer stop()
			a.waitRead(t, 50)
			b.waitRead(t, 50)
			r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 13))
			time.Sleep(time.Duration(500+r.IntN(2000)) * time.Millisecond)
			a.cmd.Process.Signal(syscall.SIGTERM)
			stopped := time.Now()
			if code := a.wait(t, 20*time.Second); code != 0 {
				t.Fatalf("exit %d after SIGTERM\n%s", code, a.log())
			}
			b.waitLog(t, "released by", 30*time.Second)
			t.Logf("the other instance took the stopped one's part after %v", time.Since(stopped).Round(time.Millisecond))
			if n := strings.Count(b.log(), "owning application recovery, part"); n != 1 {
				t.Fatalf("B owns %d parts as free ones, want 1 (the other resumed)\n%s", n, b.log())
			}
			recs, rows, again := endProducing(t, kc, appFile, in, out, stop, 1500*time.Millisecond, b)
			if again != 0 {
				t.Fatalf("%d of %d rows delivered again: a part resumed from the stop's checkpoint delivers none again", again, len(rows))
			}
			bothParts(t, recs, rows)
		})
	}
}
