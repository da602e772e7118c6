package testrunner

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/streamsql/streamsql/engine"
)

// TestSnapshotRestoreRoundTrip runs every example and case once straight
// through, and again with the pipeline snapshotted after record k and the
// state restored into a newly started pipeline that reads the rest: every
// output must be byte-identical to the uninterrupted run's, for every k of
// a small recording and a spread of k of a large one. Batches of 1 and 7
// records put state in every operator between batches; the default batch
// (1024) leaves most of it in the records not yet pushed.
func TestSnapshotRestoreRoundTrip(t *testing.T) {
	for _, c := range allCases(t) {
		for _, batch := range []int{0, 1, 7} {
			t.Run(fmt.Sprintf("%s/batch-%d", c.Dir, batch), func(t *testing.T) {
				roundTrip(t, c, batch)
			})
		}
	}
}

// allCases are every example and case.
func allCases(t *testing.T) []*Case {
	var cases []*Case
	for _, root := range []string{"../examples", "../testdata/cases"} {
		cs, err := Discover(root)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, cs...)
	}
	if len(cases) < 20 {
		t.Fatalf("found %d cases", len(cases))
	}
	return cases
}

// roundTrip checks case c with batches of the given number of records.
func roundTrip(t *testing.T, c *Case, batch int) {
	whole, n, err := runSplit(c, batch, -1)
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("the case has no records")
	}
	for _, k := range splitPoints(n) {
		got, _, err := runSplit(c, batch, k)
		if err != nil {
			t.Fatalf("split after record %d: %v", k, err)
		}
		for s, want := range whole {
			if got[s] != want {
				t.Fatalf("split after record %d of %d: stream %s differs from the uninterrupted run:\n%s", k, n, s, Diff(want, got[s]))
			}
		}
	}
}

// splitPoints are every record boundary of a small recording; for a large
// one the ends, two points across, and the end of the engine's first
// default batch (1024 records).
func splitPoints(n int) []int {
	if n <= 40 {
		ks := make([]int, n+1)
		for i := range ks {
			ks[i] = i
		}
		return ks
	}
	ks := []int{0, n / 3, 2*n/3 + 1, n}
	if n > 1024 {
		ks = append(ks, 1024)
	}
	return ks
}

// runSplit runs case c in batches of `batch` records; after record k (k < 0: never) it snapshots the
// pipeline, starts a new one and restores the state into it. It returns
// the output of each expected stream and the number of records.
func runSplit(c *Case, batch, k int) (map[string]string, int, error) {
	o, got, err := c.Options()
	if err != nil {
		return nil, 0, err
	}
	o.BatchRecords = batch
	p, err := engine.Start(o)
	if err != nil {
		return nil, 0, err
	}
	rp, err := p.OpenReplays()
	if err != nil {
		return nil, 0, err
	}
	defer rp.Close()
	n := 0
	for {
		if n == k {
			var state bytes.Buffer
			if err := p.Snapshot(&state); err != nil {
				return nil, 0, fmt.Errorf("snapshot: %w", err)
			}
			if p, err = engine.Start(o); err != nil {
				return nil, 0, err
			}
			taken := append([]byte(nil), state.Bytes()...)
			if err := p.Restore(&state); err != nil {
				return nil, 0, fmt.Errorf("restore: %w", err)
			}
			var again bytes.Buffer
			if err := p.Snapshot(&again); err != nil {
				return nil, 0, fmt.Errorf("snapshot after restore: %w", err)
			}
			if !bytes.Equal(taken, again.Bytes()) {
				return nil, 0, fmt.Errorf("the restored pipeline snapshots to other bytes than the snapshot it was restored from")
			}
		}
		if _, ok := rp.PushNext(p); !ok {
			break
		}
		n++
	}
	p.Finish()
	out := map[string]string{}
	for s, b := range got {
		out[s] = b.String()
	}
	return out, n, nil
}
