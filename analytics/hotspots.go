package analytics

import (
	"fmt"
	"math"
	"sort"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

// HotspotsConfig configures HOTSPOTS.
type HotspotsConfig struct {
	Columns    []int    // the numeric columns' indexes in the cursor's rows, in cursor order
	Names      []string // their names (messages)
	WindowSize int      // the last WindowSize rows form the window
	Radius     float64  // scanRadius
	MinPoints  int      // minimumNumberOfPointsInAHotspot
	Errors     operators.ErrorSink
	Pump       string
}

// HotspotsState is the serializable state: the window's points, oldest
// first from Head. The index (grid, neighbour counts, clusters) is derived
// from it and rebuilt by Restore.
type HotspotsState struct {
	Dim    int
	Coords []float64 // ring of WindowSize points, Dim values each
	Head   int       // slot of the oldest point
	Len    int       // points in the window
}

// Hotspot is one dense region of the window.
type Hotspot struct {
	Density float64
	Count   int
	Min     []float64
	Max     []float64
}

// Hotspots is the HOTSPOTS operator. For each input row it adds the row's
// point to a window of the last WindowSize points and emits the row with
// HOTSPOTS_RESULT, the JSON list of the window's hotspots.
//
// A point is dense when at least MinPoints points of the window (itself
// included) lie within Radius of it (Euclidean distance). A hotspot is a
// maximal set of dense points linked by chains of dense points each within
// Radius of the next: the clusters of DBSCAN* (DBSCAN without border points,
// which makes the result independent of arrival order). Its bounding box is
// that of its dense points; its density is their number divided by the
// box's volume, each side counted as at least Radius.
//
// The work per row is local: a grid of cells of side Radius/√d keeps
// neighbour counts; cells are the nodes of the cluster graph (the dense
// points of one cell are always within Radius of each other), their links
// are updated only around the arriving and leaving points, merges relabel
// the smaller cluster, and a cluster that lost a link is checked for a
// split by a search that stops as soon as the broken ends meet again.
type Hotspots struct {
	cfg   HotspotsConfig
	out   *operators.Emitter
	State HotspotsState
	errs  errs

	eps2    float64
	side    float64
	grid    bool // false: more than 3 dimensions, every point is its own cell
	offsets [][3]int64
	count   []int32 // per slot: points within Radius, itself included
	core    []bool
	cellOf  []int32
	cells   []hcell
	freeC   []int32
	cmap    map[[3]int64]int32
	live    []int32 // live cell ids (brute mode)
	comps   []hcomp
	freeK   []int32
	changed []int32
	scan    []int32
	seqs    []int64 // per slot: arrival number (brute-mode cell keys)
	nextSeq int64

	structural bool // a cluster was created, freed or changed since the last result
	result     string
	pt         []float64
	jbuf       []byte
	order      []int32
	stack      []int32
	mark       []uint32
	markGen    uint32
}

type hcell struct {
	key     [3]int64
	pts     []int32   // slots
	xs      []float64 // their coordinates, Dim per point (kept local for the scans)
	cores   int32
	nbrs    []int32 // itself, then the live cells within reach (grid mode)
	edges   []int32 // neighbour cells linked to this one (some pair of dense points within Radius)
	comp    int32
	compPos int32
	queued  bool
	stale   bool // the box must be recomputed
	livePos int32
	min     []float64 // bounding box of the dense points
	max     []float64
}

type hcomp struct {
	cells   []int32
	targets []int32 // cells whose links were cut: check connectivity
	dirty   bool
	live    bool
	count   int
	min     []float64
	max     []float64
	density float64
	json    []byte    // this hotspot's element of HOTSPOTS_RESULT
	nums    []float64 // density, min..., max... as last formatted
	texts   [][]byte  // their text
}

// NewHotspots returns the operator feeding out.
func NewHotspots(cfg HotspotsConfig, out operators.Operator, width int) *Hotspots {
	d := len(cfg.Columns)
	h := &Hotspots{cfg: cfg, out: operators.NewEmitter(out, width+1), errs: errs{sink: cfg.Errors, pump: cfg.Pump},
		State: HotspotsState{Dim: d, Coords: make([]float64, cfg.WindowSize*d)}}
	h.init()
	return h
}

func (h *Hotspots) init() {
	d, n := h.State.Dim, h.cfg.WindowSize
	h.eps2 = h.cfg.Radius * h.cfg.Radius
	h.grid = d <= 3
	// A hair under Radius/√d, so that two points of one cell are always
	// strictly within Radius whatever the rounding.
	h.side = h.cfg.Radius / math.Sqrt(float64(d)) * (1 - 1e-9)
	h.offsets = nil
	if h.grid {
		r := int64(math.Ceil(math.Sqrt(float64(d)))) + 1
		var o [3]int64
		var rec func(i int)
		rec = func(i int) {
			if i == d {
				gap := 0.0
				for j := 0; j < d; j++ {
					if a := max(abs64(o[j])-1, 0); a > 0 {
						g := float64(a) * h.side
						gap += g * g
					}
				}
				if gap <= h.eps2 && o != [3]int64{} {
					h.offsets = append(h.offsets, o)
				}
				return
			}
			for k := -r; k <= r; k++ {
				o[i] = k
				rec(i + 1)
			}
			o[i] = 0
		}
		rec(0)
	}
	h.count = make([]int32, n)
	h.core = make([]bool, n)
	h.cellOf = make([]int32, n)
	h.seqs = make([]int64, n)
	h.mark = make([]uint32, 0)
	h.cmap = map[[3]int64]int32{}
	h.pt = make([]float64, d)
	h.result = `{"hotspots":[]}`
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// rebuild makes the index from State (after loading a checkpoint).
func (h *Hotspots) rebuild() {
	st := h.State
	h.State = HotspotsState{Dim: st.Dim, Coords: make([]float64, len(st.Coords))}
	h.cells, h.freeC, h.live, h.comps, h.freeK, h.changed = nil, nil, nil, nil, nil, nil
	h.init()
	w, d := h.cfg.WindowSize, st.Dim
	for i := 0; i < st.Len; i++ {
		s := (st.Head + i) % w
		h.add(st.Coords[s*d : s*d+d])
	}
	h.result = h.render()
}

func (h *Hotspots) point(slot int32) []float64 {
	d := h.State.Dim
	return h.State.Coords[int(slot)*d : int(slot)*d+d]
}

func (h *Hotspots) near(a []float64, slot int32) bool {
	b := h.point(slot)
	s := 0.0
	for i, x := range a {
		y := x - b[i]
		s += y * y
	}
	return s <= h.eps2
}

func (h *Hotspots) Push(b *operators.Batch) {
	for i, n := 0, b.Len(); i < n; i++ {
		row, t := b.Row(i), b.Times[i]
		if bad := numeric(row, h.cfg.Columns, h.pt); bad >= 0 {
			h.errs.fail(ErrBadInput, fmt.Sprintf("HOTSPOTS needs a number in every numeric column; %s is NULL or not finite", colName(h.cfg.Names, bad)), t, row)
			continue
		}
		if h.grid && !h.gridable(h.pt) {
			h.errs.fail(ErrBadInput, "HOTSPOTS: a coordinate is too large for the scan radius", t, row)
			continue
		}
		h.add(h.pt)
		if h.structural {
			h.result = h.render()
			h.structural = false
		}
		o := h.out.Grow(t)
		copy(o, row)
		o[len(row)] = value.NewString(h.result)
	}
	h.out.Flush()
}

func (h *Hotspots) gridable(p []float64) bool {
	for _, x := range p {
		if math.Abs(x/h.side) > 1<<52 {
			return false
		}
	}
	return true
}

// add slides the window by one point.
func (h *Hotspots) add(p []float64) {
	st := &h.State
	w, d := h.cfg.WindowSize, st.Dim
	if st.Len == w {
		h.remove(int32(st.Head))
		h.settle()
		st.Head = (st.Head + 1) % w
		st.Len--
	}
	slot := int32((st.Head + st.Len) % w)
	copy(st.Coords[int(slot)*d:], p)
	st.Len++
	h.insert(slot)
	h.settle()
}

func (h *Hotspots) cellKey(slot int32) [3]int64 {
	var k [3]int64
	if !h.grid {
		k[0] = h.seqs[slot]
		return k
	}
	for i, x := range h.point(slot) {
		k[i] = int64(math.Floor(x / h.side))
	}
	return k
}

func (h *Hotspots) newCell(key [3]int64) int32 {
	id := takeSlot(&h.freeC, &h.cells)
	c := &h.cells[id]
	c.xs = c.xs[:0]
	c.key, c.pts, c.cores, c.nbrs, c.edges, c.comp, c.queued, c.stale = key, c.pts[:0], 0, append(c.nbrs[:0], id), c.edges[:0], -1, false, false
	if c.min == nil {
		c.min, c.max = make([]float64, h.State.Dim), make([]float64, h.State.Dim)
	}
	h.cmap[key] = id
	if h.grid {
		for _, o := range h.offsets {
			k := key
			for i := 0; i < h.State.Dim; i++ {
				k[i] += o[i]
			}
			if n, ok := h.cmap[k]; ok {
				h.cells[id].nbrs = append(h.cells[id].nbrs, n)
				h.cells[n].nbrs = append(h.cells[n].nbrs, id)
			}
		}
	} else {
		h.cells[id].livePos = int32(len(h.live))
		h.live = append(h.live, id)
	}
	return id
}

func (h *Hotspots) freeCell(id int32) {
	c := &h.cells[id]
	delete(h.cmap, c.key)
	if h.grid {
		for _, n := range c.nbrs[1:] {
			h.cells[n].nbrs = removeID(h.cells[n].nbrs, id)
		}
	} else {
		last := h.live[len(h.live)-1]
		h.live[c.livePos] = last
		h.cells[last].livePos = c.livePos
		h.live = h.live[:len(h.live)-1]
	}
	c.nbrs = c.nbrs[:0]
	h.freeC = append(h.freeC, id)
}

func removeID(s []int32, id int32) []int32 {
	for i, x := range s {
		if x == id {
			s[i] = s[len(s)-1]
			return s[:len(s)-1]
		}
	}
	return s
}

// nearCells lists the cells that may hold points within Radius of cell
// c's points, c first.
func (h *Hotspots) nearCells(c int32) []int32 {
	if h.grid {
		// nbrs keeps a spare first slot for c itself.
		return h.cells[c].nbrs
	}
	h.scan = append(h.scan[:0], c)
	for _, n := range h.live {
		if n != c {
			h.scan = append(h.scan, n)
		}
	}
	return h.scan
}

// touch adds delta to the neighbour count of every point within Radius of
// p, updating dense flags; it returns how many there are.
func (h *Hotspots) touch(c int32, p []float64, delta int32) int32 {
	d := h.State.Dim
	eps2 := h.eps2
	minPts := int32(h.cfg.MinPoints)
	n := int32(0)
	for k, nc := range h.nearCells(c) {
		cell := &h.cells[nc]
		if k == 0 && h.grid {
			// Two points of one cell are always within Radius.
			for _, q := range cell.pts {
				h.count[q] += delta
				if delta > 0 && h.count[q] == minPts {
					h.setCore(q, true)
				} else if delta < 0 && h.count[q] == minPts-1 {
					h.setCore(q, false)
				}
			}
			n += int32(len(cell.pts))
			continue
		}
		xs := cell.xs
		for j, q := range cell.pts {
			var s float64
			if d == 2 {
				x, y := p[0]-xs[2*j], p[1]-xs[2*j+1]
				s = x*x + y*y
			} else {
				for i, v := range xs[j*d : j*d+d] {
					t := p[i] - v
					s += t * t
				}
			}
			if s > eps2 {
				continue
			}
			n++
			h.count[q] += delta
			if delta > 0 && h.count[q] == minPts {
				h.setCore(q, true)
			} else if delta < 0 && h.count[q] == minPts-1 {
				h.setCore(q, false)
			}
		}
	}
	return n
}

func (h *Hotspots) insert(slot int32) {
	h.seqs[slot] = h.nextSeq
	h.nextSeq++
	key := h.cellKey(slot)
	c, ok := h.cmap[key]
	if !ok {
		c = h.newCell(key)
	}
	h.cellOf[slot] = c
	cnt := 1 + h.touch(c, h.point(slot), 1)
	h.cells[c].pts = append(h.cells[c].pts, slot)
	h.cells[c].xs = append(h.cells[c].xs, h.point(slot)...)
	h.count[slot] = cnt
	h.core[slot] = false
	if cnt >= int32(h.cfg.MinPoints) {
		h.setCore(slot, true)
	}
}

func (h *Hotspots) remove(slot int32) {
	c := h.cellOf[slot]
	h.cellRemove(c, slot)
	h.touch(c, h.point(slot), -1)
	if h.core[slot] {
		h.setCore(slot, false)
	}
	h.count[slot] = 0
	if len(h.cells[c].pts) == 0 && !h.cells[c].queued {
		h.freeCell(c)
	} else {
		h.queue(c) // freed by settle once it is empty
	}
}

// cellRemove takes slot out of cell c's lists.
func (h *Hotspots) cellRemove(c int32, slot int32) {
	cell := &h.cells[c]
	d := h.State.Dim
	for j, q := range cell.pts {
		if q == slot {
			last := len(cell.pts) - 1
			cell.pts[j] = cell.pts[last]
			copy(cell.xs[j*d:j*d+d], cell.xs[last*d:last*d+d])
			cell.pts = cell.pts[:last]
			cell.xs = cell.xs[:last*d]
			return
		}
	}
}

func (h *Hotspots) setCore(slot int32, on bool) {
	h.core[slot] = on
	c := h.cellOf[slot]
	cell := &h.cells[c]
	if on {
		cell.cores++
		if !cell.stale {
			p := h.point(slot)
			if cell.cores == 1 {
				copy(cell.min, p)
				copy(cell.max, p)
			} else {
				for i, x := range p {
					cell.min[i] = math.Min(cell.min[i], x)
					cell.max[i] = math.Max(cell.max[i], x)
				}
			}
		}
	} else {
		cell.cores--
		if !cell.stale && cell.cores > 0 {
			// The box shrinks only if the point was on its boundary.
			for i, x := range h.point(slot) {
				if x == cell.min[i] || x == cell.max[i] {
					cell.stale = true
					break
				}
			}
		}
	}
	h.queue(c)
}

func (h *Hotspots) queue(c int32) {
	if !h.cells[c].queued {
		h.cells[c].queued = true
		h.changed = append(h.changed, c)
	}
}

// linked reports whether some dense point of a is within Radius of some
// dense point of b.
func (h *Hotspots) linked(a, b int32) bool {
	for _, p := range h.cells[a].pts {
		if !h.core[p] {
			continue
		}
		pp := h.point(p)
		for _, q := range h.cells[b].pts {
			if h.core[q] && h.near(pp, q) {
				return true
			}
		}
	}
	return false
}

func (h *Hotspots) newComp() int32 {
	id := takeSlot(&h.freeK, &h.comps)
	k := &h.comps[id]
	k.cells, k.targets, k.live, k.dirty = k.cells[:0], k.targets[:0], true, true
	if k.min == nil {
		k.min, k.max = make([]float64, h.State.Dim), make([]float64, h.State.Dim)
	}
	h.structural = true
	return id
}

func (h *Hotspots) joinComp(c, k int32) {
	h.cells[c].comp = k
	h.cells[c].compPos = int32(len(h.comps[k].cells))
	h.comps[k].cells = append(h.comps[k].cells, c)
	h.comps[k].dirty = true
}

func (h *Hotspots) leaveComp(c int32) {
	k := h.cells[c].comp
	kc := &h.comps[k]
	pos := h.cells[c].compPos
	last := kc.cells[len(kc.cells)-1]
	kc.cells[pos] = last
	h.cells[last].compPos = pos
	kc.cells = kc.cells[:len(kc.cells)-1]
	kc.dirty = true
	h.cells[c].comp = -1
	if len(kc.cells) == 0 {
		kc.live = false
		h.freeK = append(h.freeK, k)
	}
	h.structural = true
}

// merge joins the clusters of cells a and b, relabelling the smaller.
func (h *Hotspots) merge(a, b int32) {
	ka, kb := h.cells[a].comp, h.cells[b].comp
	if ka == kb {
		return
	}
	if kb < 0 { // b gained dense points and is settled later in this pass
		h.joinComp(b, ka)
		return
	}
	if len(h.comps[ka].cells) < len(h.comps[kb].cells) {
		ka, kb = kb, ka
	}
	small := &h.comps[kb]
	for _, c := range small.cells {
		h.cells[c].comp = ka
		h.cells[c].compPos = int32(len(h.comps[ka].cells))
		h.comps[ka].cells = append(h.comps[ka].cells, c)
	}
	h.comps[ka].targets = append(h.comps[ka].targets, small.targets...)
	h.comps[ka].dirty = true
	small.cells, small.targets, small.live = small.cells[:0], small.targets[:0], false
	h.freeK = append(h.freeK, kb)
	h.structural = true
}

// settle brings links and clusters up to date with the cells whose dense
// points changed.
func (h *Hotspots) settle() {
	if len(h.changed) == 0 {
		return
	}
	for _, c := range h.changed {
		cell := &h.cells[c]
		cell.queued = false
		if cell.cores == 0 {
			for _, e := range cell.edges {
				h.cells[e].edges = removeID(h.cells[e].edges, c)
				if k := h.cells[e].comp; k >= 0 {
					h.comps[k].targets = append(h.comps[k].targets, e)
				}
			}
			cell.edges = cell.edges[:0]
			if cell.comp >= 0 {
				h.leaveComp(c)
			}
			continue
		}
		if cell.stale {
			h.cellBox(c)
			cell.stale = false
		}
		if cell.comp < 0 {
			h.joinComp(c, h.newComp())
		}
		h.comps[cell.comp].dirty = true
		h.structural = true
		// Re-link with the neighbouring cells that have dense points.
		old := append(h.stack[:0], cell.edges...)
		h.cells[c].edges = h.cells[c].edges[:0]
		for _, n := range h.nearCells(c)[1:] {
			if h.cells[n].cores > 0 && h.linked(c, n) {
				h.cells[c].edges = append(h.cells[c].edges, n)
			}
		}
		cell = &h.cells[c]
		for _, e := range old {
			if !contains(cell.edges, e) {
				h.cells[e].edges = removeID(h.cells[e].edges, c)
				h.comps[cell.comp].targets = append(h.comps[cell.comp].targets, c, e)
			}
		}
		for _, e := range cell.edges {
			if !contains(old, e) {
				h.cells[e].edges = append(h.cells[e].edges, c)
				h.merge(c, e)
			}
		}
		h.stack = old[:0]
	}
	for _, c := range h.changed {
		if len(h.cells[c].pts) == 0 {
			h.freeCell(c)
		}
	}
	h.changed = h.changed[:0]
	for k := range h.comps {
		if h.comps[k].live && len(h.comps[k].targets) > 0 {
			h.split(int32(k))
		}
	}
}

func contains(s []int32, x int32) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

// split checks whether cluster k still holds together after links were
// cut, and gives every separated piece a cluster of its own. Every piece
// holds at least one target (an end of a cut link), so the search from the
// first target stops as soon as it has met all the others.
func (h *Hotspots) split(k int32) {
	kc := &h.comps[k]
	targets := kc.targets
	kc.targets = nil
	defer func() { h.comps[k].targets = targets[:0] }()
	valid := targets[:0]
	for _, t := range targets {
		if h.cells[t].cores > 0 && h.cells[t].comp == k {
			valid = append(valid, t)
		}
	}
	sort.Slice(valid, func(a, b int) bool { return valid[a] < valid[b] })
	n := 0
	for i, t := range valid {
		if i == 0 || t != valid[i-1] {
			valid[n] = t
			n++
		}
	}
	valid = valid[:n]
	if len(valid) <= 1 {
		return
	}
	gen := h.nextMark()
	reached := 0
	h.bfs(valid[0], gen, nil, func(c int32) bool {
		if contains(valid, c) {
			reached++
		}
		return reached == len(valid)
	})
	if reached == len(valid) {
		return
	}
	for _, t := range valid[1:] {
		if h.mark[t] == gen {
			continue
		}
		nk := h.newComp()
		h.bfs(t, gen, func(c int32) {
			h.leaveCompKeep(c)
			h.joinComp(c, nk)
		}, nil)
	}
}

// leaveCompKeep removes c from its cluster without freeing an emptied one
// (the cluster being split always keeps its first piece).
func (h *Hotspots) leaveCompKeep(c int32) {
	k := h.cells[c].comp
	kc := &h.comps[k]
	pos := h.cells[c].compPos
	last := kc.cells[len(kc.cells)-1]
	kc.cells[pos] = last
	h.cells[last].compPos = pos
	kc.cells = kc.cells[:len(kc.cells)-1]
	kc.dirty = true
	h.structural = true
}

func (h *Hotspots) nextMark() uint32 {
	if len(h.mark) < len(h.cells) {
		h.mark = append(h.mark, make([]uint32, len(h.cells)-len(h.mark))...)
	}
	h.markGen++
	if h.markGen == 0 {
		clear(h.mark)
		h.markGen = 1
	}
	return h.markGen
}

// bfs visits the cells linked to start (marking them with gen), calling
// visit on each; stop may end the search early.
func (h *Hotspots) bfs(start int32, gen uint32, visit func(int32), stop func(int32) bool) {
	q := append(h.order[:0], start)
	h.mark[start] = gen
	for i := 0; i < len(q); i++ {
		c := q[i]
		if visit != nil {
			visit(c)
		}
		if stop != nil && stop(c) {
			break
		}
		for _, e := range h.cells[c].edges {
			if h.mark[e] != gen {
				h.mark[e] = gen
				q = append(q, e)
			}
		}
	}
	h.order = q[:0]
}

// cellBox recomputes the bounding box of cell c's dense points.
func (h *Hotspots) cellBox(c int32) {
	cell := &h.cells[c]
	first := true
	for _, p := range cell.pts {
		if !h.core[p] {
			continue
		}
		pp := h.point(p)
		if first {
			copy(cell.min, pp)
			copy(cell.max, pp)
			first = false
			continue
		}
		for i, x := range pp {
			cell.min[i] = math.Min(cell.min[i], x)
			cell.max[i] = math.Max(cell.max[i], x)
		}
	}
}

// Hotspots returns the window's hotspots, densest first.
func (h *Hotspots) Hotspots() []Hotspot {
	var out []Hotspot
	for k := range h.comps {
		kc := &h.comps[k]
		if !kc.live || len(kc.cells) == 0 {
			continue
		}
		h.summary(kc)
		out = append(out, Hotspot{Density: kc.density, Count: kc.count,
			Min: append([]float64(nil), kc.min...), Max: append([]float64(nil), kc.max...)})
	}
	SortHotspots(out)
	return out
}

func (h *Hotspots) summary(kc *hcomp) {
	if !kc.dirty {
		return
	}
	kc.dirty = false
	kc.count = 0
	for i, c := range kc.cells {
		cell := &h.cells[c]
		kc.count += int(cell.cores)
		if i == 0 {
			copy(kc.min, cell.min)
			copy(kc.max, cell.max)
			continue
		}
		for j := range kc.min {
			kc.min[j] = math.Min(kc.min[j], cell.min[j])
			kc.max[j] = math.Max(kc.max[j], cell.max[j])
		}
	}
	kc.density = HotspotDensity(kc.count, kc.min, kc.max, h.cfg.Radius)
	h.format(kc)
}

// format rebuilds kc's JSON element, formatting only the numbers that
// changed since the last time.
func (h *Hotspots) format(kc *hcomp) {
	d := len(kc.min)
	if len(kc.nums) != 1+2*d {
		kc.nums = make([]float64, 1+2*d)
		kc.texts = make([][]byte, 1+2*d)
		for i := range kc.nums {
			kc.nums[i] = math.NaN()
		}
	}
	set := func(i int, x float64) {
		if kc.nums[i] != x || kc.texts[i] == nil {
			kc.nums[i] = x
			kc.texts[i] = value.AppendFloat(kc.texts[i][:0], x, 64)
		}
	}
	set(0, kc.density)
	for i := 0; i < d; i++ {
		set(1+i, kc.min[i])
		set(1+d+i, kc.max[i])
	}
	b := append(kc.json[:0], `{"density":`...)
	b = append(b, kc.texts[0]...)
	b = append(b, `,"minValues":[`...)
	for i := 0; i < d; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, kc.texts[1+i]...)
	}
	b = append(b, `],"maxValues":[`...)
	for i := 0; i < d; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, kc.texts[1+d+i]...)
	}
	kc.json = append(b, "]}"...)
}

