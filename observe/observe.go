// Package observe shows a running application from outside: Prometheus
// metrics, health and readiness endpoints for orchestrators, and a live
// web console, all on one HTTP address (streamsql run --http ADDR).
//
// The engine's counters belong to the goroutine that pushes rows and are
// not synchronised. The Hub is the engine's Observer: from that goroutine
// it copies the counters into a snapshot at most every PublishEvery (and
// at the end), and the HTTP handlers read only snapshots. The metrics
// collector turns the latest snapshot into metrics at scrape time, so the
// hot path pays for one clock read per batch of records and nothing per
// record; Kinesis shard figures are read from the sources under their own
// lock.
package observe

import (
	"log/slog"
	"net"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamsql/streamsql/connectors/kinesis"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/plan"
	"github.com/streamsql/streamsql/sink"
)

// Options configure a Hub.
type Options struct {
	// ReadyMaxAge is how long ago every open shard of a live run must have
	// been read for /readyz to answer 200 (default DefaultReadyMaxAge).
	ReadyMaxAge time.Duration
	// HealthMaxAge is how long the engine's loop may go without turning
	// before /healthz answers 503 (default DefaultHealthMaxAge).
	HealthMaxAge time.Duration
	// PublishEvery is the snapshot period (default 200 ms).
	PublishEvery time.Duration
	// Rows is how many of each stream's latest rows the console keeps
	// (default 20).
	Rows int
	// Version is reported by streamsql_build_info.
	Version string
	// Logger hears about the server (nil: slog.Default()).
	Logger *slog.Logger
}

// Defaults for Options.
const (
	DefaultReadyMaxAge  = 30 * time.Second
	DefaultHealthMaxAge = 60 * time.Second
)

var (
	_ engine.PartObserver = (*Hub)(nil)
	_ engine.PartLeaver   = (*pipe)(nil)
)

// Hub is an engine.Observer that serves what it sees. It watches one
// pipeline, or with Part one per part of a split application, and serves
// them as one run.
type Hub struct {
	o Options

	beat    atomic.Int64 // unix nanos of the last turn of any pipeline's loop
	started atomic.Bool
	whole   *pipe // the pipeline of an application run whole

	mu      sync.Mutex
	snaps   map[string]*Snapshot // each pipeline's latest, by part ("": whole)
	ckpt    checkpoints
	sources []watched
	graph   *GraphView
	subs    map[chan []byte]struct{}
}

// pipe is the Hub's side of one pipeline: the whole application's, or one
// part's. Its fields belong to that pipeline's goroutine.
type pipe struct {
	h       *Hub
	part    string   // the part's name (its first input stream); "" for a whole run
	streams []string // the part's input streams: the operators shown are those they reach
	lastPub time.Time
	last    *Snapshot        // the pipe's latest, published in Hub.snaps (under Hub.mu)
	run     *plan.Running    // the graph nodes were found in
	nodes   []operators.Node // the operators shown

	// Console taps.
	taps   []*tap
	errors *ring
}

type watched struct {
	input string
	src   *kinesis.Source
}

// New makes a Hub.
func New(o Options) *Hub {
	if o.ReadyMaxAge <= 0 {
		o.ReadyMaxAge = DefaultReadyMaxAge
	}
	if o.HealthMaxAge <= 0 {
		o.HealthMaxAge = DefaultHealthMaxAge
	}
	if o.PublishEvery <= 0 {
		o.PublishEvery = 200 * time.Millisecond
	}
	if o.Rows <= 0 {
		o.Rows = 20
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	h := &Hub{o: o, subs: map[chan []byte]struct{}{}, snaps: map[string]*Snapshot{}}
	h.whole = h.newPipe("", nil)
	return h
}

func (h *Hub) newPipe(part string, streams []string) *pipe {
	return &pipe{h: h, part: part, streams: streams, errors: newRing(h.o.Rows, sink.ErrorStreamColumns)}
}

// Part is the observer of one part of a split application running in a
// pipeline of its own (plan.Split; a live run with --lease): part names
// it (its first input stream) and streams are its input streams. The
// operators each part's rows reach are shown labelled with its name, and
// the parts' other figures add up into the run's. Observing a part again
// (taken over anew) replaces what was shown of it; the observer's Leave
// drops it (handed over to another instance).
func (h *Hub) Part(part string, streams []string) engine.Observer {
	return h.newPipe(part, streams)
}

// Snapshot is the run as last published.
type Snapshot struct {
	At        time.Time
	Stats     engine.Stats
	Operators []OperatorStats
	Outputs   []OutputStats
	Watermark int64               // the run's time bound, ms since the epoch
	Final     bool                // the run has ended
	Streams   map[string][]string // latest rows of each stream, JSON objects, oldest first
	Errors    []string            // latest error_stream rows
}

// OperatorStats are one running operator's counters.
type OperatorStats struct {
	Name     string              `json:"name"`
	Part     string              `json:"part,omitempty"` // the part of a split application it runs in (Hub.Part)
	RowsIn   int64               `json:"in"`
	RowsOut  int64               `json:"out"`
	State    operators.StateSize `json:"state"`
	Late     int64               `json:"late,omitempty"`
	Windowed bool                `json:"-"` // counts late rows
}

// OutputStats are one output's delivery figures.
type OutputStats struct {
	Stream      string
	Destination string
	Status      engine.OutputStatus
}

// WatchSource adds a live input's Kinesis source: its shards' reads become
// metrics and decide readiness.
func (h *Hub) WatchSource(input string, src *kinesis.Source) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sources = append(h.sources, watched{input, src})
}

