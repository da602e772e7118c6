// Package analytics holds the algorithms behind KDA's analytic table
// functions: COUNT_DISTINCT_ITEMS_TUMBLING (HyperLogLog), TOP_K_ITEMS_TUMBLING
// (Space-Saving), HOTSPOTS (incremental density clustering over a count
// window) and RANDOM_CUT_FOREST[_WITH_EXPLANATION].
//
// Each function is an operators.Operator that the planner builds with column
// indexes and constant arguments already validated. The algorithms know
// nothing of SQL. Every operator keeps its state in a plain struct with
// exported fields (State) so that it can be serialized by a checkpoint.
package analytics

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

// errs reports rejected input rows to error_stream.
type errs struct {
	sink operators.ErrorSink
	pump string
	buf  []byte
}

func (e *errs) fail(name, msg string, tm int64, row []value.Value) {
	if e.sink == nil {
		return
	}
	e.buf = operators.RowText(e.buf[:0], row)
	e.sink.Error(operators.ErrorRecord{Time: tm, Level: "ERROR", Name: name, Message: msg,
		DataRowtime: tm, DataRow: append([]byte(nil), e.buf...), Pump: e.pump})
}

// ErrBadInput is the ERROR_NAME of a row a table function cannot use (a
// NULL or non-finite value where a number is needed).
const ErrBadInput = "Table function input error"

// numeric reads the point of a row: the values of cols as float64. It
// returns the index in cols of the first NULL or non-finite value, or -1.
func numeric(row []value.Value, cols []int, out []float64) int {
	for i, c := range cols {
		v := row[c]
		if v.K == value.KNull {
			return i
		}
		f := v.Float64()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return i
		}
		out[i] = f
	}
	return -1
}

// colName names numeric column i for messages.
func colName(names []string, i int) string {
	if i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("column %d", i+1)
}

// floorDiv is floor(a/b) for b > 0.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// Tumble is the state of a tumbling window on ROWTIME: the start of the
// open window, if any.
type Tumble struct {
	SizeMs int64
	Start  int64
	Open   bool
}

// end is the exclusive end (and the ROWTIME of the result) of the open window.
func (w *Tumble) end() int64 { return w.Start + w.SizeMs }

// startOf is the start of the window holding ROWTIME t.
func (w *Tumble) startOf(t int64) int64 { return floorDiv(t, w.SizeMs) * w.SizeMs }

// ---- hashing ----

const (
	hp1 = 0x9E3779B185EBCA87
	hp2 = 0xC2B2AE3D27D4EB4F
	hp3 = 0x165667B19E3779F9
)

// fmix64 is a 64-bit finalizer: every input bit affects every output bit.
func fmix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// hashBytes is a fast, fixed (seedless, so replays and checkpoints agree)
// 64-bit hash.
func hashBytes(b []byte) uint64 {
	h := uint64(len(b))*hp1 + hp3
	for len(b) >= 8 {
		k := binary.LittleEndian.Uint64(b) * hp2
		h ^= bits.RotateLeft64(k, 31) * hp1
		h = bits.RotateLeft64(h, 27)*hp1 + hp3
		b = b[8:]
	}
	if len(b) > 0 {
		var t uint64
		for i, c := range b {
			t |= uint64(c) << (8 * i)
		}
		h ^= bits.RotateLeft64(t*hp2, 31) * hp1
		h = bits.RotateLeft64(h, 27)*hp1 + hp3
	}
	return fmix64(h)
}

// ---- a small seeded random source with serializable state ----

// Rand is splitmix64: one uint64 of state, so a checkpoint holds it as is
// and a replay from the same seed draws the same numbers.
type Rand struct{ State uint64 }

func (r *Rand) Uint64() uint64 {
	r.State += 0x9E3779B97F4A7C15
	z := r.State
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// Float64 is uniform in [0, 1).
func (r *Rand) Float64() float64 { return float64(r.Uint64()>>11) / (1 << 53) }