// HotspotDensity is count divided by the volume of the box, each side
// taken as at least radius.
func HotspotDensity(count int, min, max []float64, radius float64) float64 {
	vol := 1.0
	for i := range min {
		vol *= math.Max(max[i]-min[i], radius)
	}
	return float64(count) / vol
}

// SortHotspots orders hotspots densest first; ties by more points, then by
// the lower corner.
func SortHotspots(hs []Hotspot) {
	sort.Slice(hs, func(a, b int) bool {
		x, y := &hs[a], &hs[b]
		return hotspotBefore(x.Density, y.Density, x.Count, y.Count, x.Min, y.Min)
	})
}

// hotspotBefore is the output order of hotspots: densest first, then more
// points, then the lower corner.
func hotspotBefore(dx, dy float64, cx, cy int, minX, minY []float64) bool {
	if dx != dy {
		return dx > dy
	}
	if cx != cy {
		return cx > cy
	}
	for i := range minX {
		if minX[i] != minY[i] {
			return minX[i] < minY[i]
		}
	}
	return false
}

// AppendHotspotsJSON appends the documented HOTSPOTS_RESULT form.
func AppendHotspotsJSON(buf []byte, hs []Hotspot) []byte {
	buf = append(buf, `{"hotspots":[`...)
	for i, s := range hs {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendHotspotJSON(buf, s.Density, s.Min, s.Max)
	}
	return append(buf, "]}"...)
}

