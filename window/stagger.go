package window

import (
	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

// StaggerConfig describes WINDOWED BY STAGGER (PARTITION BY keys RANGE r).
type StaggerConfig struct {
	Keys   []eval.Func
	Range  int64 // milliseconds
	Aggs   []AggSpec
	Errors operators.ErrorSink
	Pump   string
}

// Stagger opens a window for a partition key when the first row with that
// key arrives (at its ROWTIME t0) and closes it at t0+Range: the rows of
// that key with ROWTIME in [t0, t0+Range) are aggregated and one row is
// emitted with ROWTIME t0+Range. A later row with the key opens a new
// window. Every window has the same length, so windows close in the order
// they opened: a FIFO holds them.
type Stagger struct {
	cfg     StaggerConfig
	out     *operators.Emitter
	ctx     eval.Ctx
	open    map[string]*swin
	queue   []*swin
	head    int
	keyBuf  []byte
	keyVals []value.Value
	argVals []value.Value
	free    []*swin
}

type swin struct {
	key  string
	keys []value.Value
	accs []acc
	end  int64
}

// NewStagger creates the operator feeding out.
func NewStagger(cfg StaggerConfig, out operators.Operator) *Stagger {
	return &Stagger{cfg: cfg, out: operators.NewEmitter(out, len(cfg.Keys)+len(cfg.Aggs)), open: map[string]*swin{},
		keyVals: make([]value.Value, len(cfg.Keys)),
		argVals: make([]value.Value, len(cfg.Aggs))}
}

// Open is the number of open windows.
func (s *Stagger) Open() int { return len(s.open) }

// Push aggregates rows, closing the windows whose end the rows pass.
func (s *Stagger) Push(b *operators.Batch) {
	c := &s.ctx
	for i, n := 0, b.Len(); i < n; i++ {
		row := b.Row(i)
		tm := b.Times[i]
		s.closeUpTo(tm)
		c.Rowtime = tm
		c.Err = nil
		for k, f := range s.cfg.Keys {
			s.keyVals[k] = f(c, row)
		}
		for k := range s.cfg.Aggs {
			if a := s.cfg.Aggs[k].Arg; a != nil {
				s.argVals[k] = a(c, row)
			}
		}
		if c.Err != nil {
			s.fail(c.Err, tm, row)
			continue
		}
		s.keyBuf = groupKey(s.keyBuf, s.keyVals)
		w, ok := s.open[string(s.keyBuf)]
		if !ok {
			w = s.newWin(tm)
			s.open[w.key] = w
			s.queue = append(s.queue, w)
		}
		for k := range s.cfg.Aggs {
			w.accs[k].add(&s.cfg.Aggs[k], s.argVals[k])
		}
	}
	s.out.Flush()
}

func (s *Stagger) newWin(tm int64) *swin {
	var w *swin
	if n := len(s.free); n > 0 {
		w = s.free[n-1]
		s.free = s.free[:n-1]
		w.keys = append(w.keys[:0], s.keyVals...)
		clear(w.accs)
	} else {
		w = &swin{keys: append([]value.Value(nil), s.keyVals...), accs: make([]acc, len(s.cfg.Aggs))}
	}
	w.key = string(s.keyBuf)
	w.end = tm + s.cfg.Range
	return w
}

// closeUpTo emits every window that ends at or before tm.
func (s *Stagger) closeUpTo(tm int64) {
	for s.head < len(s.queue) && s.queue[s.head].end <= tm {
		w := s.queue[s.head]
		s.queue[s.head] = nil
		s.head++
		s.emit(w)
	}
	if s.head > 64 && s.head*2 > len(s.queue) {
		n := copy(s.queue, s.queue[s.head:])
		clear(s.queue[n:])
		s.queue = s.queue[:n]
		s.head = 0
	}
}

func (s *Stagger) emit(w *swin) {
	delete(s.open, w.key)
	n := s.out.Len()
	row := s.out.Grow(w.end)
	copy(row, w.keys)
	var err error
	for k := range s.cfg.Aggs {
		if row[len(w.keys)+k], err = w.accs[k].result(&s.cfg.Aggs[k]); err != nil {
			break
		}
	}
	if err != nil {
		s.out.Truncate(n)
		s.fail(err, w.end, w.keys)
	}
	if len(s.free) < 1024 {
		s.free = append(s.free, w)
	}
}

// Advance closes the windows that end at or before the bound; the end of
// input closes them all, each at its own end time.
func (s *Stagger) Advance(t int64) {
	s.closeUpTo(t)
	s.out.Advance(t)
}

func (s *Stagger) fail(err error, tm int64, row []value.Value) {
	operators.ReportRow(s.cfg.Errors, err, tm, row, s.cfg.Pump)
}
