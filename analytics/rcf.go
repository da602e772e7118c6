package analytics

import (
	"fmt"
	"math"
	"strconv"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

// RCFConfig configures RANDOM_CUT_FOREST and RANDOM_CUT_FOREST_WITH_EXPLANATION.
type RCFConfig struct {
	Columns     []int    // the numeric columns' indexes in the cursor's rows
	Names       []string // their names (explanation keys)
	Trees       int      // numberOfTrees (KDA default 100)
	SampleSize  int      // subSampleSize (KDA default 256)
	TimeDecay   int64    // timeDecay in points (KDA default 100000)
	Shingle     int      // shingleSize (KDA default 1)
	Explain     bool     // add ANOMALY_EXPLANATION
	Directional bool     // withDirectionality
	Seed        uint64
	Errors      operators.ErrorSink
	Pump        string
}

// KDA's documented defaults.
const (
	DefaultTrees      = 100
	DefaultSampleSize = 256
	DefaultTimeDecay  = 100000
	DefaultShingle    = 1
	DefaultSeed       = 0x5EED_0F_F0_2E57
)

const noNode = math.MinInt32

// Tree is one robust random cut tree (Guha, Mishra, Roy, Schrijvers,
// "Robust Random Cut Forest Based Anomaly Detection On Streams", ICML 2016)
// with its own time-decayed reservoir sample.
//
// Node references: i ≥ 0 is internal node i, i < 0 (but not noNode) is
// leaf -i-1. All fields are plain slices so the tree serializes as is.
type Tree struct {
	Rng  Rand
	Root int32
	// Internal nodes.
	Nodes     []Node
	CutDim    []uint16
	Parent    []int32
	Mass      []int32   // points below the node
	Min, Max  []float64 // bounding boxes, Dim per node
	FreeNodes []int32
	// Leaves.
	Point      []float64 // Dim per leaf
	LeafMass   []int32
	LeafParent []int32
	FreeLeaves []int32
	// Sampler: a max-heap on Weight of the sampled points' leaves.
	Weight []float64
	Leaf   []int32
	// A cached bound: while Seq ≤ RejectUntil, an offer whose uniform draw
	// is at most RejectBelow cannot enter the sample.
	RejectUntil int64
	RejectBelow float64
}

// rejectSpan is how many points a rejection bound is used for.
const rejectSpan = 256

// Node is the part of an internal node a search reads: its cut value
// (points with x[CutDim] ≤ CutVal go left) and children. It is kept to 16
// bytes so that the searches of many trees stay in cache.
type Node struct {
	CutVal      float64
	Left, Right int32
}

// RCFState is the operator's serializable state.
type RCFState struct {
	Dim     int       // numeric columns × Shingle
	Seq     int64     // points offered to the forest
	Recent  []float64 // the last Shingle records' values, oldest first
	Records int64     // records seen
	Trees   []Tree
}

// RCF is the RANDOM_CUT_FOREST operator: each row passes through with
// ANOMALY_SCORE (and ANOMALY_EXPLANATION) computed before the row's point
// is offered to the trees' samples.
type RCF struct {
	cfg   RCFConfig
	out   *operators.Emitter
	State RCFState
	errs  errs

	rec     []float64
	pt      []float64
	merged  []float64
	paths   [lanes][]int32
	leaves  [lanes]int32
	logMass int32
	logVal  float64
	attr    []float64 // 2·Dim per tree pass: high, low
	attrSum []float64
	jbuf    []byte
}

// NewRCF returns the operator feeding out; width is the cursor's row width.
func NewRCF(cfg RCFConfig, out operators.Operator, width int) *RCF {
	if cfg.Trees == 0 {
		cfg.Trees = DefaultTrees
	}
	if cfg.SampleSize == 0 {
		cfg.SampleSize = DefaultSampleSize
	}
	if cfg.TimeDecay == 0 {
		cfg.TimeDecay = DefaultTimeDecay
	}
	if cfg.Shingle == 0 {
		cfg.Shingle = DefaultShingle
	}
	if cfg.Seed == 0 {
		cfg.Seed = DefaultSeed
	}
	nc := len(cfg.Columns)
	d := nc * cfg.Shingle
	r := &RCF{cfg: cfg, errs: errs{sink: cfg.Errors, pump: cfg.Pump},
		rec: make([]float64, nc), pt: make([]float64, d), merged: make([]float64, 2*d),
		attr: make([]float64, 2*d), attrSum: make([]float64, 2*d)}
	extra := 1
	if cfg.Explain {
		extra = 2
	}
	r.out = operators.NewEmitter(out, width+extra)
	r.State = RCFState{Dim: d, Recent: make([]float64, 0, d), Trees: make([]Tree, cfg.Trees)}
	for i := range r.State.Trees {
		r.State.Trees[i] = Tree{Root: noNode, Rng: Rand{State: cfg.Seed + uint64(i)*0x9E3779B97F4A7C15}}
	}
	return r
}

func (r *RCF) Push(b *operators.Batch) {
	nc := len(r.cfg.Columns)
	for i, n := 0, b.Len(); i < n; i++ {
		row, t := b.Row(i), b.Times[i]
		if bad := numeric(row, r.cfg.Columns, r.rec); bad >= 0 {
			r.errs.fail(ErrBadInput, fmt.Sprintf("RANDOM_CUT_FOREST needs a number in every numeric column; %s is NULL or not finite", r.name(bad)), t, row)
			continue
		}
		st := &r.State
		st.Records++
		if len(st.Recent) == st.Dim {
			copy(st.Recent, st.Recent[nc:])
			st.Recent = st.Recent[:st.Dim-nc]
		}
		st.Recent = append(st.Recent, r.rec...)
		score := 0.0
		explained := false
		if len(st.Recent) == st.Dim {
			copy(r.pt, st.Recent)
			if r.ready() {
				score = r.score(r.pt, r.cfg.Explain)
				explained = r.cfg.Explain
			}
			r.update(r.pt)
		}
		o := r.out.Grow(t)
		copy(o, row)
		o[len(row)] = value.NewFloat(score)
		if r.cfg.Explain {
			if !explained {
				clear(r.attrSum)
			}
			o[len(row)+1] = value.NewString(r.explanation())
		}
	}
	r.out.Flush()
}

func (r *RCF) name(i int) string { return colName(r.cfg.Names, i) }

// ready: every tree's sample is full (KDA scores 0 while it learns).
func (r *RCF) ready() bool {
	return len(r.State.Trees[0].Leaf) >= r.cfg.SampleSize
}

// Score returns the forest's anomaly score of p without learning it.
func (r *RCF) Score(p []float64) float64 { return r.score(p, false) }

func (r *RCF) score(p []float64, explain bool) float64 {
	total := 0.0
	if explain {
		clear(r.attrSum)
	}
	trees := r.State.Trees
	for g := 0; g < len(trees); g += lanes {
		n := min(lanes, len(trees)-g)
		r.descend(trees[g:g+n], p)
		for i := 0; i < n; i++ {
			total += r.treeScore(&trees[g+i], p, r.paths[i], r.leaves[i], explain)
			if explain {
				for j, a := range r.attr {
					r.attrSum[j] += a
				}
			}
		}
	}
	n := float64(len(r.State.Trees))
	if explain {
		for j := range r.attrSum {
			r.attrSum[j] /= n
		}
	}
	return total / n
}

// treeScore follows p's path to a leaf and folds the separation
// probabilities back up: at a node of depth k, p would have been cut off
// with probability q, scoring 1/(k+1); otherwise the score of the level
// below. A leaf holding p scores 1/(depth+log2(1+mass)), damped for
// duplicates. The result is normalized by log2(1+tree mass).
func (r *RCF) treeScore(t *Tree, p []float64, path []int32, leaf int32, explain bool) float64 {
	d := r.State.Dim
	if t.Root == noNode {
		clear(r.attr)
		return 0
	}
	depth := float64(len(path))
	lp := t.Point[int(leaf)*d : int(leaf)*d+d]
	treeMass := t.mass(t.Root)
	var s float64
	equal := true
	for j, x := range p {
		if x != lp[j] {
			equal = false
			break
		}
	}
	attr := r.attr
	if equal {
		m := float64(t.LeafMass[leaf])
		s = (1 - m/(2*float64(treeMass))) / (depth + math.Log2(1+m))
		if explain {
			for j := range attr {
				attr[j] = s / float64(2*d)
			}
		}
	} else {
		s = 1 / (depth + 1)
		if explain {
			g := 0.0
			for j, x := range p {
				hi, lo := math.Max(x-lp[j], 0), math.Max(lp[j]-x, 0)
				attr[2*j], attr[2*j+1] = hi, lo
				g += hi + lo
			}
			for j := range attr {
				attr[j] *= s / g
			}
		}
	}
	for k := len(path) - 1; k >= 0; k-- {
		n := path[k]
		mn, mx := t.Min[int(n)*d:int(n)*d+d], t.Max[int(n)*d:int(n)*d+d]
		span, out := 0.0, 0.0
		for j, x := range p {
			lo, hi := mn[j], mx[j]
			if x < lo {
				out += lo - x
				lo = x
			} else if x > hi {
				out += x - hi
				hi = x
			}
			span += hi - lo
		}
		if out == 0 {
			// p lies inside this box, so inside every box above it too:
			// nothing would have cut it off higher up.
			break
		}
		q := out / span
		u := 1 / (float64(k) + 1)
		s = q*u + (1-q)*s
		if explain {
			for j, x := range p {
				hi, lo := math.Max(x-mx[j], 0), math.Max(mn[j]-x, 0)
				attr[2*j] = hi/span*u + (1-q)*attr[2*j]
				attr[2*j+1] = lo/span*u + (1-q)*attr[2*j+1]
			}
		}
	}
	norm := r.log2p1(treeMass)
	if explain {
		for j := range attr {
			attr[j] *= norm
		}
	}
	return s * norm
}

// lanes is how many trees are searched side by side, so that their
// memory loads overlap.
const lanes = 8

// descend follows p's path down each of trees (at most lanes), in
// lockstep, into r.paths and r.leaves.
func (r *RCF) descend(trees []Tree, p []float64) {
	var node [lanes]int32
	active := 0
	for i := range trees {
		node[i] = trees[i].Root
		r.paths[i] = r.paths[i][:0]
		if node[i] >= 0 {
			active++
		}
	}
	for active > 0 {
		for i := range trees {
			n := node[i]
			if n < 0 {
				continue
			}
			r.paths[i] = append(r.paths[i], n)
			nd := &trees[i].Nodes[n]
			if p[trees[i].CutDim[n]] <= nd.CutVal {
				n = nd.Left
			} else {
				n = nd.Right
			}
			node[i] = n
			if n < 0 {
				active--
			}
		}
	}
	for i := range trees {
		r.leaves[i] = -node[i] - 1
	}
}

// log2p1 is log2(1+m), cached for the sample size.
func (r *RCF) log2p1(m int32) float64 {
	if m != r.logMass {
		r.logMass, r.logVal = m, math.Log2(1+float64(m))
	}
	return r.logVal
}

func (t *Tree) mass(n int32) int32 {
	if n == noNode {
		return 0
	}
	if n >= 0 {
		return t.Mass[n]
	}
	return t.LeafMass[-n-1]
}

// update offers p (point number Seq) to every tree's sample.
func (r *RCF) update(p []float64) {
	st := &r.State
	st.Seq++
	for i := range st.Trees {
		t := &st.Trees[i]
		u := t.Rng.Float64()
		for u == 0 {
			u = t.Rng.Float64()
		}
		full := len(t.Leaf) >= r.cfg.SampleSize
		if full {
			// Most offers lose: reject them without the logarithms when u
			// is below a bound that holds for the next rejectSpan points.
			if st.Seq > t.RejectUntil {
				t.RejectUntil = st.Seq + rejectSpan
				x := t.Weight[0] + float64(t.RejectUntil+1)/float64(r.cfg.TimeDecay)
				t.RejectBelow = math.Exp(-math.Exp(x)) * (1 - 1e-9)
			}
			if u <= t.RejectBelow {
				continue
			}
		}
		// Exponential time decay: recent points get smaller weights and the
		// sample keeps the smallest (Efraimidis–Spirakis with decay).
		w := -float64(st.Seq)/float64(r.cfg.TimeDecay) + math.Log(-math.Log(u))
		if !full {
			leaf := t.insert(p, st.Dim)
			t.heapPush(w, leaf)
			continue
		}
		if w >= t.Weight[0] {
			continue
		}
		t.remove(t.Leaf[0], st.Dim)
		leaf := t.insert(p, st.Dim)
		t.Weight[0], t.Leaf[0] = w, leaf
		t.heapDown(0)
		t.RejectUntil = 0 // the largest weight changed
	}
}

func (t *Tree) heapPush(w float64, leaf int32) {
	t.Weight = append(t.Weight, w)
	t.Leaf = append(t.Leaf, leaf)
	j := len(t.Weight) - 1
	for j > 0 {
		p := (j - 1) / 2
		if t.Weight[p] >= t.Weight[j] {
			break
		}
		t.Weight[p], t.Weight[j] = t.Weight[j], t.Weight[p]
		t.Leaf[p], t.Leaf[j] = t.Leaf[j], t.Leaf[p]
		j = p
	}
}

func (t *Tree) heapDown(j int) {
	n := len(t.Weight)
	for {
		l := 2*j + 1
		if l >= n {
			return
		}
		m := l
		if l+1 < n && t.Weight[l+1] > t.Weight[l] {
			m = l + 1
		}
		if t.Weight[m] <= t.Weight[j] {
			return
		}
		t.Weight[m], t.Weight[j] = t.Weight[j], t.Weight[m]
		t.Leaf[m], t.Leaf[j] = t.Leaf[j], t.Leaf[m]
		j = m
	}
}

func (t *Tree) newLeaf(p []float64, parent int32, d int) int32 {
	var j int32
	if n := len(t.FreeLeaves); n > 0 {
		j = t.FreeLeaves[n-1]
		t.FreeLeaves = t.FreeLeaves[:n-1]
		copy(t.Point[int(j)*d:], p)
		t.LeafMass[j], t.LeafParent[j] = 1, parent
	} else {
		j = int32(len(t.LeafMass))
		t.Point = append(t.Point, p...)
		t.LeafMass = append(t.LeafMass, 1)
		t.LeafParent = append(t.LeafParent, parent)
	}
	return j
}

func (t *Tree) newNode(d int) int32 {
	if n := len(t.FreeNodes); n > 0 {
		i := t.FreeNodes[n-1]
		t.FreeNodes = t.FreeNodes[:n-1]
		return i
	}
	i := int32(len(t.Nodes))
	t.Nodes = append(t.Nodes, Node{})
	t.CutDim = append(t.CutDim, 0)
	t.Parent = append(t.Parent, noNode)
	t.Mass = append(t.Mass, 0)
	t.Min = append(t.Min, make([]float64, d)...)
	t.Max = append(t.Max, make([]float64, d)...)
	return i
}

func (t *Tree) setParent(n, parent int32) {
	if n >= 0 {
		t.Parent[n] = parent
	} else {
		t.LeafParent[-n-1] = parent
	}
}

// box returns node n's bounding box (a leaf's is its point).
func (t *Tree) box(n int32, d int) (mn, mx []float64) {
	if n >= 0 {
		return t.Min[int(n)*d : int(n)*d+d], t.Max[int(n)*d : int(n)*d+d]
	}
	j := int(-n - 1)
	p := t.Point[j*d : j*d+d]
	return p, p
}

// insert adds p and returns its leaf. At each node a cut is drawn over the
// box grown to hold p (dimension chosen in proportion to its side, value
// uniform along it); if the cut separates p from the node's points, p
// becomes a new leaf beside the node, else p goes down the node's own cut.
func (t *Tree) insert(p []float64, d int) int32 {
	if t.Root == noNode {
		j := t.newLeaf(p, noNode, d)
		t.Root = -j - 1
		return j
	}
	node, parent := t.Root, int32(noNode)
	for {
		mn, mx := t.box(node, d)
		if node < 0 {
			j := -node - 1
			same := true
			for i, x := range p {
				if x != mn[i] {
					same = false
					break
				}
			}
			if same {
				t.LeafMass[j]++
				return j
			}
		}
		span := 0.0
		for i, x := range p {
			span += math.Max(mx[i], x) - math.Min(mn[i], x)
		}
		dim, cut := t.cut(p, mn, mx, span)
		x := p[dim]
		var pLeft bool
		switch {
		case x <= cut && cut < mn[dim]:
			pLeft = true
		case mx[dim] <= cut && cut < x:
			pLeft = false
		default:
			// The cut falls inside the node's box: go down its own cut.
			t.Mass[node]++
			nmn, nmx := t.Min[int(node)*d:int(node)*d+d], t.Max[int(node)*d:int(node)*d+d]
			for i, v := range p {
				nmn[i] = math.Min(nmn[i], v)
				nmx[i] = math.Max(nmx[i], v)
			}
			parent = node
			if p[t.CutDim[node]] <= t.Nodes[node].CutVal {
				node = t.Nodes[node].Left
			} else {
				node = t.Nodes[node].Right
			}
			continue
		}
		n := t.newNode(d)
		j := t.newLeaf(p, n, d)
		mn, mx = t.box(node, d) // newNode may have moved the slices
		nmn, nmx := t.Min[int(n)*d:int(n)*d+d], t.Max[int(n)*d:int(n)*d+d]
		for i, v := range p {
			nmn[i] = math.Min(mn[i], v)
			nmx[i] = math.Max(mx[i], v)
		}
		t.CutDim[n], t.Nodes[n].CutVal = uint16(dim), cut
		t.Mass[n] = t.mass(node) + 1
		t.Parent[n] = parent
		if pLeft {
			t.Nodes[n].Left, t.Nodes[n].Right = -j-1, node
		} else {
			t.Nodes[n].Left, t.Nodes[n].Right = node, -j-1
		}
		t.setParent(node, n)
		switch {
		case parent == noNode:
			t.Root = n
		case t.Nodes[parent].Left == node:
			t.Nodes[parent].Left = n
		default:
			t.Nodes[parent].Right = n
		}
		return j
	}
}

// cut draws a random cut over the box [mn, mx] grown to hold p, whose
// sides add up to span > 0.
func (t *Tree) cut(p, mn, mx []float64, span float64) (int, float64) {
	r := t.Rng.Float64() * span
	last := -1
	for i, x := range p {
		lo, hi := math.Min(mn[i], x), math.Max(mx[i], x)
		w := hi - lo
		if w <= 0 {
			continue
		}
		last = i
		if r < w {
			c := lo + r
			if c >= hi {
				c = math.Nextafter(hi, math.Inf(-1))
			}
			return i, c
		}
		r -= w
	}
	// Rounding carried r past the last side: cut at the top of it.
	lo, hi := math.Min(mn[last], p[last]), math.Max(mx[last], p[last])
	return last, math.Max(lo, math.Nextafter(hi, math.Inf(-1)))
}

// remove takes one copy of leaf j's point out of the tree.
func (t *Tree) remove(j int32, d int) {
	for n := t.LeafParent[j]; n != noNode; n = t.Parent[n] {
		t.Mass[n]--
	}
	t.LeafMass[j]--
	if t.LeafMass[j] > 0 {
		return
	}
	parent := t.LeafParent[j]
	t.FreeLeaves = append(t.FreeLeaves, j)
	if parent == noNode {
		t.Root = noNode
		return
	}
	me := -j - 1
	sib := t.Nodes[parent].Left
	if sib == me {
		sib = t.Nodes[parent].Right
	}
	grand := t.Parent[parent]
	t.setParent(sib, grand)
	switch {
	case grand == noNode:
		t.Root = sib
	case t.Nodes[grand].Left == parent:
		t.Nodes[grand].Left = sib
	default:
		t.Nodes[grand].Right = sib
	}
	t.FreeNodes = append(t.FreeNodes, parent)
	// Shrink the boxes above.
	for n := grand; n != noNode; n = t.Parent[n] {
		lmn, lmx := t.box(t.Nodes[n].Left, d)
		rmn, rmx := t.box(t.Nodes[n].Right, d)
		mn, mx := t.Min[int(n)*d:int(n)*d+d], t.Max[int(n)*d:int(n)*d+d]
		changed := false
		for i := range mn {
			a, b := math.Min(lmn[i], rmn[i]), math.Max(lmx[i], rmx[i])
			if a != mn[i] || b != mx[i] {
				mn[i], mx[i] = a, b
				changed = true
			}
		}
		if !changed {
			break
		}
	}
}

// explanation renders ANOMALY_EXPLANATION from the last scored attribution:
// per input column, the sum over the shingle of its high and low parts.
func (r *RCF) explanation() string {
	nc := len(r.cfg.Columns)
	b := append(r.jbuf[:0], '{')
	for c := 0; c < nc; c++ {
		hi, lo := 0.0, 0.0
		for s := 0; s < r.cfg.Shingle; s++ {
			j := s*nc + c
			hi += r.attrSum[2*j]
			lo += r.attrSum[2*j+1]
		}
		if c > 0 {
			b = append(b, ',')
		}
		b = value.AppendJSONString(b, r.name(c))
		b = append(b, ':', '{')
		if r.cfg.Directional {
			dir := "LOW"
			if hi > lo {
				dir = "HIGH"
			}
			b = append(b, `"DIRECTION":"`...)
			b = append(b, dir...)
			b = append(b, `","STRENGTH":"`...)
			b = strconv.AppendFloat(b, math.Abs(hi-lo), 'f', 4, 64)
			b = append(b, `",`...)
		}
		b = append(b, `"ATTRIBUTION_SCORE":"`...)
		b = strconv.AppendFloat(b, hi+lo, 'f', 4, 64)
		b = append(b, `"}`...)
	}
	b = append(b, '}')
	r.jbuf = b
	return string(b)
}

func (r *RCF) Advance(t int64) {
	r.out.Advance(t)
}