func appendHotspotJSON(buf []byte, density float64, min, max []float64) []byte {
	buf = append(buf, `{"density":`...)
	buf = value.AppendFloat(buf, density, 64)
	buf = append(buf, `,"minValues":[`...)
	for j, x := range min {
		if j > 0 {
			buf = append(buf, ',')
		}
		buf = value.AppendFloat(buf, x, 64)
	}
	buf = append(buf, `],"maxValues":[`...)
	for j, x := range max {
		if j > 0 {
			buf = append(buf, ',')
		}
		buf = value.AppendFloat(buf, x, 64)
	}
	return append(buf, "]}"...)
}

// render builds HOTSPOTS_RESULT from the clusters' cached elements, in the
// order of SortHotspots.
func (h *Hotspots) render() string {
	ord := h.order[:0]
	for k := range h.comps {
		kc := &h.comps[k]
		if kc.live && len(kc.cells) > 0 {
			h.summary(kc)
			ord = append(ord, int32(k))
		}
	}
	sort.Slice(ord, func(a, b int) bool {
		x, y := &h.comps[ord[a]], &h.comps[ord[b]]
		return hotspotBefore(x.density, y.density, x.count, y.count, x.min, y.min)
	})
	buf := append(h.jbuf[:0], `{"hotspots":[`...)
	for i, k := range ord {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, h.comps[k].json...)
	}
	buf = append(buf, "]}"...)
	h.jbuf, h.order = buf, ord[:0]
	return string(buf)
}

func (h *Hotspots) Advance(t int64) {
	h.out.Advance(t)
}

// takeSlot reuses a freed index of items, or appends a zero item.
func takeSlot[T any](free *[]int32, items *[]T) int32 {
	if n := len(*free); n > 0 {
		id := (*free)[n-1]
		*free = (*free)[:n-1]
		return id
	}
	var zero T
	*items = append(*items, zero)
	return int32(len(*items) - 1)
}
