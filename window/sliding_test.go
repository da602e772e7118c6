package window

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/operators/operatortest"
	"github.com/streamsql/streamsql/value"
)

type inRow struct {
	t    int64
	key  string
	x    value.Value // INTEGER or NULL
	f    value.Value // DOUBLE or NULL
	flag value.Value // BOOLEAN or NULL
}

// oracle computes a call over an explicit frame (oldest first; the last
// row is the current row) by rescanning it.
func oracle(sp AnalyticSpec, frame []inRow, arg func(inRow) value.Value, def value.Value) value.Value {
	vals := make([]value.Value, len(frame))
	var nonNull []value.Value
	for i, r := range frame {
		vals[i] = arg(r)
		if !vals[i].IsNull() {
			nonNull = append(nonNull, vals[i])
		}
	}
	cur := vals[len(vals)-1]
	switch sp.Kind {
	case AggCountStar:
		return value.NewInt(int64(len(frame)))
	case AggCount:
		return value.NewInt(int64(len(nonNull)))
	case AggLag:
		if sp.IgnoreNulls {
			prev := nonNull
			if !cur.IsNull() {
				prev = prev[:len(prev)-1]
			}
			if int64(len(prev)) < sp.Offset {
				return def
			}
			return prev[int64(len(prev))-sp.Offset]
		}
		if sp.Offset >= int64(len(vals)) {
			return def
		}
		return vals[int64(len(vals))-1-sp.Offset]
	case AggNthValue:
		src := vals
		if sp.IgnoreNulls {
			src = nonNull
		}
		if int64(len(src)) < sp.Offset {
			return value.Null
		}
		if sp.FromLast {
			return src[int64(len(src))-sp.Offset]
		}
		return src[sp.Offset-1]
	case AggFirstValue:
		if sp.IgnoreNulls {
			if len(nonNull) == 0 {
				return value.Null
			}
			return nonNull[0]
		}
		return vals[0]
	case AggLastValue:
		if sp.IgnoreNulls {
			if len(nonNull) == 0 {
				return value.Null
			}
			return nonNull[len(nonNull)-1]
		}
		return cur
	}
	if len(nonNull) == 0 {
		return value.Null
	}
	switch sp.Kind {
	case AggSum, AggAvg:
		if sp.ResultType.Base == value.TDouble {
			s := 0.0
			for _, v := range nonNull {
				s += v.F
			}
			if sp.Kind == AggAvg {
				s /= float64(len(nonNull))
			}
			return value.NewFloat(s)
		}
		var s int64
		for _, v := range nonNull {
			s += v.I
		}
		if sp.Kind == AggAvg {
			s /= int64(len(nonNull))
		}
		return value.NewInt(s)
	case AggMin, AggMax:
		best := nonNull[0]
		for _, v := range nonNull[1:] {
			c, _ := value.Compare(v, best)
			if (sp.Kind == AggMin && c < 0) || (sp.Kind == AggMax && c > 0) {
				best = v
			}
		}
		return best
	case AggStddevPop, AggStddevSamp, AggVarPop, AggVarSamp:
		n := float64(len(nonNull))
		mean := 0.0
		for _, v := range nonNull {
			mean += v.Float64()
		}
		mean /= n
		ss := 0.0
		for _, v := range nonNull {
			d := v.Float64() - mean
			ss += d * d
		}
		switch sp.Kind {
		case AggVarPop:
			return value.NewFloat(ss / n)
		case AggStddevPop:
			return value.NewFloat(math.Sqrt(ss / n))
		}
		if n < 2 {
			return value.Null
		}
		if sp.Kind == AggVarSamp {
			return value.NewFloat(ss / (n - 1))
		}
		return value.NewFloat(math.Sqrt(ss / (n - 1)))
	case AggAny, AggEvery:
		any, every := false, true
		for _, v := range nonNull {
			any = any || v.Bool()
			every = every && v.Bool()
		}
		if sp.Kind == AggAny {
			return value.NewBool(any)
		}
		return value.NewBool(every)
	case AggExpAvg:
		now := frame[len(frame)-1].t
		var s, w float64
		for i, v := range vals {
			if v.IsNull() {
				continue
			}
			wt := math.Exp2(-float64(now-frame[i].t) / float64(sp.HalfLife))
			s += wt * v.Float64()
			w += wt
		}
		return value.NewFloat(s / w)
	}
	panic("no oracle for kind")
}

// close compares with a relative tolerance: running sums and Welford
// updates with removal round differently from a rescan.
func close(a, b value.Value, tol float64) bool {
	if a.K == value.KFloat && b.K == value.KFloat {
		d := math.Abs(a.F - b.F)
		return d <= tol*math.Max(1, math.Max(math.Abs(a.F), math.Abs(b.F)))
	}
	return value.Identical(a, b)
}

