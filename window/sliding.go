package window

import (
	"math"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

// Frame is one window of a windowed aggregation (OVER): the rows of the
// current row's partition that end at the current row.
type Frame struct {
	Partition []eval.Func
	// Rows selects ROWS n PRECEDING: the current row and the N before it.
	Rows bool
	N    int64
	// Range is RANGE INTERVAL ... PRECEDING in milliseconds: the rows whose
	// ROWTIME is in [t-Range, t], both ends included.
	Range int64
}

// AnalyticSpec is one windowed call (AGG(x) OVER w).
type AnalyticSpec struct {
	Kind       AggKind
	Arg        eval.Func // nil for COUNT(*)
	ArgType    value.Type
	ResultType value.Type
	Frame      int // index into SlidingConfig.Frames
	// Offset is LAG's row offset or NTH_VALUE's position.
	Offset int64
	// Default is LAG's third argument (nil: NULL).
	Default     eval.Func
	IgnoreNulls bool
	FromLast    bool  // NTH_VALUE ... FROM LAST
	HalfLife    int64 // EXP_AVG, milliseconds
}

// SlidingConfig describes a windowed aggregation: each input row is
// emitted with one value appended per call.
type SlidingConfig struct {
	Frames []Frame
	Calls  []AnalyticSpec
	Width  int // input row width
	Errors operators.ErrorSink
	Pump   string
}

// Sliding is the operator behind OVER: one output row per input row.
// Adding a row and expiring one cost O(1) amortized per call: running sums
// for COUNT/SUM/AVG/STDDEV/VAR/EXP_AVG, monotonic deques for MIN/MAX.
type Sliding struct {
	cfg      SlidingConfig
	out      *operators.Emitter
	ctx      eval.Ctx
	frames   []*frameState
	args     []value.Value
	defaults []value.Value
	keyBuf   []byte
	parts    []*part
}

type frameState struct {
	f     *Frame
	calls []int // indexes of cfg.Calls using this frame
	parts map[string]*part
	// quiet lists (time, partition) in time order, to drop partitions
	// whose every row has left a RANGE frame.
	quiet     []quietEntry
	quietHead int
}

type quietEntry struct {
	t int64
	p *part
}

// part is one partition of one frame: its rows in arrival order and one
// accumulator per call. Row r is vals[r*stride : (r+1)*stride], stride
// len(calls)+1: its ROWTIME (in I) then one argument value per call, so a
// row's time and values share cache lines.
type part struct {
	key    string
	vals   []value.Value
	head   int   // first row still in the frame
	seq0   int64 // sequence number of row 0
	accs   []slideAcc
	last   int64
	accBuf [2]slideAcc // accs of frames with one or two calls, in place
}

// rows is the number of rows held (including expired ones before head).
func (p *part) rows(stride int) int { return len(p.vals) / stride }

// time is the ROWTIME of row r.
func (p *part) time(r, stride int) int64 { return p.vals[r*stride].I }

// NewSliding creates the operator feeding out.
func NewSliding(cfg SlidingConfig, out operators.Operator) *Sliding {
	s := &Sliding{cfg: cfg, out: operators.NewEmitter(out, cfg.Width+len(cfg.Calls)),
		args:     make([]value.Value, len(cfg.Calls)),
		defaults: make([]value.Value, len(cfg.Calls))}
	for i := range cfg.Frames {
		s.frames = append(s.frames, &frameState{f: &s.cfg.Frames[i], parts: map[string]*part{}})
	}
	for i, c := range cfg.Calls {
		s.frames[c.Frame].calls = append(s.frames[c.Frame].calls, i)
	}
	return s
}

// Partitions is the number of live partitions over all frames.
func (s *Sliding) Partitions() int {
	n := 0
	for _, f := range s.frames {
		n += len(f.parts)
	}
	return n
}

// Push emits one row per input row.
func (s *Sliding) Push(b *operators.Batch) {
	c := &s.ctx
	w := s.cfg.Width
	for i, n := 0, b.Len(); i < n; i++ {
		row := b.Row(i)
		tm := b.Times[i]
		c.Rowtime = tm
		c.Err = nil
		for k := range s.cfg.Calls {
			sp := &s.cfg.Calls[k]
			if sp.Arg != nil {
				s.args[k] = sp.Arg(c, row)
			}
			if sp.Default != nil {
				s.defaults[k] = sp.Default(c, row)
			}
		}
		if c.Err != nil {
			s.fail(c.Err, tm, row)
			continue
		}
		parts := s.partsFor(row, tm)
		if c.Err != nil {
			s.fail(c.Err, tm, row)
			continue
		}
		outRow := s.out.Grow(tm)
		copy(outRow, row)
		var err error
		for fi, fs := range s.frames {
			if err = s.add(fs, parts[fi], tm, outRow[w:]); err != nil {
				break
			}
		}
		if err != nil {
			s.out.Truncate(s.out.Len() - 1)
			s.fail(err, tm, row)
		}
	}
	s.out.Flush()
}

// partsFor finds (or opens) the row's partition in every frame.
func (s *Sliding) partsFor(row []value.Value, tm int64) []*part {
	parts := s.parts[:0]
	for _, fs := range s.frames {
		if !fs.f.Rows {
			s.dropQuiet(fs, tm)
		}
		s.keyBuf = s.keyBuf[:0]
		for _, f := range fs.f.Partition {
			s.keyBuf = value.AppendKey(s.keyBuf, f(&s.ctx, row))
		}
		p, ok := fs.parts[string(s.keyBuf)]
		if !ok {
			p = &part{key: string(s.keyBuf)}
			if len(fs.calls) <= len(p.accBuf) {
				p.accs = p.accBuf[:len(fs.calls)]
			} else {
				p.accs = make([]slideAcc, len(fs.calls))
			}
			fs.parts[p.key] = p
			if !fs.f.Rows {
				// Each partition is queued once; it is dropped, or queued
				// again, when the queue reaches it.
				fs.quiet = append(fs.quiet, quietEntry{tm, p})
			}
		}
		parts = append(parts, p)
	}
	s.parts = parts
	return parts
}

// dropQuiet forgets partitions that have had no row within the frame.
func (s *Sliding) dropQuiet(fs *frameState, tm int64) {
	lo := tm - fs.f.Range
	for fs.quietHead < len(fs.quiet) && fs.quiet[fs.quietHead].t < lo {
		e := fs.quiet[fs.quietHead]
		fs.quiet[fs.quietHead] = quietEntry{}
		fs.quietHead++
		if e.p.last >= lo {
			// Seen since it was queued: check again when its last row leaves.
			fs.quiet = append(fs.quiet, quietEntry{e.p.last, e.p})
			continue
		}
		if fs.parts[e.p.key] == e.p {
			delete(fs.parts, e.p.key)
		}
	}
	if fs.quietHead > 1024 && fs.quietHead*2 > len(fs.quiet) {
		n := copy(fs.quiet, fs.quiet[fs.quietHead:])
		clear(fs.quiet[n:])
		fs.quiet = fs.quiet[:n]
		fs.quietHead = 0
	}
}

// add expires what left the frame, adds the row, and writes the frame's
// call results into res (indexed by call).
func (s *Sliding) add(fs *frameState, p *part, tm int64, res []value.Value) error {
	calls := fs.calls
	stride := len(calls) + 1
	f := fs.f
	if !f.Rows {
		lo := tm - f.Range
		for p.head < p.rows(stride) && p.time(p.head, stride) < lo {
			s.evict(fs, p)
		}
	}
	seq := p.seq0 + int64(p.rows(stride))
	p.vals = append(p.vals, value.Value{K: value.KTimestamp, I: tm})
	p.last = tm
	for _, ci := range calls {
		p.vals = append(p.vals, s.args[ci])
	}
	for j, ci := range calls {
		p.accs[j].add(&s.cfg.Calls[ci], p, stride, j, seq, tm, s.args[ci])
	}
	if f.Rows {
		for int64(p.rows(stride)-p.head) > f.N+1 {
			s.evict(fs, p)
		}
	}
	for j, ci := range calls {
		v, err := p.accs[j].result(&s.cfg.Calls[ci], p, stride, j, s.args[ci], s.defaults[ci])
		if err != nil {
			return err
		}
		res[ci] = v
	}
	p.compact(stride)
	return nil
}

// evict removes the oldest row of the frame from every accumulator.
func (s *Sliding) evict(fs *frameState, p *part) {
	stride := len(fs.calls) + 1
	seq := p.seq0 + int64(p.head)
	row := p.vals[p.head*stride : (p.head+1)*stride]
	for j, ci := range fs.calls {
		p.accs[j].remove(&s.cfg.Calls[ci], p, seq, row[1+j], row[0].I)
	}
	clear(row)
	p.head++
}

// compact reclaims the space of expired rows once they are the majority.
func (p *part) compact(stride int) {
	if p.head < 8 || p.head*2 < p.rows(stride) {
		return
	}
	m := copy(p.vals, p.vals[p.head*stride:])
	clear(p.vals[m:])
	p.vals = p.vals[:m]
	p.seq0 += int64(p.head)
	p.head = 0
}

// at is the argument value of call j for the row with sequence seq.
func (p *part) at(seq int64, stride, j int) value.Value {
	return p.vals[int(seq-p.seq0)*stride+1+j]
}

// Advance forwards the bound: rows leaving a frame produce no output.
func (s *Sliding) Advance(t int64) {
	s.out.Advance(t)
}

func (s *Sliding) fail(err error, tm int64, row []value.Value) {
	operators.ReportRow(s.cfg.Errors, err, tm, row, s.cfg.Pump)
}

// slideAcc is one call's state in one partition.
type slideAcc struct {
	n      int64   // non-NULL values in the frame
	i, hi  int64   // integer sum with its carry (true sum = i + hi*2^64)
	s, c   float64 // compensated float sum
	mean   float64 // Welford mean and squared deviations
	m2     float64
	trues  int64
	falses int64
	dq     []int64 // sequence numbers: monotonic deque (MIN/MAX) or non-NULL rows
	dqHead int
	ew, es float64 // EXP_AVG weight and weighted sums relative to eref
	eref   int64
}

func (a *slideAcc) dqLen() int { return len(a.dq) - a.dqHead }

func (a *slideAcc) dqPush(seq int64) {
	if a.dqHead > 32 && a.dqHead*2 > len(a.dq) {
		n := copy(a.dq, a.dq[a.dqHead:])
		a.dq = a.dq[:n]
		a.dqHead = 0
	}
	a.dq = append(a.dq, seq)
}

func (a *slideAcc) addInt(x int64) {
	sum := a.i + x
	if x > 0 && sum < a.i {
		a.hi++
	} else if x < 0 && sum > a.i {
		a.hi--
	}
	a.i = sum
}

// addFloat is Neumaier's compensated summation, so removing a large value
// leaves the small ones intact.
func (a *slideAcc) addFloat(x float64) {
	t := a.s + x
	if math.Abs(a.s) >= math.Abs(x) {
		a.c += (a.s - t) + x
	} else {
		a.c += (x - t) + a.s
	}
	a.s = t
}

func (a *slideAcc) reset() {
	dq, head := a.dq, a.dqHead
	*a = slideAcc{dq: dq, dqHead: head}
}

const expRebase = 512.0

func (a *slideAcc) add(sp *AnalyticSpec, p *part, stride, j int, seq, tm int64, v value.Value) {
	switch sp.Kind {
	case AggCountStar, AggLag, AggNthValue, AggFirstValue, AggLastValue:
		if sp.IgnoreNulls && v.K != value.KNull {
			a.dqPush(seq)
		}
		if v.K != value.KNull {
			a.n++
		}
		return
	}
	if v.K == value.KNull {
		return
	}
	a.n++
	switch sp.Kind {
	case AggSum, AggAvg:
		switch sp.ResultType.Base {
		case value.TDouble:
			a.addFloat(v.Float64())
		case value.TDecimal:
			a.addInt(unscaled(v, sp.ResultType.Scale))
		default:
			a.addInt(v.I)
		}
	case AggMin, AggMax:
		for a.dqLen() > 0 {
			back := p.at(a.dq[len(a.dq)-1], stride, j)
			c, ok := value.Compare(back, v)
			if ok && ((sp.Kind == AggMin && c > 0) || (sp.Kind == AggMax && c < 0)) {
				a.dq = a.dq[:len(a.dq)-1]
				continue
			}
			break
		}
		a.dqPush(seq)
	case AggStddevPop, AggStddevSamp, AggVarPop, AggVarSamp:
		x := v.Float64()
		d := x - a.mean
		a.mean += d / float64(a.n)
		a.m2 += d * (x - a.mean)
	case AggAny, AggEvery:
		if v.Bool() {
			a.trues++
		} else {
			a.falses++
		}
	case AggExpAvg:
		if a.n == 1 {
			a.eref = tm
		}
		h := float64(sp.HalfLife)
		if e := float64(tm-a.eref) / h; e > expRebase {
			f := math.Exp2(-e)
			a.es *= f
			a.ew *= f
			a.eref = tm
		}
		w := math.Exp2(float64(tm-a.eref) / h)
		a.es += w * v.Float64()
		a.ew += w
	}
}

func (a *slideAcc) remove(sp *AnalyticSpec, p *part, seq int64, v value.Value, tm int64) {
	if a.dqLen() > 0 && a.dq[a.dqHead] == seq {
		a.dqHead++
	}
	if v.K == value.KNull {
		return
	}
	a.n--
	if a.n == 0 {
		a.reset()
		return
	}
	switch sp.Kind {
	case AggSum, AggAvg:
		switch sp.ResultType.Base {
		case value.TDouble:
			a.addFloat(-v.Float64())
		case value.TDecimal:
			a.addInt(-unscaled(v, sp.ResultType.Scale))
		default:
			a.addInt(-v.I)
		}
	case AggStddevPop, AggStddevSamp, AggVarPop, AggVarSamp:
		x := v.Float64()
		d := x - a.mean
		a.mean -= d / float64(a.n)
		a.m2 -= d * (x - a.mean)
		if a.m2 < 0 || a.n == 1 {
			a.m2 = 0
		}
	case AggAny, AggEvery:
		if v.Bool() {
			a.trues--
		} else {
			a.falses--
		}
	case AggExpAvg:
		w := math.Exp2(float64(tm-a.eref) / float64(sp.HalfLife))
		a.es -= w * v.Float64()
		a.ew -= w
	}
}

// result is the call's value for the frame ending at the current row.
func (a *slideAcc) result(sp *AnalyticSpec, p *part, stride, j int, cur, def value.Value) (value.Value, error) {
	rows := int64(p.rows(stride) - p.head)
	first := p.seq0 + int64(p.head)
	switch sp.Kind {
	case AggCount:
		return value.NewInt(a.n), nil
	case AggCountStar:
		return value.NewInt(rows), nil
	case AggLag:
		if sp.IgnoreNulls {
			avail := int64(a.dqLen())
			end := len(a.dq) // one past the newest non-NULL row
			if cur.K != value.KNull {
				avail--
				end--
			}
			if sp.Offset == 0 {
				return cur, nil
			}
			if avail < sp.Offset {
				return def, nil
			}
			return p.at(a.dq[end-int(sp.Offset)], stride, j), nil
		}
		if sp.Offset >= rows {
			return def, nil
		}
		return p.at(first+rows-1-sp.Offset, stride, j), nil
	case AggNthValue:
		if sp.IgnoreNulls {
			if int64(a.dqLen()) < sp.Offset {
				return value.Null, nil
			}
			if sp.FromLast {
				return p.at(a.dq[len(a.dq)-int(sp.Offset)], stride, j), nil
			}
			return p.at(a.dq[a.dqHead+int(sp.Offset)-1], stride, j), nil
		}
		if rows < sp.Offset {
			return value.Null, nil
		}
		if sp.FromLast {
			return p.at(first+rows-sp.Offset, stride, j), nil
		}
		return p.at(first+sp.Offset-1, stride, j), nil
	case AggFirstValue:
		if sp.IgnoreNulls {
			if a.dqLen() == 0 {
				return value.Null, nil
			}
			return p.at(a.dq[a.dqHead], stride, j), nil
		}
		return p.at(first, stride, j), nil
	case AggLastValue:
		if sp.IgnoreNulls {
			if a.dqLen() == 0 {
				return value.Null, nil
			}
			return p.at(a.dq[len(a.dq)-1], stride, j), nil
		}
		return cur, nil
	}
	if a.n == 0 {
		return value.Null, nil
	}
	rt := sp.ResultType
	switch sp.Kind {
	case AggSum, AggAvg:
		switch rt.Base {
		case value.TDouble:
			sum := a.s + a.c
			if sp.Kind == AggAvg {
				sum /= float64(a.n)
			}
			return value.NewFloat(sum), nil
		}
		if a.hi != 0 {
			return value.Null, eval.Errorf(eval.ErrArithmetic, "integer overflow in "+rt.String()+" sum")
		}
		sum := a.i
		if sp.Kind == AggAvg {
			sum /= a.n
		}
		if rt.Base == value.TDecimal {
			return value.NewDecimal(sum, uint8(rt.Scale)), nil
		}
		return checkRange(sum, rt)
	case AggMin, AggMax:
		return p.at(a.dq[a.dqHead], stride, j), nil
	case AggStddevPop, AggVarPop, AggStddevSamp, AggVarSamp:
		return variance(sp.Kind, a.n, a.m2), nil
	case AggAny:
		return value.NewBool(a.trues > 0), nil
	case AggEvery:
		return value.NewBool(a.falses == 0), nil
	case AggExpAvg:
		return value.NewFloat(a.es / a.ew), nil
	}
	return value.Null, nil
}
