package plan

import (
	"time"

	"github.com/streamsql/streamsql/operators"
)

// timing is a node's clock (Bindings.Timed): the time spent in calls into
// the node, downstream included, and in the calls it made downstream; the
// difference is the node's own time. A separate probe type keeps the
// untimed hot path free of clock reads.
type timing struct {
	inNs, outNs int64
}

// timedProbe counts and times the rows and bounds passing into op, for the
// node downstream (in) and the node upstream (out), like probe.
type timedProbe struct {
	op             operators.Operator
	in, out        *int64
	inNs, outNs    *int64
	spare, spareNs int64
}

func (tm *timing) input(n *node, op operators.Operator) operators.Operator {
	p := &timedProbe{op: op, in: &n.in, inNs: &tm.inNs}
	p.out, p.outNs = &p.spare, &p.spareNs
	return p
}

func (tm *timing) output(n *node, out operators.Operator) operators.Operator {
	if p, ok := out.(*timedProbe); ok && p.out == &p.spare {
		p.out, p.outNs = &n.out, &tm.outNs
		return p
	}
	p := &timedProbe{op: out, in: &n.out, inNs: &tm.outNs}
	p.out, p.outNs = &p.spare, &p.spareNs
	return p
}

func (p *timedProbe) Push(b *operators.Batch) {
	n := int64(b.Len())
	*p.in += n
	*p.out += n
	t := time.Now()
	p.op.Push(b)
	d := int64(time.Since(t))
	*p.inNs += d
	*p.outNs += d
}

func (p *timedProbe) Advance(t int64) {
	t0 := time.Now()
	p.op.Advance(t)
	d := int64(time.Since(t0))
	*p.inNs += d
	*p.outNs += d
}

// Time is the time the node spent itself (its calls minus the calls it
// made downstream); ok is false when the run was not timed.
func (n *node) Time() (d time.Duration, ok bool) {
	if n.timing == nil {
		return 0, false
	}
	return time.Duration(n.timing.inNs - n.timing.outNs), true
}
