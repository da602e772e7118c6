package window

import (
	"math"
	"unsafe"

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
	parts    []int32 // the current row's partition in each frame
}

// frameState is one frame's partitions, stored flat (docs/design.md,
// "Sliding windows stored flat"): an index from the partition key to a
// place in parts,
// the accumulators of partition i at accs[i*len(calls):], and each
// partition's rows in rings of words (the ROWTIME, NULL bits and what each
// COUNT/SUM/AVG/STDDEV/VAR/EXP_AVG/ANY/EVERY call reads of its argument)
// and, for the calls that return a row's value (MIN, MAX, LAG, NTH_VALUE,
// FIRST_VALUE, LAST_VALUE), of values.
type frameState struct {
	f     *Frame
	calls []int // indexes of cfg.Calls using this frame
	slots []argSlot
	// A row is wstride words (ROWTIME first, then the NULL bits if any
	// compact call has an argument, then one word per such call) and
	// vstride values.
	wstride, vstride int
	index            partIndex
	parts            []part
	accs             []slideAcc
	free             []int32 // dropped partitions, for reuse
	// quiet lists (time, partition) in time order, to drop partitions
	// whose every row has left a RANGE frame.
	quiet     []quietEntry
	quietHead int
	// Running totals for StateSize.
	rows, ringBytes, textBytes, keyBytes int64
}

type quietEntry struct {
	t   int64
	p   int32
	gen uint32 // the partition's generation when queued
}

// argSlot is where a row keeps one call's argument.
type argSlot struct {
	pack packMode
	// sum: SUM or AVG of DOUBLE (packFloat), the usual sliding call, whose
	// row goes in, goes out and is read by add, evict and the result
	// without the general accumulator's switches.
	sum  bool
	word int    // compact: the payload's word in the row
	bit  uint64 // compact: the NULL bit
	val  int    // packValue: the value's index in the row
}

// packMode is how a call's argument is kept.
type packMode uint8

const (
	packNone    packMode = iota // no argument (COUNT(*)): always NULL
	packValue                   // the value itself
	packCount                   // only whether it is NULL
	packInt                     // v.I
	packDecimal                 // unscaled to the result's scale
	packFloat                   // v.Float64()
	packBool                    // v.Bool()
)

// packModeOf is how call sp's argument is kept: what its accumulator reads
// of the value when the row leaves, or the value where the call returns one.
func packModeOf(sp *AnalyticSpec) packMode {
	if sp.Arg == nil {
		return packNone
	}
	switch sp.Kind {
	case AggCount:
		return packCount
	case AggSum, AggAvg:
		switch sp.ResultType.Base {
		case value.TDouble:
			return packFloat
		case value.TDecimal:
			return packDecimal
		}
		return packInt
	case AggStddevPop, AggStddevSamp, AggVarPop, AggVarSamp, AggExpAvg:
		return packFloat
	case AggAny, AggEvery:
		return packBool
	}
	return packValue
}

// pack is the word a compact slot keeps of non-NULL v.
func (m packMode) pack(sp *AnalyticSpec, v value.Value) uint64 {
	switch m {
	case packInt:
		return uint64(v.I)
	case packDecimal:
		return uint64(unscaled(v, sp.ResultType.Scale))
	case packFloat:
		return math.Float64bits(v.Float64())
	case packBool:
		if v.Bool() {
			return 1
		}
	}
	return 0
}

// unpack is a value the call's accumulator reads as it read the value w
// was packed from.
func (m packMode) unpack(sp *AnalyticSpec, w uint64) value.Value {
	switch m {
	case packInt:
		return value.NewInt(int64(w))
	case packDecimal:
		return value.NewDecimal(int64(w), uint8(sp.ResultType.Scale))
	case packFloat:
		return value.NewFloat(math.Float64frombits(w))
	case packBool:
		return value.NewBool(w != 0)
	}
	return value.NewBool(true) // packCount: any value but NULL
}

