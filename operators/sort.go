package operators

import (
	"sort"

	"github.com/streamsql/streamsql/value"
)

// Sort is ORDER BY on a stream. Its rows carry their sort keys in the
// last len(Desc) columns; Key is the index of the leading key among them,
// a time-based or monotonic expression. Rows are collected while the
// leading key keeps its value; when it changes (or a bound passes it, for
// a key that is a function of ROWTIME), the batch is emitted sorted by
// the keys, without the key columns, every row with the ROWTIME of the
// batch's latest row so that ROWTIME stays non-decreasing.
type Sort struct {
	Width int    // output width (without the key columns)
	Desc  []bool // per key, in ORDER BY order; key 0 is the leading key
	// LeadAt gives the leading key at a bound; nil when the key is not a
	// function of ROWTIME (then only a new key or the end closes a batch).
	LeadAt func(t int64) value.Value
	Out    Operator

	rows  *Batch
	have  bool
	lead  value.Value
	last  int64
	out   *Emitter
	order []int
}

// Init prepares the operator.
func (s *Sort) Init() {
	s.rows = NewBatch(s.Width+len(s.Desc), 64)
	s.out = NewEmitter(s.Out, s.Width)
}

func (s *Sort) Push(b *Batch) {
	for i := 0; i < b.Len(); i++ {
		r := b.Row(i)
		k := r[s.Width]
		if s.have && !value.Identical(k, s.lead) {
			s.emit()
		}
		if !s.have {
			s.have, s.lead = true, k
		}
		s.rows.Append(b.Times[i], r)
		s.last = b.Times[i]
	}
	s.out.Flush()
}

func (s *Sort) Advance(t int64) {
	if s.have {
		closes := t == EndOfTime
		if !closes && s.LeadAt != nil {
			if c, ok := value.Compare(s.LeadAt(t), s.lead); ok && c > 0 {
				closes = true
			}
		}
		if closes {
			s.emit()
		}
	}
	// Held rows come out at their batch's latest ROWTIME, at least the first's.
	s.out.Advance(heldBound(t, s.have, s.rows.Times))
}

// heldBound is bound t held back to the first held row's ROWTIME while an
// operator holds rows it will emit at that ROWTIME or later.
func heldBound(t int64, holding bool, held []int64) int64 {
	if holding && len(held) > 0 && held[0] < t {
		return held[0]
	}
	return t
}

func (s *Sort) emit() {
	n := s.rows.Len()
	s.order = s.order[:0]
	for i := 0; i < n; i++ {
		s.order = append(s.order, i)
	}
	sort.SliceStable(s.order, func(a, b int) bool {
		ra, rb := s.rows.Row(s.order[a]), s.rows.Row(s.order[b])
		for k, desc := range s.Desc {
			c := compareNullsLow(ra[s.Width+k], rb[s.Width+k])
			if c == 0 {
				continue
			}
			if desc {
				return c > 0
			}
			return c < 0
		}
		return false
	})
	for _, i := range s.order {
		s.out.Append(s.last, s.rows.Row(i)[:s.Width])
	}
	s.rows.Reset()
	s.have = false
}

func compareNullsLow(a, b value.Value) int {
	an, bn := a.K == value.KNull, b.K == value.KNull
	switch {
	case an && bn:
		return 0
	case an:
		return -1
	case bn:
		return 1
	}
	c, _ := value.Compare(a, b)
	return c
}