// UnwatchSource drops a source no longer read (live.Options.Unwatch: the
// part of a split application handed over to another instance), so that
// its closed shards do not make the instance unready.
func (h *Hub) UnwatchSource(src *kinesis.Source) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sources = slices.DeleteFunc(h.sources, func(w watched) bool { return w.src == src })
}

// Taps implements engine.Observer for an application run whole.
func (h *Hub) Taps(g *plan.Graph) map[string]operators.Operator { return h.whole.Taps(g) }

// Observe implements engine.Observer for an application run whole.
func (h *Hub) Observe(p *engine.Pipeline, final bool) { h.whole.Observe(p, final) }

// Error implements operators.ErrorSink: the console shows error_stream.
func (h *Hub) Error(r operators.ErrorRecord) { h.whole.Error(r) }

// Taps implements engine.Observer: a reader of every in-application stream
// keeps its latest rows for the console.
func (pp *pipe) Taps(g *plan.Graph) map[string]operators.Operator {
	h := pp.h
	h.started.Store(true)
	h.beat.Store(time.Now().UnixNano())
	gv := graphView(g)
	h.mu.Lock()
	h.graph = gv
	h.mu.Unlock()
	out := map[string]operators.Operator{}
	for _, s := range g.Catalog.Streams() {
		var cols []sink.Column
		for _, c := range s.Visible() {
			cols = append(cols, sink.Column{Name: c.Name, Type: c.Type})
		}
		t := &tap{stream: s.Name, ring: newRing(h.o.Rows, cols)}
		pp.taps = append(pp.taps, t)
		out[s.Name] = t
	}
	return out
}

// Error implements operators.ErrorSink.
func (pp *pipe) Error(r operators.ErrorRecord) { pp.errors.add(r.Time, sink.ErrorRow(r)) }

// Observe implements engine.Observer: it notes that the loop turns and,
// at most every PublishEvery, publishes a snapshot.
func (pp *pipe) Observe(p *engine.Pipeline, final bool) {
	h := pp.h
	now := time.Now()
	h.beat.Store(now.UnixNano())
	if !final && now.Sub(pp.lastPub) < h.o.PublishEvery {
		return
	}
	pp.lastPub = now
	s := &Snapshot{At: now, Stats: p.Current(), Watermark: p.Time(), Final: final, Streams: map[string][]string{}}
	for _, n := range pp.operators(p.Running()) {
		os := OperatorStats{Name: n.Name(), Part: pp.part, RowsIn: n.Counters().RowsIn, RowsOut: n.Counters().RowsOut, State: n.StateSize()}
		if l, ok := n.(interface{ LateRows() (int64, bool) }); ok {
			os.Late, os.Windowed = l.LateRows()
		}
		s.Operators = append(s.Operators, os)
	}
	for _, b := range p.Outputs() {
		s.Outputs = append(s.Outputs, OutputStats{Stream: b.Stream, Destination: b.Destination(), Status: b.Out.Status()})
	}
	for _, t := range pp.taps {
		if t.ring.changed {
			t.ring.render()
		}
		s.Streams[t.stream] = t.ring.rendered
	}
	if pp.errors.changed {
		pp.errors.render()
	}
	s.Errors = pp.errors.rendered
	h.mu.Lock()
	h.snaps[pp.part], pp.last = s, s
	all := h.latest()
	h.mu.Unlock()
	h.broadcast(all)
}

