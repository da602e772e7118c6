package operators

// Tee sends every batch and bound to each of its outputs in order. It is
// the fan-out point of an in-application stream read by several pumps.
type Tee struct {
	Outs []Operator
}

func (t *Tee) Push(b *Batch) {
	for _, o := range t.Outs {
		o.Push(b)
	}
}

func (t *Tee) Advance(ts int64) {
	for _, o := range t.Outs {
		o.Advance(ts)
	}
}

// Discard accepts and drops everything: the reader of a stream nobody reads.
type Discard struct{}

func (Discard) Push(*Batch)   {}
func (Discard) Advance(int64) {}
