package engine

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"

	"github.com/streamsql/streamsql/operators"
)

// Snapshot writes the pipeline's state: the records decoded but not yet
// pushed through the graph, the ROWTIME clock and the replay's query start,
// the shard-to-stream assignment, the run's counts, and the operator
// graph's state (which carries the plan's fingerprint). Before writing it
// flushes every output, so that what was emitted before the snapshot is
// delivered. (The check of JSON mappings against the first records of each
// input, a warning on stderr, starts again after a restore.)
//
// Restore reads it into a pipeline just started from the same application:
// fed the records that followed, it then produces exactly what the
// snapshotted pipeline would have. Reading positions are not part of it:
// the caller keeps them with the state.
func (p *Pipeline) Snapshot(w io.Writer) error {
	p.run.FlushOutputs()
	if p.bound != noBound {
		for _, o := range p.errOuts {
			o.Advance(p.bound) // the bound they were last given
		}
	}
	return operators.EncodeState(w, func(sw *operators.StateWriter) error {
		from := sw.Len()
		start, started := int64(0), false
		if p.clock != nil {
			start, started = p.clock.State()
		}
		sw.Varint(start)
		sw.Bool(started)
		sw.Varint(p.last)
		sw.Varint(p.bound)
		sw.Int(p.pending)
		// The shards' streams, of every input in one list (KDA has one
		// streaming input; the list predates the per-input maps).
		slots := map[string]int{}
		for i := len(p.shardSlot) - 1; i >= 0; i-- {
			maps.Copy(slots, p.shardSlot[i])
		}
		shards := slices.Sorted(maps.Keys(slots))
		sw.Uvarint(uint64(len(shards)))
		for _, id := range shards {
			sw.String(id)
			sw.Int(slots[id])
		}
		sw.Varint(p.stats.RecordsIn)
		for _, in := range p.stats.Inputs {
			sw.Varint(in.Records)
			sw.Varint(in.Failed)
		}
		sw.Varint(p.errs.count)
		sw.String(p.errs.first)
		names := slices.Sorted(maps.Keys(p.errs.byName))
		sw.Uvarint(uint64(len(names)))
		for _, name := range names {
			sw.String(name)
			sw.Varint(p.errs.byName[name])
		}
		for _, name := range slices.Sorted(maps.Keys(p.counters)) {
			sw.String(name)
			sw.Varint(p.counters[name].n)
		}
		for _, ts := range p.targets {
			for _, tg := range ts {
				sw.Batch(tg.batch)
			}
		}
		at := sw.OpenBlob()
		if err := p.run.Snapshot(sw); err != nil {
			return err
		}
		sw.CloseBlob(at)
		sw.Seal(from)
		return nil
	})
}

// Restore reads what Snapshot wrote; see there.
func (p *Pipeline) Restore(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("reading the pipeline state: %w", err)
	}
	if data, err = operators.Unseal(data); err != nil {
		return fmt.Errorf("pipeline state: %w", err)
	}
	sr := operators.NewStateReader(bytes.NewReader(data))
	start, started := sr.Varint(), sr.Bool()
	if p.clock != nil {
		p.clock.SetState(start, started)
	}
	p.last = sr.Varint()
	p.bound = sr.Varint()
	p.pending = sr.Int()
	for _, m := range p.shardSlot {
		clear(m)
	}
	for i, n := 0, sr.Len(); i < n; i++ {
		id, k := sr.String(), sr.Int()
		for _, m := range p.shardSlot {
			m[id] = k
		}
	}
	p.stats.RecordsIn = sr.Varint()
	for i := range p.stats.Inputs {
		p.stats.Inputs[i].Records = sr.Varint()
		p.stats.Inputs[i].Failed = sr.Varint()
	}
	p.errs.count = sr.Varint()
	p.errs.first = sr.String()
	clear(p.errs.byName)
	for i, n := 0, sr.Len(); i < n; i++ {
		name := sr.String()
		p.errs.byName[name] = sr.Varint()
	}
	for _, name := range slices.Sorted(maps.Keys(p.counters)) {
		if got := sr.String(); got != name && sr.Err() == nil {
			sr.Failf("state has output %s where the application has %s", got, name)
		}
		p.counters[name].n = sr.Varint()
	}
	for _, ts := range p.targets {
		for _, tg := range ts {
			if b := sr.Batch(); b != nil {
				if b.Width != tg.batch.Width {
					sr.Failf("state has input rows of %d columns; the application's have %d", b.Width, tg.batch.Width)
				}
				tg.batch = b
			}
		}
	}
	graph := sr.Blob()
	if err := sr.End(); err != nil {
		return err
	}
	return p.run.Restore(bytes.NewReader(graph))
}

const noBound = math.MinInt64

// Fingerprint is the application plan's fingerprint (plan.Graph): two
// pipelines with the same one can carry each other's state.
func (p *Pipeline) Fingerprint() string { return p.l.graph.Fingerprint() }

// Stop ends a live run without ending its input: open windows stay open
// (their state went into the last checkpoint, and a run resumed from it
// closes them), outputs deliver what was emitted and close. It returns the
// run's figures, as Finish does.
func (p *Pipeline) Stop() (Stats, error) { return p.end(false) }

// ResetCounts zeroes the run's figures (records in, rows out, errors)
// after a Restore, so that a resumed live run reports its own.
func (p *Pipeline) ResetCounts() {
	p.stats.RecordsIn = 0
	for i := range p.stats.Inputs {
		p.stats.Inputs[i].Records, p.stats.Inputs[i].Failed = 0, 0
	}
	for _, c := range p.counters {
		c.n = 0
	}
	p.errs.count, p.errs.first = 0, ""
	clear(p.errs.byName)
}
