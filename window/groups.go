package window

import (
	"unsafe"

	"github.com/streamsql/streamsql/value"
)

// groups is one tumbling window's groups, stored compactly: a window with a
// million groups is a handful of flat slices, not a million small objects.
//
//   - The hash key bytes (value.AppendKey of every key) and the text of the
//     key strings live in shared chunks (text); the index maps a string
//     over those bytes to the group number, so a group allocates nothing
//     of its own and a key string no longer keeps its whole decoded record
//     alive.
//   - The key values are one flat slice, without the time key (the same
//     for every group of the window: it is the window's key).
//   - Each aggregate keeps only what it needs (accCol): 8 bytes a group for
//     COUNT, 16 for SUM and AVG; the rest keep the general acc.
type groups struct {
	index  map[string]int32
	keys   []value.Value // per group, the keys but the time key
	stride int           // len(keys) per group
	accs   []accCol      // per aggregate
	text   textArena
	n      int
}

func newGroups(nk int, aggs []AggSpec) *groups {
	g := &groups{index: map[string]int32{}, stride: nk - 1, accs: make([]accCol, len(aggs))}
	for k := range aggs {
		g.accs[k].mode = accModeOf(&aggs[k])
	}
	return g
}

// find returns the group of hash key kb (value.AppendKey of keys), adding
// it with keys (the time key at timeKey left out) when new.
func (gs *groups) find(kb []byte, keys []value.Value, timeKey int) int {
	if g, ok := gs.index[string(kb)]; ok {
		return int(g) // the usual case, inlined into the caller
	}
	return gs.add(kb, keys, timeKey)
}

// add adds the group of hash key kb (see find) and returns it.
func (gs *groups) add(kb []byte, keys []value.Value, timeKey int) int {
	g := gs.n
	gs.n++
	gs.index[gs.text.string(kb)] = int32(g)
	for i, v := range keys {
		if i == timeKey {
			continue
		}
		if (v.K == value.KString || v.K == value.KBinary) && v.S != "" {
			v.S = gs.text.string(unsafe.Slice(unsafe.StringData(v.S), len(v.S)))
		}
		gs.keys = append(gs.keys, v)
	}
	for k := range gs.accs {
		gs.accs[k].grow()
	}
	return g
}

// keyRow writes group g's key values into dst (len nk), with the window's
// time key tk at timeKey.
func (gs *groups) keyRow(g int, tk value.Value, timeKey int, dst []value.Value) {
	withTimeKey(dst, gs.keys[g*gs.stride:(g+1)*gs.stride], tk, timeKey)
}

// withTimeKey writes src (keys without the time key) into dst (one longer)
// with tk put back at timeKey.
func withTimeKey(dst, src []value.Value, tk value.Value, timeKey int) {
	copy(dst, src[:timeKey])
	dst[timeKey] = tk
	copy(dst[timeKey+1:], src[timeKey:])
}

// bytes estimates the memory behind the groups (the figure StateSize and
// BenchmarkTumblingGroups report).
func (gs *groups) bytes() int64 {
	n := int64(cap(gs.keys))*int64(unsafe.Sizeof(value.Value{})) + gs.text.bytes
	for k := range gs.accs {
		n += gs.accs[k].bytes()
	}
	// A map slot holds a string header and an int32; slots run 7/8 full.
	n += int64(gs.n) * (16 + 8) * 8 / 7
	return n
}

// accMode is how an aggregate's state is stored.
type accMode uint8

const (
	accGeneral  accMode = iota // the general acc
	accCount                   // COUNT, COUNT(*): n
	accSumInt                  // SUM, AVG of integers and decimals: n, i
	accSumFloat                // SUM, AVG of doubles: n, f
)

func accModeOf(s *AggSpec) accMode {
	switch s.Kind {
	case AggCount, AggCountStar:
		return accCount
	case AggSum, AggAvg:
		if s.ResultType.Base == value.TDouble {
			return accSumFloat
		}
		return accSumInt
	}
	return accGeneral
}

// accCol is one aggregate's state for every group of a window. The
// compact modes hold the acc fields their aggregate uses; overflow is
// rare, so it is a set.
type accCol struct {
	mode     accMode
	n, i     []int64
	f        []float64
	general  []acc
	overflow map[int]bool
}

func (c *accCol) grow() {
	switch c.mode {
	case accGeneral:
		c.general = append(c.general, acc{})
		return
	case accSumInt:
		c.i = append(c.i, 0)
	case accSumFloat:
		c.f = append(c.f, 0)
	}
	c.n = append(c.n, 0)
}

// get is group g's state as an acc.
func (c *accCol) get(g int) acc {
	switch c.mode {
	case accGeneral:
		return c.general[g]
	case accCount:
		return acc{n: c.n[g]}
	case accSumInt:
		return acc{n: c.n[g], i: c.i[g], overflow: c.overflow[g]}
	}
	return acc{n: c.n[g], f: c.f[g]}
}

// set stores an acc as group g's state (the fields the mode keeps).
func (c *accCol) set(g int, a acc) {
	switch c.mode {
	case accGeneral:
		c.general[g] = a
		return
	case accSumInt:
		c.i[g] = a.i
	case accSumFloat:
		c.f[g] = a.f
	}
	c.n[g] = a.n
	if a.overflow {
		if c.overflow == nil {
			c.overflow = map[int]bool{}
		}
		c.overflow[g] = true
	}
}

// add folds one argument value into group g, exactly as acc.add does.
func (c *accCol) add(g int, s *AggSpec, v value.Value) {
	switch c.mode {
	case accGeneral:
		c.general[g].add(s, v)
	case accCount:
		if s.Kind == AggCountStar || v.K != value.KNull {
			c.n[g]++
		}
	case accSumFloat:
		// acc.add's SUM/AVG of doubles, on the column in place (going
		// through get and set copies a whole acc per row).
		if v.K != value.KNull {
			c.n[g]++
			c.f[g] += v.Float64()
		}
	default: // accSumInt, as acc.add does it
		if v.K == value.KNull {
			return
		}
		c.n[g]++
		u := v.I
		if s.ResultType.Base == value.TDecimal {
			u = unscaled(v, s.ResultType.Scale)
		}
		p := &c.i[g]
		sum := *p + u
		if (u > 0 && sum < *p) || (u < 0 && sum > *p) {
			c.setOverflow(g)
		}
		*p = sum
	}
}

func (c *accCol) setOverflow(g int) {
	if c.overflow == nil {
		c.overflow = map[int]bool{}
	}
	c.overflow[g] = true
}

func (c *accCol) bytes() int64 {
	return int64(cap(c.n)+cap(c.i)+cap(c.f))*8 + int64(cap(c.general))*int64(unsafe.Sizeof(acc{}))
}

// textArena keeps bytes in shared chunks and hands out strings over them;
// the chunks are never written again once a string points into them.
type textArena struct {
	chunk []byte
	bytes int64
}

const textChunk = 64 << 10

func (a *textArena) string(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if cap(a.chunk)-len(a.chunk) < len(b) {
		// Chunks start small and double up to textChunk: a window of a
		// hundred groups does not allocate 64 KiB.
		size := textChunk
		if a.bytes < textChunk/2 {
			size = max(1<<10, 2*int(a.bytes))
		}
		if len(b) > textChunk/8 {
			size = len(b)
		} else {
			size = max(size, len(b))
		}
		a.chunk = make([]byte, 0, size)
		a.bytes += int64(size)
	}
	start := len(a.chunk)
	a.chunk = append(a.chunk, b...)
	return unsafe.String(&a.chunk[start], len(b))
}