// Leave stops showing the part: it was handed over to another instance
// while this one goes on (live), which shows its figures from now on.
// A part observed again since (Part) stays.
func (pp *pipe) Leave() {
	h := pp.h
	h.mu.Lock()
	if s := h.snaps[pp.part]; s != nil && s == pp.last {
		delete(h.snaps, pp.part)
	}
	all := h.latest()
	h.mu.Unlock()
	if all != nil {
		h.broadcast(all)
	}
}

// operators are the running operators the pipeline shows: every one of a
// whole run, those its input streams reach for a part (the others are
// there too, but get no rows).
func (pp *pipe) operators(r *plan.Running) []operators.Node {
	if pp.run != r {
		pp.run = r
		if pp.streams == nil {
			pp.nodes = r.Operators()
		} else {
			pp.nodes = r.Reached(pp.streams)
		}
	}
	return pp.nodes
}

// checkpoints are a live run's checkpoint writes.
type checkpoints struct {
	saved, failed int64
	pruneFailed   int64 // saved, but the old ones stayed
	size          int64
	took          time.Duration
	last          time.Time // the last one saved
}

// Checkpointed records a checkpoint write (live.Options.Checkpointed).
func (h *Hub) Checkpointed(size int64, took time.Duration, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		h.ckpt.failed++
		return
	}
	h.ckpt.saved++
	h.ckpt.size, h.ckpt.took, h.ckpt.last = size, took, time.Now()
}

// CheckpointPruneFailed records a checkpoint saved whose older ones could
// not be removed (live.Options.CheckpointPruneFailed).
func (h *Hub) CheckpointPruneFailed(error) {
	h.mu.Lock()
	h.ckpt.pruneFailed++
	h.mu.Unlock()
}

// Latest is the last published snapshot (nil before the first): of the
// parts, their snapshots as one (merge.go).
func (h *Hub) Latest() *Snapshot {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.latest()
}

func (h *Hub) watchedSources() []watched {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]watched(nil), h.sources...)
}

// Healthy reports whether the engine's loop turned within HealthMaxAge
// (or the run has ended: a held console stays healthy).
func (h *Hub) Healthy() (bool, string) {
	if s := h.Latest(); s != nil && s.Final {
		return true, "the run has ended; serving its last figures"
	}
	if !h.started.Load() {
		return true, "starting"
	}
	age := time.Since(time.Unix(0, h.beat.Load()))
	if age > h.o.HealthMaxAge {
		return false, "the engine's loop has not turned for " + age.Round(time.Second).String()
	}
	return true, "the engine's loop turned " + age.Round(time.Millisecond).String() + " ago"
}

// Ready reports whether the application is processing: the graph is
// built, and in a live run every input answered and every open shard was
// read within ReadyMaxAge.
func (h *Hub) Ready() (bool, []string) {
	if !h.started.Load() {
		return false, []string{"the application is not started yet"}
	}
	var why []string
	now := time.Now()
	for _, w := range h.watchedSources() {
		if ok, _ := w.src.Connected(); !ok {
			why = append(why, "input "+w.input+": Kinesis stream "+w.src.Name()+" has not answered yet")
			continue
		}
		open := 0
		for _, sh := range w.src.Shards() {
			if !sh.Open {
				continue
			}
			open++
			switch {
			case sh.LastRead.IsZero():
				why = append(why, "input "+w.input+": shard "+sh.ID+" not read yet")
			case now.Sub(sh.LastRead) > h.o.ReadyMaxAge:
				why = append(why, "input "+w.input+": shard "+sh.ID+" last read "+now.Sub(sh.LastRead).Round(time.Second).String()+" ago")
			}
		}
		if open == 0 {
			why = append(why, "input "+w.input+": no shard open")
		}
	}
	sort.Strings(why)
	return len(why) == 0, why
}

// ListenAddr makes ":8080" bind the loopback interface only: a console
// and metrics are not exposed to the network unless a host says so.
func ListenAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host != "" {
		return addr
	}
	return net.JoinHostPort("127.0.0.1", port)
}

// joinReasons is the body of a 503.
func joinReasons(why []string) string { return strings.Join(why, "\n") + "\n" }
