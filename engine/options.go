// Package engine wires an application into a running operator graph:
// sources (replays), the planned pumps, and sinks.
package engine

import (
	"io"
	"log/slog"
	"time"

	"github.com/streamsql/streamsql/app"
)

// Replay feeds an in-application source stream from a recording file.
// Stream "" means the application's input (every in-application stream of it).
type Replay struct {
	Stream string
	Path   string
}

// Out binds an in-application stream to "-" (stdout) or a file path.
type Out struct {
	Stream string
	Dest   string
}

// Options configure one run.
type Options struct {
	App     *app.Application
	Replays []Replay
	// Plain NDJSON payload files: arrival time from a field, or a synthetic
	// clock of Rate records per second starting at Start.
	ArrivalField string
	Rate         float64
	Start        time.Time
	// References binds reference tables to local CSV/JSON files.
	References map[string]string
	// Outs binds streams to destinations; empty means the application's
	// Outputs (or DESTINATION_SQL_STREAM) to Stdout.
	Outs []Out
	// Writers binds streams to writers directly (tests); it wins over Outs.
	Writers map[string]io.Writer
	// Format is "table", "ndjson" or "csv"; "" picks table on a terminal.
	Format string
	// Rowtime adds a ROWTIME field to every output row.
	Rowtime bool
	// InsertionTime gives ROWTIME the processing clock instead of the
	// record's arrival time (KDA's own behaviour; not deterministic).
	InsertionTime bool
	// Reorder is the slack, in records, within which a replay is sorted by
	// arrival time (shards interleaved slightly out of order in a
	// recording come out as a live run merges them). 0 means the default,
	// DefaultReorder; negative disables sorting.
	Reorder int
	// BatchRecords is how many source records are decoded before they flow
	// through the graph together and time advances to the latest; 0 means
	// 1024. Smaller batches lower latency, larger ones raise throughput.
	BatchRecords int
	// MaxFutureSkew is how far a replayed record's arrival time may jump
	// ahead of its shard's previous record before the shard's next record
	// must confirm it (docs/semantics.md 82). 0 means DefaultMaxFutureSkew;
	// negative checks only that arrival times are within years 1 to 9999.
	MaxFutureSkew time.Duration
	// MaxStateMemory bounds the operators' state in bytes: past it a
	// warning names each operator and its groups, past HardStateFactor
	// times it the run stops with an error. 0: no bound (the CLI's default
	// is DefaultMaxStateMemory).
	MaxStateMemory int64
	// IdleTimeout is how long (wall clock) a shard of a live run may
	// deliver nothing before it stops holding time back; with no active
	// shard at all, time follows the clock IdleTimeout behind. 0 means
	// DefaultIdleTimeout.
	IdleTimeout time.Duration
	// Connectors, when set, bind the application's outputs to their
	// destinations and its reference tables to their S3 objects (a live
	// run: engine/live); nil prints outputs and wants local tables.
	Connectors Connectors
	// TimeOperators makes every operator measure its time (explain
	// --analyze; plan.Bindings.Timed).
	TimeOperators bool
	// Pumps says whether pumps that share no state run on separate
	// goroutines (plan.Bindings.Lanes): PumpsAuto when there is more than
	// one core and batches are big enough to pay. The outputs are the same
	// bytes in every mode.
	Pumps PumpMode
	// Observer, when set, watches the run (metrics, health, the web
	// console: package observe).
	Observer Observer
	// Log, when set, takes the run's warnings (mappings that matched
	// nothing, state past --max-state-memory) and notes (how a replay is
	// decoded) as structured lines (package event). Nil: the warnings are
	// plain "streamsql: warning:" lines on Stderr.
	Log        *slog.Logger
	Stdout     io.Writer
	Stderr     io.Writer
	IsTerminal bool
}

// PumpMode is how the independent parts of the operator graph run.
type PumpMode int

const (
	// PumpsAuto runs the parts at once on up to GOMAXPROCS goroutines,
	// for batches of at least LaneRows rows.
	PumpsAuto PumpMode = iota
	// PumpsSequential runs everything on the goroutine that pushes rows.
	PumpsSequential
	// PumpsConcurrent runs the parts at once for every batch and bound,
	// even on one core (tests).
	PumpsConcurrent
)

// LaneRows is the fewest rows a source batch needs, in PumpsAuto, for the
// pumps reading it to run at once: below it the hand-off costs more than
// the pumps' work.
const LaneRows = 256

// Defaults for Options.
const (
	DefaultReorder     = 10000
	DefaultIdleTimeout = 10 * time.Second
)

// Stats summarise a run.
type Stats struct {
	RecordsIn int64
	// Inputs count each input's records, in the application's order.
	Inputs  []InputStats
	RowsOut map[string]int64
	// ErrorRows went to error_stream; Errors counts them by ERROR_NAME and
	// FirstError describes the first. ErrorsRouted: an output showed them.
	ErrorRows    int64
	Errors       map[string]int64
	FirstError   string
	ErrorsRouted bool
	LateRows     int64
	// LateEventRows had an event time in a group already emitted (the
	// two-window pattern puts them in a later window).
	LateEventRows int64
	ElapsedTime   time.Duration
	// Refreshes count each reference table's versions swapped in during
	// the run (live --reference-refresh), and those that could not be loaded.
	Refreshes map[string]RefreshStats
}

// RefreshStats count one reference table's refreshes.
type RefreshStats struct{ Loaded, Failed int64 }

// InputStats count the records of one input.
type InputStats struct {
	Name string // the input's NamePrefix
	// Records read, unreadable lines included; Failed gave no row (the line
	// could not be read, or every row of the record was rejected).
	Records, Failed int64
	Bytes           int64 // payload bytes of the records read
	// Shards count a replay's records by the shard the recording gives
	// them, in order of first sight (nil in a live run: the Kinesis
	// reader counts its shards itself).
	Shards []ShardStats
}

// ShardStats count the records of one shard of a replayed input: those
// that went into the pipeline (not unreadable lines, nor records whose
// arrival time was rejected), and their payload bytes.
type ShardStats struct {
	ID             string
	Records, Bytes int64
}

// Add adds the figures of another run over the same application (a part
// of it, in a live run split across instances).
func (s *Stats) Add(o Stats) {
	s.RecordsIn += o.RecordsIn
	for i, in := range o.Inputs {
		if i >= len(s.Inputs) {
			s.Inputs = append(s.Inputs, InputStats{Name: in.Name})
		}
		t := &s.Inputs[i]
		t.Records += in.Records
		t.Failed += in.Failed
		t.Bytes += in.Bytes
		t.Shards = append(t.Shards, in.Shards...)
	}
	if s.RowsOut == nil {
		s.RowsOut = map[string]int64{}
	}
	for k, n := range o.RowsOut {
		s.RowsOut[k] += n
	}
	s.ErrorRows += o.ErrorRows
	for k, n := range o.Errors {
		if s.Errors == nil {
			s.Errors = map[string]int64{}
		}
		s.Errors[k] += n
	}
	if s.FirstError == "" {
		s.FirstError = o.FirstError
	}
	s.ErrorsRouted = s.ErrorsRouted || o.ErrorsRouted
	s.LateRows += o.LateRows
	s.LateEventRows += o.LateEventRows
	s.ElapsedTime = max(s.ElapsedTime, o.ElapsedTime)
	for k, r := range o.Refreshes {
		if s.Refreshes == nil {
			s.Refreshes = map[string]RefreshStats{}
		}
		t := s.Refreshes[k]
		t.Loaded += r.Loaded
		t.Failed += r.Failed
		s.Refreshes[k] = t
	}
}