// part is one partition of one frame. Its rows are numbered by sequence
// (0 for its first row); the rows in the frame are first..end-1, row seq at
// place seq&mask of the rings. What a row reads of it fills two cache
// lines: its key and place in the frame, then its rings.
type part struct {
	kin        [partKeyInline]byte // the key, when short (see partIndex)
	klen       uint32
	h          uint32 // the key's hash
	gen        uint32 // bumped when the partition is dropped
	first, end int64
	last       int64 // ROWTIME of the newest row
	mask       int64 // ring capacity - 1; -1 before the first row
	words      []uint64
	vals       []value.Value
	long       string // the key, when longer than kin
}

const (
	partSize     = int64(unsafe.Sizeof(part{}))
	slideAccSize = int64(unsafe.Sizeof(slideAcc{}))
	valueSize    = int64(unsafe.Sizeof(value.Value{}))
)

// time is the ROWTIME of row seq.
func (fs *frameState) time(p *part, seq int64) int64 {
	return int64(p.words[int(seq&p.mask)*fs.wstride])
}

// at is the value of call j (a packValue slot) for row seq.
func (p *part) at(seq int64, vstride, vj int) value.Value {
	return p.vals[int(seq&p.mask)*vstride+vj]
}

// arg is call j's argument of row seq as its accumulator reads it.
func (fs *frameState) arg(calls []AnalyticSpec, p *part, seq int64, j int) value.Value {
	sl := &fs.slots[j]
	r := int(seq & p.mask)
	switch sl.pack {
	case packNone:
		return value.Null
	case packValue:
		return p.vals[r*fs.vstride+sl.val]
	}
	w := p.words[r*fs.wstride:]
	if w[1]&sl.bit != 0 {
		return value.Null
	}
	return sl.pack.unpack(&calls[fs.calls[j]], w[sl.word])
}

// NewSliding creates the operator feeding out.
func NewSliding(cfg SlidingConfig, out operators.Operator) *Sliding {
	s := &Sliding{cfg: cfg, out: operators.NewEmitter(out, cfg.Width+len(cfg.Calls)),
		args:     make([]value.Value, len(cfg.Calls)),
		defaults: make([]value.Value, len(cfg.Calls))}
	for i := range cfg.Frames {
		s.frames = append(s.frames, &frameState{f: &s.cfg.Frames[i], index: newPartIndex(), wstride: 1})
	}
	for i, c := range cfg.Calls {
		s.frames[c.Frame].calls = append(s.frames[c.Frame].calls, i)
	}
	for _, fs := range s.frames {
		fs.layout(s.cfg.Calls)
	}
	return s
}

// layout places each call's argument in the frame's rows.
func (fs *frameState) layout(calls []AnalyticSpec) {
	fs.slots = make([]argSlot, len(fs.calls))
	compact := 0
	for j, ci := range fs.calls {
		m := packModeOf(&calls[ci])
		if m > packValue && compact == 64 {
			m = packValue // the NULL bits are one word
		}
		fs.slots[j].pack = m
		fs.slots[j].sum = m == packFloat && (calls[ci].Kind == AggSum || calls[ci].Kind == AggAvg)
		switch {
		case m == packValue:
			fs.slots[j].val = fs.vstride
			fs.vstride++
		case m > packValue:
			fs.slots[j].bit = 1 << compact
			fs.slots[j].word = 2 + compact // after the ROWTIME and the NULL bits
			compact++
		}
	}
	if compact > 0 {
		fs.wstride = 2 + compact
	}
}