// TestSlidingMatchesRescan runs every windowed call over random rows with
// NULLs, several partitions and gaps, and compares each output value with
// a rescan of the frame.
//
// Times are drawn in milliseconds, and again on whole seconds so that rows
// fall exactly at t - range, the frame's inclusive lower edge.
func TestSlidingMatchesRescan(t *testing.T) {
	t.Run("milliseconds", func(t *testing.T) {
		slidingMatchesRescan(t, 7, func(rng *rand.Rand) int64 { return int64(rng.Intn(700)) },
			func(rng *rand.Rand) int64 { return int64(rng.Intn(20000)) })
	})
	t.Run("whole seconds", func(t *testing.T) {
		slidingMatchesRescan(t, 8, func(rng *rand.Rand) int64 { return 1000 * int64(rng.Intn(2)) },
			func(rng *rand.Rand) int64 { return 1000 * int64(rng.Intn(8)) })
	})
}

// slidingMatchesRescan draws rows whose times advance by step (or by gap,
// one time in ten) and checks every call against a rescan.
func slidingMatchesRescan(t *testing.T, seed int64, step, gap func(*rand.Rand) int64) {
	rng := rand.New(rand.NewSource(seed))
	var in []inRow
	tm := int64(1_700_000_000_000)
	for i := 0; i < 3000; i++ {
		switch rng.Intn(10) {
		case 0:
			tm += gap(rng) // a gap longer than some frames
		case 1, 2:
			// same ROWTIME as the previous row
		default:
			tm += step(rng)
		}
		r := inRow{t: tm, key: fmt.Sprint("k", rng.Intn(5))}
		if rng.Intn(6) > 0 {
			r.x = value.NewInt(int64(rng.Intn(2000) - 1000))
		}
		if rng.Intn(6) > 0 {
			r.f = value.NewFloat(rng.NormFloat64() * 1e3)
		}
		if rng.Intn(6) > 0 {
			r.flag = value.NewBool(rng.Intn(3) == 0)
		}
		in = append(in, r)
	}
	argX := func(r inRow) value.Value { return r.x }
	argF := func(r inRow) value.Value { return r.f }
	argB := func(r inRow) value.Value { return r.flag }
	type call struct {
		spec AnalyticSpec
		arg  func(inRow) value.Value
		slot int
		def  value.Value
	}
	var calls []call
	frames := []Frame{
		{Partition: []eval.Func{slot(0)}, Range: 5000},
		{Partition: []eval.Func{slot(0)}, Rows: true, N: 3},
		{Range: 1500}, // no PARTITION BY
		{Partition: []eval.Func{slot(0)}, Range: 0},
		{Partition: []eval.Func{slot(0)}, Range: 2000},
	}
	for fi := range frames {
		add := func(k AggKind, arg func(inRow) value.Value, argSlot int, rt value.Type, mod func(*AnalyticSpec)) {
			sp := AnalyticSpec{Kind: k, ResultType: rt, Frame: fi}
			if argSlot >= 0 {
				sp.Arg = slot(argSlot)
			}
			if mod != nil {
				mod(&sp)
			}
			calls = append(calls, call{spec: sp, arg: arg, slot: argSlot})
		}
		add(AggCountStar, func(inRow) value.Value { return value.Null }, -1, value.Bigint, nil)
		add(AggCount, argX, 1, value.Bigint, nil)
		add(AggSum, argX, 1, value.Integer, nil)
		add(AggAvg, argX, 1, value.Integer, nil)
		add(AggSum, argF, 2, value.Double, nil)
		add(AggAvg, argF, 2, value.Double, nil)
		add(AggMin, argX, 1, value.Integer, nil)
		add(AggMax, argF, 2, value.Double, nil)
		add(AggStddevPop, argF, 2, value.Double, nil)
		add(AggStddevSamp, argX, 1, value.Double, nil)
		add(AggVarPop, argX, 1, value.Double, nil)
		add(AggVarSamp, argF, 2, value.Double, nil)
		add(AggAny, argB, 3, value.Boolean, nil)
		add(AggEvery, argB, 3, value.Boolean, nil)
		add(AggFirstValue, argX, 1, value.Integer, nil)
		add(AggLastValue, argX, 1, value.Integer, nil)
		add(AggFirstValue, argX, 1, value.Integer, func(s *AnalyticSpec) { s.IgnoreNulls = true })
		add(AggLastValue, argF, 2, value.Double, func(s *AnalyticSpec) { s.IgnoreNulls = true })
		add(AggLag, argX, 1, value.Integer, func(s *AnalyticSpec) { s.Offset = 1 })
		add(AggLag, argX, 1, value.Integer, func(s *AnalyticSpec) {
			s.Offset = 2
			s.Default = func(*eval.Ctx, []value.Value) value.Value { return value.NewInt(-1) }
		})
		calls[len(calls)-1].def = value.NewInt(-1)
		add(AggLag, argF, 2, value.Double, func(s *AnalyticSpec) { s.Offset = 2; s.IgnoreNulls = true })
		add(AggNthValue, argX, 1, value.Integer, func(s *AnalyticSpec) { s.Offset = 2 })
		add(AggNthValue, argX, 1, value.Integer, func(s *AnalyticSpec) { s.Offset = 2; s.FromLast = true; s.IgnoreNulls = true })
		add(AggExpAvg, argF, 2, value.Double, func(s *AnalyticSpec) { s.HalfLife = 1000 })
	}
	cfg := SlidingConfig{Frames: frames, Width: 4}
	for _, c := range calls {
		cfg.Calls = append(cfg.Calls, c.spec)
	}
	out := operatortest.NewCapture(t)
	op := NewSliding(cfg, out)
	b := operators.NewBatch(4, 16)
	for i, r := range in {
		b.Append(r.t, []value.Value{value.NewString(r.key), r.x, r.f, r.flag})
		if i%7 == 6 || i == len(in)-1 {
			op.Push(b)
			b.Reset()
		}
	}
	op.Advance(operators.EndOfTime)
	if len(out.Rows) != len(in) {
		t.Fatalf("%d output rows for %d input rows", len(out.Rows), len(in))
	}
	for i, r := range in {
		if out.Times[i] != r.t {
			t.Fatalf("row %d ROWTIME %d, want %d", i, out.Times[i], r.t)
		}
		byFrame := make([][]inRow, len(frames))
		for fi, f := range frames {
			var frame []inRow
			for j := i; j >= 0; j-- {
				o := in[j]
				if !f.Rows && o.t < r.t-f.Range {
					break
				}
				if len(f.Partition) > 0 && o.key != r.key {
					continue
				}
				if f.Rows && int64(len(frame)) == f.N+1 {
					break
				}
				frame = append(frame, o)
			}
			for l, h := 0, len(frame)-1; l < h; l, h = l+1, h-1 {
				frame[l], frame[h] = frame[h], frame[l]
			}
			byFrame[fi] = frame
		}
		for ci, c := range calls {
			frame := byFrame[c.spec.Frame]
			want := oracle(c.spec, frame, c.arg, c.def)
			got := out.Rows[i][4+ci]
			tol := 1e-9
			switch c.spec.Kind {
			case AggStddevPop, AggStddevSamp, AggVarPop, AggVarSamp:
				tol = 1e-6 // Welford removal; values are ~1e3, variances ~1
			}
			if !close(got, want, tol) {
				t.Fatalf("row %d (t=%d key=%s) frame %d call %d kind %d: got %v, want %v (frame %d rows)",
					i, r.t, r.key, c.spec.Frame, ci, c.spec.Kind, got, want, len(frame))
			}
		}
	}
	// Quiet partitions of RANGE frames are dropped: after a long gap only
	// the partitions seen recently remain.
	if n := op.Partitions(); n > 5+5+1+5+5 {
		t.Errorf("%d live partitions", n)
	}
}

