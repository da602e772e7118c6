package plan

import (
	"fmt"
	"strings"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/window"
)

// rel is a planned relation: its columns, how to build its operators in
// front of a downstream operator, and how to describe itself for explain.
type rel interface {
	columns() []relCol
	build(b *builder, out operators.Operator) error
	describe(w *strings.Builder, depth int)
}

// builder holds what operators need at construction time.
type builder struct {
	r    *Running
	errs operators.ErrorSink
	ctx  eval.Ctx
	pump string
	part *part // the pump's part (nil: one goroutine runs everything)
}

func indent(w *strings.Builder, depth int, format string, args ...any) {
	w.WriteString(strings.Repeat("  ", depth))
	fmt.Fprintf(w, format, args...)
	w.WriteByte('\n')
}

// scanRel reads an in-application stream.
type scanRel struct {
	stream *Stream
	cols   []relCol
}

func (r *scanRel) columns() []relCol { return r.cols }
func (r *scanRel) build(b *builder, out operators.Operator) error {
	b.r.subscribe(r.stream.Name, out, b.part)
	return nil
}
func (r *scanRel) describe(w *strings.Builder, d int) {
	indent(w, d, "Scan %s", quoteName(r.stream.Name))
}

// selectRel filters and projects.
type selectRel struct {
	in    rel
	where eval.Func
	exprs []eval.Func // nil: pass-through
	cols  []relCol
	desc  string
}

func (r *selectRel) columns() []relCol { return r.cols }
func (r *selectRel) build(b *builder, out operators.Operator) error {
	if r.where == nil && r.exprs == nil {
		return r.in.build(b, out) // renames columns only
	}
	return r.in.build(b, b.node(out, func(out operators.Operator) operators.Operator {
		return &operators.Select{Where: r.where, Exprs: r.exprs, Out: out, Errors: b.errs, Pump: b.pump, Ctx: b.ctx}
	}))
}
func (r *selectRel) describe(w *strings.Builder, d int) {
	indent(w, d, "%s", r.desc)
	r.in.describe(w, d+1)
}

// refJoinRel joins a stream relation with a reference table.
type refJoinRel struct {
	in         rel
	table      *Table
	streamKeys []eval.Func
	tableKeys  []int
	residual   eval.Func
	left       bool
	cols       []relCol
	desc       string
}

func (r *refJoinRel) columns() []relCol { return r.cols }
func (r *refJoinRel) build(b *builder, out operators.Operator) error {
	rows, ok := b.r.tables[r.table.Name]
	if !ok {
		return fmt.Errorf("reference table %s has no data: bind it with --reference %s=FILE", quoteName(r.table.Name), r.table.Name)
	}
	return r.in.build(b, b.node(out, func(out operators.Operator) operators.Operator {
		op := &operators.RefJoin{Table: rows, StreamKeys: r.streamKeys, TableKeys: r.tableKeys, TableWidth: len(r.table.Columns),
			Residual: r.residual, Left: r.left, Out: out, Errors: b.errs, Pump: b.pump, Ctx: b.ctx}
		op.Build()
		b.r.addJoin(r.table.Name, op)
		return op
	}))
}
func (r *refJoinRel) describe(w *strings.Builder, d int) {
	indent(w, d, "%s", r.desc)
	r.in.describe(w, d+1)
	indent(w, d+1, "Table %s", quoteName(r.table.Name))
}

// aggRel is a tumbling-window GROUP BY.
type aggRel struct {
	in   rel
	cfg  window.TumblingConfig
	cols []relCol
	desc string
}

func (r *aggRel) columns() []relCol { return r.cols }
func (r *aggRel) build(b *builder, out operators.Operator) error {
	cfg := r.cfg
	cfg.Errors = b.errs
	cfg.Pump = b.pump
	return r.in.build(b, b.node(out, func(out operators.Operator) operators.Operator {
		return window.NewTumbling(cfg, out)
	}))
}
func (r *aggRel) describe(w *strings.Builder, d int) {
	indent(w, d, "%s", r.desc)
	r.in.describe(w, d+1)
}

// opRel is a relation computed by one operator over its input: make
// builds the operator feeding out.
type opRel struct {
	in   rel
	cols []relCol
	desc string
	make func(b *builder, out operators.Operator) operators.Operator
}

func (r *opRel) columns() []relCol { return r.cols }
func (r *opRel) build(b *builder, out operators.Operator) error {
	return r.in.build(b, b.node(out, func(out operators.Operator) operators.Operator {
		return r.make(b, out)
	}))
}
func (r *opRel) describe(w *strings.Builder, d int) {
	indent(w, d, "%s", r.desc)
	r.in.describe(w, d+1)
}

// unionRel merges its inputs in ROWTIME order (UNION ALL).
type unionRel struct {
	ins  []rel
	cols []relCol
}

func (r *unionRel) columns() []relCol { return r.cols }
func (r *unionRel) build(b *builder, out operators.Operator) error {
	n, op := b.add(out, func(out operators.Operator) any { return operators.NewMerge(out) })
	m := op.(*operators.Merge)
	inputs := make([]operators.Operator, len(r.ins))
	for i := range r.ins {
		inputs[i] = n.input(m.NewInput())
	}
	for i, in := range r.ins {
		if err := in.build(b, inputs[i]); err != nil {
			return err
		}
	}
	return nil
}
func (r *unionRel) describe(w *strings.Builder, d int) {
	indent(w, d, "UnionAll (merge by ROWTIME)")
	for _, in := range r.ins {
		in.describe(w, d+1)
	}
}