// Partitions is the number of live partitions over all frames.
func (s *Sliding) Partitions() int {
	n := 0
	for _, f := range s.frames {
		n += f.index.n
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
func (s *Sliding) partsFor(row []value.Value, tm int64) []int32 {
	parts := s.parts[:0]
	for _, fs := range s.frames {
		if !fs.f.Rows {
			fs.dropQuiet(tm)
		}
		s.keyBuf = s.keyBuf[:0]
		for _, f := range fs.f.Partition {
			s.keyBuf = value.AppendKey(s.keyBuf, f(&s.ctx, row))
		}
		pi, h, ok := fs.lookup(s.keyBuf)
		if !ok {
			pi = fs.open(s.keyBuf, h)
			if !fs.f.Rows {
				// Each partition is queued once; it is dropped, or queued
				// again, when the queue reaches it.
				fs.quiet = append(fs.quiet, quietEntry{tm, pi, fs.parts[pi].gen})
			}
		}
		parts = append(parts, pi)
	}
	s.parts = parts
	return parts
}

// open adds an empty partition under key, whose hash is h.
func (fs *frameState) open(key []byte, h uint32) int32 {
	var pi int32
	if n := len(fs.free); n > 0 {
		pi = fs.free[n-1]
		fs.free = fs.free[:n-1]
	} else {
		pi = int32(len(fs.parts))
		fs.parts = append(fs.parts, part{mask: -1})
		fs.accs = append(fs.accs, make([]slideAcc, len(fs.calls))...)
	}
	p := &fs.parts[pi]
	p.setKey(key, h)
	fs.index.insert(h, pi)
	if len(key) > partKeyInline {
		fs.keyBytes += int64(len(key))
	}
	return pi
}

// drop forgets partition pi, keeping its slot (and small rings) for reuse.
func (fs *frameState) drop(pi int32) {
	p := &fs.parts[pi]
	fs.index.remove(p.h, pi)
	fs.keyBytes -= int64(len(p.long))
	fs.rows -= p.end - p.first
	for seq := p.first; seq < p.end; seq++ {
		fs.clearVals(p, seq)
	}
	words, vals, mask := p.words, p.vals, p.mask
	if mask >= 16 {
		fs.ringBytes -= int64(len(words))*8 + int64(len(vals))*valueSize
		words, vals, mask = nil, nil, -1
	}
	*p = part{mask: mask, words: words, vals: vals, gen: p.gen + 1}
	accs := fs.accsOf(pi)
	for j := range accs {
		accs[j] = slideAcc{dq: accs[j].dq[:0]}
	}
	fs.free = append(fs.free, pi)
}

func (fs *frameState) accsOf(pi int32) []slideAcc {
	n := len(fs.calls)
	return fs.accs[int(pi)*n : int(pi)*n+n]
}

// dropQuiet forgets partitions that have had no row within the frame.
func (fs *frameState) dropQuiet(tm int64) {
	lo := tm - fs.f.Range
	for fs.quietHead < len(fs.quiet) && fs.quiet[fs.quietHead].t < lo {
		e := fs.quiet[fs.quietHead]
		fs.quiet[fs.quietHead] = quietEntry{}
		fs.quietHead++
		p := &fs.parts[e.p]
		if p.gen != e.gen {
			continue // dropped already (a queue restored with a partition twice)
		}
		if p.last >= lo {
			// Seen since it was queued: check again when its last row leaves.
			fs.quiet = append(fs.quiet, quietEntry{p.last, e.p, e.gen})
			continue
		}
		fs.drop(e.p)
	}
	if fs.quietHead > 1024 && fs.quietHead*2 > len(fs.quiet) {
		n := copy(fs.quiet, fs.quiet[fs.quietHead:])
		fs.quiet = fs.quiet[:n]
		fs.quietHead = 0
	}
	if len(fs.parts) >= compactParts && fs.index.n*4 < len(fs.parts) {
		fs.compact()
	}
}

// compactParts is the number of partition slots below which compact does
// not bother.
var compactParts = 4096

// compact moves the live partitions to the front of new, smaller slices
// once most slots are free (a burst of keys has gone quiet), so that a
// burst does not hold its memory for the rest of the run. The partitions
// keep their order; the index and the quiet queue are renumbered (entries
// naming dropped partitions, which the queue would skip, go).
func (fs *frameState) compact() {
	free := make([]bool, len(fs.parts))
	for _, pi := range fs.free {
		free[pi] = true
	}
	nc := len(fs.calls)
	renum := make([]int32, len(fs.parts))
	parts := make([]part, 0, 2*fs.index.n)
	accs := make([]slideAcc, 0, 2*fs.index.n*nc)
	for pi := range fs.parts {
		if free[pi] {
			p := &fs.parts[pi]
			fs.ringBytes -= int64(len(p.words))*8 + int64(len(p.vals))*valueSize
			continue
		}
		renum[pi] = int32(len(parts))
		parts = append(parts, fs.parts[pi])
		accs = append(accs, fs.accs[pi*nc:(pi+1)*nc]...)
	}
	index := newPartIndex()
	index.seed = fs.index.seed
	for pi := range parts {
		index.insert(parts[pi].h, int32(pi))
	}
	quiet := fs.quiet[:0]
	for _, e := range fs.quiet[fs.quietHead:] {
		if fs.parts[e.p].gen == e.gen {
			quiet = append(quiet, quietEntry{e.t, renum[e.p], e.gen})
		}
	}
	clear(fs.quiet[len(quiet):])
	fs.parts, fs.accs, fs.index, fs.free = parts, accs, index, nil
	fs.quiet, fs.quietHead = quiet, 0
}

// add expires what left the frame, adds the row, and writes the frame's
// call results into res (indexed by call).
func (s *Sliding) add(fs *frameState, pi int32, tm int64, res []value.Value) error {
	calls := fs.calls
	specs := s.cfg.Calls
	p := &fs.parts[pi]
	accs := fs.accsOf(pi)
	f := fs.f
	if !f.Rows {
		lo := tm - f.Range
		for p.first < p.end && fs.time(p, p.first) < lo {
			fs.evict(specs, p, accs)
		}
	}
	if p.end-p.first > p.mask {
		fs.resize(p, 2*(p.mask+1))
	}
	seq := p.end
	p.end++
	p.last = tm
	fs.rows++
	w := fs.putTime(p, seq, tm)
	for j, ci := range calls {
		fs.putArg(specs, p, seq, w, j, s.args[ci])
	}
	for j, ci := range calls {
		if fs.slots[j].sum {
			// add's steps for a DOUBLE sum
			if v := &s.args[ci]; v.K != value.KNull {
				accs[j].n++
				accs[j].addFloat(v.Float64())
			}
			continue
		}
		accs[j].add(&specs[ci], p, fs.vstride, fs.slots[j].val, seq, tm, s.args[ci])
	}
	if f.Rows {
		for p.end-p.first > f.N+1 {
			fs.evict(specs, p, accs)
		}
	}
	for j, ci := range calls {
		if fs.slots[j].sum {
			res[ci] = accs[j].floatSum(specs[ci].Kind == AggAvg)
			continue
		}
		v, err := accs[j].result(&specs[ci], p, fs.vstride, fs.slots[j].val, s.args[ci], s.defaults[ci])
		if err != nil {
			return err
		}
		res[ci] = v
	}
	return nil
}

// putTime starts row seq with its ROWTIME and returns its words.
func (fs *frameState) putTime(p *part, seq, tm int64) []uint64 {
	r := int(seq & p.mask)
	w := p.words[r*fs.wstride : (r+1)*fs.wstride]
	w[0] = uint64(tm)
	if fs.wstride > 1 {
		w[1] = 0
	}
	return w
}

// putArg keeps call j's argument v in row seq (whose words are w).
func (fs *frameState) putArg(specs []AnalyticSpec, p *part, seq int64, w []uint64, j int, v value.Value) {
	sl := &fs.slots[j]
	switch sl.pack {
	case packNone:
	case packValue:
		p.vals[int(seq&p.mask)*fs.vstride+sl.val] = v
		fs.textBytes += int64(len(v.S))
	default:
		if v.K == value.KNull {
			w[1] |= sl.bit
		} else {
			w[sl.word] = sl.pack.pack(&specs[fs.calls[j]], v)
		}
	}
}

// evict removes the oldest row of the frame from every accumulator.
func (fs *frameState) evict(specs []AnalyticSpec, p *part, accs []slideAcc) {
	seq := p.first
	w := p.words[int(seq&p.mask)*fs.wstride:]
	tm := int64(w[0])
	for j, ci := range fs.calls {
		if sl := &fs.slots[j]; sl.sum {
			// remove's steps for a DOUBLE sum, read from the word
			if accs[j].leave(seq, w[1]&sl.bit != 0) {
				accs[j].addFloat(-math.Float64frombits(w[sl.word]))
			}
			continue
		}
		accs[j].remove(&specs[ci], seq, fs.arg(specs, p, seq, j), tm)
	}
	fs.clearVals(p, seq)
	p.first++
	fs.rows--
	if p.mask >= 63 && (p.end-p.first)*8 <= p.mask {
		fs.resize(p, (p.mask+1)/4)
	}
}

// clearVals lets go of row seq's values.
func (fs *frameState) clearVals(p *part, seq int64) {
	if fs.vstride == 0 {
		return
	}
	r := int(seq & p.mask)
	row := p.vals[r*fs.vstride : (r+1)*fs.vstride]
	for _, v := range row {
		fs.textBytes -= int64(len(v.S))
	}
	clear(row)
}

// resize moves p's rows into rings of capacity n (a power of two).
func (fs *frameState) resize(p *part, n int64) {
	n = max(n, 4)
	words := make([]uint64, int(n)*fs.wstride)
	var vals []value.Value
	if fs.vstride > 0 {
		vals = make([]value.Value, int(n)*fs.vstride)
	}
	mask := n - 1
	for seq := p.first; seq < p.end; seq++ {
		o, r := int(seq&p.mask), int(seq&mask)
		copy(words[r*fs.wstride:(r+1)*fs.wstride], p.words[o*fs.wstride:])
		if vals != nil {
			copy(vals[r*fs.vstride:(r+1)*fs.vstride], p.vals[o*fs.vstride:])
		}
	}
	fs.ringBytes += int64(len(words)-len(p.words))*8 + int64(len(vals)-len(p.vals))*valueSize
	p.words, p.vals, p.mask = words, vals, mask
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

func (a *slideAcc) add(sp *AnalyticSpec, p *part, vstride, vj int, seq, tm int64, v value.Value) {
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
			back := p.at(a.dq[len(a.dq)-1], vstride, vj)
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

// floatSum is the result of SUM (avg false) or AVG of DOUBLE.
func (a *slideAcc) floatSum(avg bool) value.Value {
	if a.n == 0 {
		return value.Null
	}
	sum := a.s + a.c
	if avg {
		sum /= float64(a.n)
	}
	return value.NewFloat(sum)
}

// leave is what every call's accumulator does first when row seq leaves
// the frame (null: its argument is NULL); true when the value itself has
// still to be taken out of the sums.
func (a *slideAcc) leave(seq int64, null bool) bool {
	if a.dqLen() > 0 && a.dq[a.dqHead] == seq {
		a.dqHead++
	}
	if null {
		return false
	}
	a.n--
	if a.n == 0 {
		a.reset()
		return false
	}
	return true
}

func (a *slideAcc) remove(sp *AnalyticSpec, seq int64, v value.Value, tm int64) {
	if !a.leave(seq, v.K == value.KNull) {
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
func (a *slideAcc) result(sp *AnalyticSpec, p *part, vstride, vj int, cur, def value.Value) (value.Value, error) {
	rows := p.end - p.first
	first := p.first
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
			return p.at(a.dq[end-int(sp.Offset)], vstride, vj), nil
		}
		if sp.Offset >= rows {
			return def, nil
		}
		return p.at(first+rows-1-sp.Offset, vstride, vj), nil
	case AggNthValue:
		if sp.IgnoreNulls {
			if int64(a.dqLen()) < sp.Offset {
				return value.Null, nil
			}
			if sp.FromLast {
				return p.at(a.dq[len(a.dq)-int(sp.Offset)], vstride, vj), nil
			}
			return p.at(a.dq[a.dqHead+int(sp.Offset)-1], vstride, vj), nil
		}
		if rows < sp.Offset {
			return value.Null, nil
		}
		if sp.FromLast {
			return p.at(first+rows-sp.Offset, vstride, vj), nil
		}
		return p.at(first+sp.Offset-1, vstride, vj), nil
	case AggFirstValue:
		if sp.IgnoreNulls {
			if a.dqLen() == 0 {
				return value.Null, nil
			}
			return p.at(a.dq[a.dqHead], vstride, vj), nil
		}
		return p.at(first, vstride, vj), nil
	case AggLastValue:
		if sp.IgnoreNulls {
			if a.dqLen() == 0 {
				return value.Null, nil
			}
			return p.at(a.dq[len(a.dq)-1], vstride, vj), nil
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
			return a.floatSum(sp.Kind == AggAvg), nil
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
		return p.at(a.dq[a.dqHead], vstride, vj), nil
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
