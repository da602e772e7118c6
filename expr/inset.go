package expr

import (
	"sync/atomic"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// SubqueryScope is a Scope that can plan the subquery of x IN (SELECT ...):
// the planner answers with a set over a reference table that the run fills
// (docs/semantics.md: IN with a subquery).
type SubqueryScope interface {
	Scope
	InSubquery(x *parser.InExpr) (*InSet, error)
}

// InSet holds the values a subquery of x IN (SELECT ...) returns. The
// planner creates it with the subquery column's type; the running plan
// fills it when it starts and again whenever the table is replaced, while
// no row is being evaluated.
type InSet struct {
	Type  value.Type // the subquery column's type
	float bool       // numbers compare as DOUBLE (one side is REAL or DOUBLE)
	cur   atomic.Pointer[inSetData]
}

type inSetData struct {
	keys    map[string]struct{}
	hasNull bool
}

// Fill replaces the set's values.
func (s *InSet) Fill(vals []value.Value) {
	d := &inSetData{keys: make(map[string]struct{}, len(vals))}
	var buf []byte
	for _, v := range vals {
		if v.K == value.KNull {
			d.hasNull = true
			continue
		}
		buf = s.key(buf[:0], v)
		d.keys[string(buf)] = struct{}{}
	}
	s.cur.Store(d)
}

// key encodes v so that values comparing equal encode alike: AppendKey
// already folds integers and decimals of equal value; a REAL or DOUBLE on
// either side makes both compare as DOUBLE.
func (s *InSet) key(buf []byte, v value.Value) []byte {
	if s.float && v.K != value.KFloat {
		v = value.NewFloat(v.Float64())
	}
	return value.AppendKey(buf, v)
}

// lookup is x IN (set) for a non-NULL x: TRUE when present; else NULL when
// the set holds a NULL, FALSE otherwise (an unfilled set is empty).
func (s *InSet) lookup(buf []byte, v value.Value) (value.Value, []byte) {
	d := s.cur.Load()
	if d == nil {
		return value.NewBool(false), buf
	}
	buf = s.key(buf[:0], v)
	if _, ok := d.keys[string(buf)]; ok {
		return value.NewBool(true), buf
	}
	if d.hasNull {
		return value.Null, buf
	}
	return value.NewBool(false), buf
}

// empty reports whether the set holds no row at all (x IN an empty set is
// FALSE even for a NULL x).
func (s *InSet) empty() bool {
	d := s.cur.Load()
	return d == nil || (len(d.keys) == 0 && !d.hasNull)
}

// inSubquery compiles x [NOT] IN (SELECT ...) against a set the scope plans.
func inSubquery(x *parser.InExpr, sc Scope) (*Compiled, error) {
	ss, ok := sc.(SubqueryScope)
	if !ok {
		return nil, errorf(x.Query, "a subquery in IN is not allowed here")
	}
	a, err := compile(x.X, sc)
	if err != nil {
		return nil, err
	}
	set, err := ss.InSubquery(x)
	if err != nil {
		return nil, err
	}
	if _, ok := value.Common(a.Type, set.Type); !ok {
		return nil, errorf(x.X, "cannot compare %s with %s in IN", a.Type, set.Type)
	}
	isFloat := func(t value.Type) bool { return t.Base == value.TReal || t.Base == value.TDouble }
	set.float = a.Type.IsNumeric() && set.Type.IsNumeric() && (isFloat(a.Type) || isFloat(set.Type))
	fa, not := a.Eval, x.Not
	var buf []byte
	return boolFunc(func(c *eval.Ctx, row []value.Value) value.Value {
		v := fa(c, row)
		if v.K == value.KNull {
			if set.empty() {
				return value.NewBool(not)
			}
			return v
		}
		var r value.Value
		r, buf = set.lookup(buf, v)
		if not && r.K != value.KNull {
			r = value.NewBool(!r.Bool())
		}
		return r
	}), nil
}
