package operators

import (
	"sort"

	"github.com/streamsql/streamsql/value"
)

// GroupRank is KDA's GROUP_RANK table function: rows sharing a ROWTIME
// form a group; when the group is complete (a later row or a bound
// arrives) each row gets the RANK() of its RankBy value within the group
// (ties share a rank, the next rank skips), and the group is emitted
// ordered by rank, at most Max rows (0: all), with the group's ROWTIME.
type GroupRank struct {
	Width   int  // input width
	RankBy  int  // input column ranked
	RankOut int  // output column receiving the rank (Width: a new last column)
	Desc    bool // sortOrder 'desc': the greatest value ranks 1
	OutDesc bool // outputOrder 'desc': emit the highest rank number first
	Max     int
	Out     Operator

	rows  *Batch
	have  bool
	t     int64
	out   *Emitter
	order []int
	ranks []int64
}

// Init prepares the operator.
func (g *GroupRank) Init() {
	g.rows = NewBatch(g.Width, 64)
	w := g.Width
	if g.RankOut >= w {
		w = g.RankOut + 1
	}
	g.out = NewEmitter(g.Out, w)
}

func (g *GroupRank) Push(b *Batch) {
	for i := 0; i < b.Len(); i++ {
		if g.have && b.Times[i] != g.t {
			g.emit()
		}
		g.have, g.t = true, b.Times[i]
		g.rows.Append(b.Times[i], b.Row(i))
	}
	g.out.Flush()
}

func (g *GroupRank) Advance(t int64) {
	if g.have && t > g.t {
		g.emit()
	}
	g.out.Advance(heldBound(t, g.have, g.rows.Times))
}

func (g *GroupRank) emit() {
	n := g.rows.Len()
	g.order = g.order[:0]
	for i := 0; i < n; i++ {
		g.order = append(g.order, i)
	}
	cmp := func(a, b int) int {
		c := compareNullsLow(g.rows.Row(a)[g.RankBy], g.rows.Row(b)[g.RankBy])
		if g.Desc {
			c = -c
		}
		return c
	}
	sort.SliceStable(g.order, func(a, b int) bool { return cmp(g.order[a], g.order[b]) < 0 })
	g.ranks = g.ranks[:0]
	for k, i := range g.order {
		r := int64(k + 1)
		if k > 0 && cmp(g.order[k-1], i) == 0 {
			r = g.ranks[k-1]
		}
		g.ranks = append(g.ranks, r)
	}
	emitOne := func(k int) {
		row := g.out.Grow(g.t)
		copy(row, g.rows.Row(g.order[k]))
		row[g.RankOut] = value.NewInt(g.ranks[k])
	}
	count := 0
	if g.OutDesc {
		for k := n - 1; k >= 0 && (g.Max == 0 || count < g.Max); k-- {
			emitOne(k)
			count++
		}
	} else {
		for k := 0; k < n && (g.Max == 0 || count < g.Max); k++ {
			emitOne(k)
			count++
		}
	}
	g.rows.Reset()
	g.have = false
}