// TestSlidingDropsQuietPartitions: a partition with no row inside the
// frame is forgotten, so 100,000 distinct keys seen once do not stay.
func TestSlidingDropsQuietPartitions(t *testing.T) {
	cfg := SlidingConfig{Width: 1, Frames: []Frame{{Partition: []eval.Func{slot(0)}, Range: 1000}},
		Calls: []AnalyticSpec{{Kind: AggCountStar, ResultType: value.Bigint}}}
	op := NewSliding(cfg, operatortest.NewCapture(t))
	b := operators.NewBatch(1, 1)
	for i := 0; i < 100000; i++ {
		b.Append(int64(i*10), []value.Value{value.NewInt(int64(i))})
		op.Push(b)
		b.Reset()
	}
	if n := op.Partitions(); n > 102 {
		t.Fatalf("%d partitions live, want at most the 101 within the last second", n)
	}
}

func TestSlidingIntegerOverflowIsAnErrorRow(t *testing.T) {
	e := &operatortest.Errors{}
	cfg := SlidingConfig{Width: 1, Frames: []Frame{{Rows: true, N: 1}}, Errors: e,
		Calls: []AnalyticSpec{{Kind: AggSum, Arg: slot(0), ResultType: value.Bigint}}}
	out := operatortest.NewCapture(t)
	op := NewSliding(cfg, out)
	b := operators.NewBatch(1, 4)
	for _, x := range []int64{math.MaxInt64, 1, 5, 6} {
		b.Append(1, []value.Value{value.NewInt(x)})
	}
	op.Push(b)
	if len(e.Recs) != 1 || e.Recs[0].Name != eval.ErrArithmetic {
		t.Fatalf("errors %+v", e.Recs)
	}
	// The overflow heals once MaxInt64 leaves the two-row frame.
	if len(out.Rows) != 3 || out.Rows[1][1].I != 6 || out.Rows[2][1].I != 11 {
		t.Fatalf("rows %v", out.Rows)
	}
}
