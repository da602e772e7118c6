package analytics

import (
	"math"
	"math/bits"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

// HLL is a HyperLogLog sketch with 2^P one-byte registers. The estimate is
// Ertl's improved raw estimator ("New cardinality estimation algorithms for
// HyperLogLog sketches", 2017), which needs no empirical bias tables and is
// accurate from a handful of items to far beyond 10^9.
type HLL struct {
	P         uint8
	Registers []uint8
}

// NewHLL returns an empty sketch with 2^p registers (4 ≤ p ≤ 18).
func NewHLL(p uint8) *HLL { return &HLL{P: p, Registers: make([]uint8, 1<<p)} }

// Add records a 64-bit hash.
func (h *HLL) Add(x uint64) {
	idx := x >> (64 - h.P)
	w := x<<h.P | 1<<(h.P-1) // the guard bit caps the rank at 64-P+1
	r := uint8(bits.LeadingZeros64(w)) + 1
	if r > h.Registers[idx] {
		h.Registers[idx] = r
	}
}

// Reset empties the sketch, keeping its storage.
func (h *HLL) Reset() { clear(h.Registers) }

// Estimate is the estimated number of distinct hashes added.
func (h *HLL) Estimate() float64 {
	q := 64 - int(h.P)
	var c [66]int
	for _, r := range h.Registers {
		c[r]++
	}
	m := float64(len(h.Registers))
	z := m * hllTau((m-float64(c[q+1]))/m)
	for k := q; k >= 1; k-- {
		z = 0.5 * (z + float64(c[k]))
	}
	z += m * hllSigma(float64(c[0])/m)
	return m * m / (2 * math.Ln2 * z)
}

func hllSigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x *= x
		zp := z
		z += x * y
		y += y
		if z == zp {
			return z
		}
	}
}

func hllTau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		zp := z
		y *= 0.5
		z -= (1 - x) * (1 - x) * y
		if z == zp {
			return z / 3
		}
	}
}

// DistinctConfig configures COUNT_DISTINCT_ITEMS_TUMBLING.
type DistinctConfig struct {
	Column     int   // the counted column's index in the cursor's rows
	WindowMs   int64 // tumbling window length
	ExactLimit int   // up to this many distinct items the count is exact (KDA: 10,000)
	Precision  uint8 // HyperLogLog registers = 2^Precision
	Errors     operators.ErrorSink
	Pump       string
}

// DefaultExactLimit is KDA's documented exactness threshold.
const DefaultExactLimit = 10000

// DefaultPrecision gives 65,536 registers: a standard error of 0.41%.
const DefaultPrecision = 16

// DistinctState is the operator's serializable state. Exact holds the
// hashes of the window's items while there are at most ExactLimit of them;
// once there are more it is dropped and the sketch alone answers.
type DistinctState struct {
	Window   Tumble
	Exact    map[uint64]struct{}
	Overflow bool
	Sketch   *HLL
}

// Distinct is the COUNT_DISTINCT_ITEMS_TUMBLING operator: one row
// (NUMBER_OF_DISTINCT_ITEMS BIGINT) per non-empty window, at the window's end.
type Distinct struct {
	cfg   DistinctConfig
	out   *operators.Emitter
	State DistinctState
	kbuf  []byte
}

// NewDistinct returns the operator feeding out.
func NewDistinct(cfg DistinctConfig, out operators.Operator) *Distinct {
	if cfg.ExactLimit == 0 {
		cfg.ExactLimit = DefaultExactLimit
	}
	if cfg.Precision == 0 {
		cfg.Precision = DefaultPrecision
	}
	return &Distinct{cfg: cfg, out: operators.NewEmitter(out, 1),
		State: DistinctState{Window: Tumble{SizeMs: cfg.WindowMs}, Exact: map[uint64]struct{}{}, Sketch: NewHLL(cfg.Precision)}}
}

// hashValue hashes a value so that Identical values hash alike.
func hashValue(buf []byte, v value.Value) ([]byte, uint64) {
	buf = value.AppendKey(buf[:0], v)
	return buf, hashBytes(buf)
}

func (d *Distinct) Push(b *operators.Batch) {
	s := &d.State
	col, w := d.cfg.Column, b.Width
	for i, n := 0, b.Len(); i < n; i++ {
		t := b.Times[i]
		if !s.Window.Open || t >= s.Window.end() {
			if s.Window.Open {
				d.emit()
			}
			s.Window.Start, s.Window.Open = s.Window.startOf(t), true
		}
		v := b.Vals[i*w+col]
		if v.K == value.KNull {
			continue // NULL is not an item (as in COUNT(DISTINCT x))
		}
		var h uint64
		d.kbuf, h = hashValue(d.kbuf, v)
		s.Sketch.Add(h)
		if !s.Overflow {
			s.Exact[h] = struct{}{}
			if len(s.Exact) > d.cfg.ExactLimit {
				s.Overflow = true
				clear(s.Exact)
			}
		}
	}
	d.out.Flush()
}

// Count is the number of distinct items in the open window so far.
func (d *Distinct) Count() int64 {
	if !d.State.Overflow {
		return int64(len(d.State.Exact))
	}
	return int64(math.Round(d.State.Sketch.Estimate()))
}

func (d *Distinct) emit() {
	s := &d.State
	d.out.Grow(s.Window.end())[0] = value.NewInt(d.Count())
	s.Window.Open, s.Overflow = false, false
	clear(s.Exact)
	s.Sketch.Reset()
}

func (d *Distinct) Advance(t int64) {
	if d.State.Window.Open && t >= d.State.Window.end() {
		d.emit()
	}
	d.out.Advance(t)
}
