package live

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/plan"
)

// part is one part of a split application (plan.Split): the
// in-application input streams it owns. Each part has its own lease and
// its own checkpoints, both named after its first input stream, and its
// own pipeline, which reads only the shards mapped to its streams
// (kinesis.ShardMap); the pumps of the other parts get no rows in it.
type part struct {
	key     string   // the part's first input stream
	streams []string // its input streams
	owns    []map[int]bool
	start   time.Time // the instance's reading start: where NOW reads from
	// observed is shared by the parts of an instance: the first part to
	// start gets the run's Observer when it cannot watch parts (observer).
	observed *atomic.Bool
}

// observer is the part's pipeline's observer: one of its own from an
// observer that watches parts (the --http hub), else the run's observer
// for the first part to start and none for the others (an observer
// watches one pipeline).
func (pt *part) observer(o engine.Observer) engine.Observer {
	if po, ok := o.(engine.PartObserver); ok {
		return po.Part(pt.key, pt.streams)
	}
	if o == nil || !pt.observed.CompareAndSwap(false, true) {
		return nil
	}
	return o
}

// storeName names the checkpoints of the application or of the part.
func (pt *part) storeName(a string) string {
	if pt == nil {
		return a
	}
	return a + "." + pt.key
}

// only is SourceOptions.Only for input in: nil reads every shard.
func (pt *part) only(in int) map[int]bool {
	if pt == nil {
		return nil
	}
	if in < len(pt.owns) && pt.owns[in] != nil {
		return pt.owns[in]
	}
	return map[int]bool{}
}

// parts lays the split out by input and in-application stream index (the
// streams of input i are its sources in catalog order, _001 first).
func parts(g *plan.Graph, sp plan.Split) []*part {
	slot := map[string][2]int{}
	count := map[int]int{}
	for _, s := range g.Catalog.Streams() {
		if s.Source {
			slot[s.Name] = [2]int{s.Input, count[s.Input]}
			count[s.Input]++
		}
	}
	var out []*part
	var observed atomic.Bool
	start := readingStart()
	for _, names := range sp.Parts {
		pt := &part{key: names[0], streams: names, observed: &observed, start: start}
		for _, n := range names {
			in, k := slot[n][0], slot[n][1]
			for len(pt.owns) <= in {
				pt.owns = append(pt.owns, nil)
			}
			if pt.owns[in] == nil {
				pt.owns[in] = map[int]bool{}
			}
			pt.owns[in][k] = true
		}
		out = append(out, pt)
	}
	return out
}

// runParts runs a split application: one runPart per part, each waiting
// for its part's lease (a standby of it until then). The instance stops
// when ctx ends or any of its parts fails.
func runParts(ctx context.Context, o engine.Options, lo *Options, base *lease, g *plan.Graph, logf func(string, ...any)) (engine.Stats, error) {
	sp := g.Split()
	bal := &balancer{l: base, logf: logf}
	for _, names := range sp.Parts {
		bal.keys = append(bal.keys, base.app+"#"+names[0])
	}
	// The runs holding parts before this instance's start position: a
	// part one of them releases at its clean stop is resumed from its
	// checkpoint (lease.acquire), not read again from that position.
	if err := base.ensureTable(ctx); err != nil {
		return engine.Stats{}, fmt.Errorf("lease table %s: %w", base.table, err)
	}
	if _, err := bal.read(ctx); err != nil {
		return engine.Stats{}, err
	}
	all := parts(g, sp)
	var names []string
	for _, pt := range all {
		names = append(names, strings.Join(pt.streams, "+"))
	}
	logf("the application's graph splits into %d parts (%s): this instance takes the parts no other instance runs", len(all), strings.Join(names, ", "))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Progress is the instance's: the sum over its parts of each part's
	// latest figures.
	figures := &partFigures{latest: make([]Progress, len(all)), ended: make([]Progress, len(all))}
	sh := &share{}
	type result struct {
		st  engine.Stats
		err error
	}
	results := make(chan result, len(all))
	for i, pt := range all {
		ls := *base
		ls.app = bal.keys[i]
		ls.what = fmt.Sprintf("application %s, part %d of %d (%s)", base.app, i+1, len(all), names[i])
		ls.share = sh
		plogf := func(format string, args ...any) { logf("part %d: "+format, append([]any{i + 1}, args...)...) }
		plo := *lo
		if lo.Progress != nil {
			plo.Progress = func(p Progress) {
				lo.Progress(figures.update(i, p))
			}
		}
		go func() {
			// A part handed over to another instance (rebalance.go) is
			// waited for again, as a standby of it.
			sum := engine.Stats{RowsOut: map[string]int64{}}
			for {
				st, err := runPart(ctx, o, &plo, &ls, pt, plogf)
				sum.Add(st)
				if err != nil {
					err = fmt.Errorf("part %d (%s): %w", i+1, names[i], err)
					cancel()
				}
				if err != nil || !ls.handedOver || ctx.Err() != nil {
					results <- result{sum, err}
					return
				}
				figures.handedOver(i)
			}
		}()
	}
	balancing := make(chan struct{})
	go func() { defer close(balancing); bal.run(ctx) }()
	defer func() { cancel(); <-balancing }()
	total := engine.Stats{RowsOut: map[string]int64{}}
	var errs []error
	for range all {
		r := <-results
		total.Add(r.st)
		if r.err != nil {
			errs = append(errs, r.err)
		}
	}
	return total, errors.Join(errs...)
}

// partFigures are the Progress of each part of an instance: of its
// current run (latest) plus what the runs of it that ended by a hand-over
// counted (ended), so that the instance's counts never go back.
type partFigures struct {
	mu            sync.Mutex
	latest, ended []Progress
}

// update takes part i's latest figures and returns the instance's.
func (f *partFigures) update(i int, p Progress) Progress {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.latest[i] = sumProgress([]Progress{f.ended[i], p})
	return sumProgress(f.latest)
}

// handedOver keeps part i's counts and drops what described its reading
// (lags, outages, inputs waited for): another instance reads it now.
func (f *partFigures) handedOver(i int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.latest[i]
	p.LagMillis, p.ArrivalLagMillis, p.Outages, p.Waiting = 0, 0, nil, nil
	f.ended[i], f.latest[i] = p, p
}

// sumProgress adds up the figures of the parts an instance runs.
func sumProgress(parts []Progress) Progress {
	sum := Progress{Delivered: map[string]int64{}}
	for _, p := range parts {
		sum.RecordsIn += p.RecordsIn
		for k, n := range p.Delivered {
			sum.Delivered[k] += n
		}
		sum.LagMillis = max(sum.LagMillis, p.LagMillis)
		sum.ArrivalLagMillis = max(sum.ArrivalLagMillis, p.ArrivalLagMillis)
		sum.Outages = append(sum.Outages, p.Outages...)
		sum.Waiting = append(sum.Waiting, p.Waiting...)
		sum.Checkpoints += p.Checkpoints
		sum.CheckpointBytes += p.CheckpointBytes
		sum.CheckpointTime = max(sum.CheckpointTime, p.CheckpointTime)
		if p.LastCheckpoint.After(sum.LastCheckpoint) {
			sum.LastCheckpoint = p.LastCheckpoint
		}
	}
	return sum
}
