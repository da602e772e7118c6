package operators

import "math"

// Merge is the fan-in point of an in-application stream written by several
// pumps. Each producer pushes into its own Input; Merge releases rows in
// ROWTIME order once every producer's bound has passed them, so the stream
// stays non-decreasing in ROWTIME however its producers interleave.
type Merge struct {
	Out    Operator
	inputs []*MergeInput
	out    *Emitter // created at the first row, whose width it takes
}

// MergeInput is one producer's side of a Merge.
type MergeInput struct {
	m     *Merge
	bound int64
	q     *Batch // rows waiting for the other producers' bounds
	head  int    // first unreleased row of q
}

// NewMerge creates a merge feeding out.
func NewMerge(out Operator) *Merge { return &Merge{Out: out} }

// NewInput adds a producer. All inputs must be added before rows flow.
func (m *Merge) NewInput() *MergeInput {
	in := &MergeInput{m: m, bound: math.MinInt64}
	m.inputs = append(m.inputs, in)
	return in
}

// Push queues rows (or passes them straight on when there is one producer).
func (in *MergeInput) Push(b *Batch) {
	m := in.m
	if b.Len() == 0 {
		return
	}
	m.emitter(b.Width)
	if len(m.inputs) == 1 {
		m.out.Forward(b)
		return
	}
	if in.q == nil {
		in.q = NewBatch(b.Width, b.Len())
	}
	in.q.Vals = append(in.q.Vals, b.Vals...)
	in.q.Times = append(in.q.Times, b.Times...)
	if last := b.Times[b.Len()-1]; last > in.bound {
		in.bound = last
	}
	m.release()
}

// Advance records the producer's bound and releases what it allows.
func (in *MergeInput) Advance(t int64) {
	if t > in.bound {
		in.bound = t
	}
	m := in.m
	if len(m.inputs) == 1 {
		m.emitter(0).Advance(t)
		return
	}
	m.release()
}

func (m *Merge) emitter(width int) *Emitter { return emitterFor(&m.out, m.Out, width, 0) }

// release emits, in ROWTIME order, every queued row at or below the lowest
// producer bound, then forwards that bound.
func (m *Merge) release() {
	low := int64(math.MaxInt64)
	for _, in := range m.inputs {
		if in.bound < low {
			low = in.bound
		}
	}
	for {
		var best *MergeInput
		for _, in := range m.inputs {
			if in.q == nil || in.head >= in.q.Len() {
				continue
			}
			t := in.q.Times[in.head]
			if t > low {
				continue
			}
			if best == nil || t < best.q.Times[best.head] {
				best = in
			}
		}
		if best == nil {
			break
		}
		out := m.emitter(best.q.Width)
		out.Append(best.q.Times[best.head], best.q.Row(best.head))
		best.head++
		if out.Len() >= 1024 {
			out.Flush()
		}
	}
	for _, in := range m.inputs {
		if in.q != nil && in.head == in.q.Len() {
			in.q.Reset()
			in.head = 0
		}
	}
	m.emitter(0).Advance(low)
}
