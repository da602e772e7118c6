package parser

import "reflect"

// Inspect calls f for n and, while f returns true, for every node below it
// in source order: expressions, clauses, FROM items, window specs, CURSOR
// queries.
func Inspect(n Node, f func(Node) bool) {
	if isNil(n) || !f(n) {
		return
	}
	each := func(children ...Node) {
		for _, c := range children {
			Inspect(c, f)
		}
	}
	exprs := func(l []Expr) {
		for _, e := range l {
			Inspect(e, f)
		}
	}
	spec := func(w *WindowSpec) {
		if w != nil {
			Inspect(w, f)
		}
	}
	switch x := n.(type) {
	case *CreateStream:
		each(x.Name)
		for _, c := range x.Columns {
			Inspect(c, f)
		}
	case *ColumnDef:
		each(x.Name, x.Type)
	case *CreatePump:
		each(x.Name, x.Insert)
	case *Insert:
		each(x.Target)
		for _, c := range x.Columns {
			Inspect(c, f)
		}
		each(x.Query)
	case *QueryStmt:
		each(x.Query)
	case *Select:
		for _, it := range x.Items {
			Inspect(it, f)
		}
		for _, fi := range x.From {
			Inspect(fi, f)
		}
		each(x.Where)
		exprs(x.GroupBy)
		if x.Stagger != nil {
			Inspect(x.Stagger, f)
		}
		each(x.Having)
		for _, w := range x.Windows {
			spec(w.Spec)
		}
		for _, o := range x.OrderBy {
			each(o.X)
		}
	case *Union:
		each(x.Left, x.Right)
		for _, o := range x.OrderBy {
			each(o.X)
		}
	case *SelectItem:
		each(x.Expr)
	case *Stagger:
		exprs(x.PartitionBy)
		each(x.Range)
	case *WindowSpec:
		exprs(x.PartitionBy)
		for _, o := range x.OrderBy {
			each(o.X)
		}
		if x.Frame != nil {
			each(x.Frame.Start.Offset)
			if x.Frame.End != nil {
				each(x.Frame.End.Offset)
			}
		}
	case *TableRef:
		spec(x.Over)
	case *SubqueryRef:
		each(x.Query)
	case *TableFunc:
		each(x.Call)
	case *Join:
		each(x.Left, x.Right, x.On)
	case *ColumnRef:
		for _, p := range x.Parts {
			Inspect(p, f)
		}
	case *IntervalQualifier:
		each(x.X)
	case *BinaryExpr:
		each(x.X, x.Y)
	case *UnaryExpr:
		each(x.X)
	case *ParenExpr:
		each(x.X)
	case *RowExpr:
		exprs(x.Items)
	case *IsExpr:
		each(x.X)
	case *DistinctFrom:
		each(x.X, x.Y)
	case *LikeExpr:
		each(x.X, x.Pattern, x.Escape)
	case *InExpr:
		each(x.X)
		exprs(x.List)
		if x.Query != nil {
			each(x.Query)
		}
	case *BetweenExpr:
		each(x.X, x.Lo, x.Hi)
	case *CaseExpr:
		each(x.Operand)
		for _, w := range x.Whens {
			each(w.Cond, w.Result)
		}
		each(x.Else)
	case *CastExpr:
		each(x.X)
	case *FloorCeil:
		each(x.X)
	case *StepExpr:
		each(x.X, x.By)
	case *ExtractExpr:
		each(x.X)
	case *PositionExpr:
		each(x.Sub, x.X, x.From)
	case *SubstringExpr:
		each(x.X, x.From, x.For, x.Similar, x.Escape)
	case *TrimExpr:
		each(x.Chars, x.X)
	case *OverlayExpr:
		each(x.X, x.Repl, x.From, x.For)
	case *FuncCall:
		exprs(x.Args)
		spec(x.Over)
	case *CursorExpr:
		each(x.Query)
	case *ExistsExpr:
		each(x.Query)
	case *FieldAccess:
		each(x.X)
	}
}

// isNil catches nil interfaces and typed nil pointers.
func isNil(n Node) bool {
	if n == nil {
		return true
	}
	v := reflect.ValueOf(n)
	return v.Kind() == reflect.Pointer && v.IsNil()
}
