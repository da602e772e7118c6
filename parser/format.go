package parser

import (
	"encoding/hex"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Format prints an AST node (or a *Script, or a clause such as a
// *WindowDef or *OrderItem) back as SQL. Parsing the text gives the same
// tree again, positions aside (and the quotes of a name that reads the
// same without them). Operands are parenthesized by the precedence table
// the parser climbs, so a tree built by hand prints as it is structured.
func Format(n any) string {
	var w printer
	w.node(n)
	return w.String()
}

type printer struct{ strings.Builder }

func (w *printer) node(n any) {
	switch x := n.(type) {
	case nil:
	case Stmt:
		w.stmt(x)
	case Query:
		w.query(x)
	case FromItem:
		w.from(x)
	case Expr:
		w.expr(x, PrecLowest)
	case *TypeName:
		w.typeName(x)
	case *ColumnDef:
		w.columnDef(x)
	case *SelectItem:
		w.selectItem(x)
	case *WindowSpec:
		w.windowSpec(x)
	case *WindowDef:
		w.ident(x.Name)
		w.WriteString(" AS ")
		w.windowSpec(x.Spec)
	case *Stagger:
		w.stagger(x)
	case *OrderItem:
		w.orderItem(x)
	case *When:
		w.form("WHEN ", x.Cond, " THEN ", x.Result)
	case *Script:
		for _, st := range x.Stmts {
			w.stmt(st)
			w.WriteString(";\n")
		}
	}
}

// printKeywords are the words a quoted name keeps its quotes for even when
// it is upper case: the reserved words and the words the grammar reads by
// context (STREAM after SELECT, FLOOR( and the other special forms, the
// niladic functions, units, frame and call modifiers).
var printKeywords = func() map[string]bool {
	m := map[string]bool{}
	for k := range reserved {
		m[k] = true
	}
	for k := range niladic {
		m[k] = true
	}
	for k := range unitNames {
		m[k] = true
	}
	for _, k := range strings.Fields(`STREAM PUMP REPLACE FUNCTION DESCRIPTION STOPPED STAGGER NATURAL
		DATE TIME TIMESTAMP FLOOR CEIL CEILING STEP EXTRACT POSITION SUBSTRING TRIM OVERLAY
		IGNORE RESPECT NULLS FIRST LAST CURRENT ROW UNBOUNDED SYMMETRIC ASYMMETRIC TO FOR PLACING
		BOTH LEADING TRAILING PRECISION VARYING`) {
		m[k] = true
	}
	return m
}()

// bare reports whether name scans back as itself without quotes.
func bare(name string) bool {
	if name == "" || strings.ToUpper(name) != name {
		return false
	}
	for i, r := range name {
		if r == utf8.RuneError {
			return false
		}
		if !isLetter(r) && (i == 0 || !unicode.IsDigit(r) && r != '$') {
			return false
		}
	}
	return true
}

func (w *printer) ident(id *Ident) {
	if bare(id.Name) && !(printKeywords[id.Name] && (id.Quoted || reserved[id.Name])) {
		w.WriteString(id.Name)
		return
	}
	w.WriteString(`"` + strings.ReplaceAll(id.Name, `"`, `""`) + `"`)
}

// list prints the elements of l separated by commas.
func list[T any](w *printer, l []T, each func(T)) {
	for i, x := range l {
		if i > 0 {
			w.WriteString(", ")
		}
		each(x)
	}
}

func (w *printer) idents(l []*Ident) { list(w, l, w.ident) }

func (w *printer) description(d *StringLit) {
	if d != nil {
		w.WriteString(" DESCRIPTION ")
		w.str(d.Value)
	}
}

func (w *printer) str(s string) {
	w.WriteString("'" + strings.ReplaceAll(s, "'", "''") + "'")
}

// ---- statements ----

func (w *printer) stmt(s Stmt) {
	switch x := s.(type) {
	case *CreateStream:
		w.create(x.OrReplace, "STREAM", x.Name)
		w.WriteString(" (")
		list(w, x.Columns, w.columnDef)
		w.WriteString(")")
		w.description(x.Description)
	case *CreatePump:
		w.create(x.OrReplace, "PUMP", x.Name)
		if x.Stopped {
			w.WriteString(" STOPPED")
		}
		w.description(x.Description)
		w.WriteString(" AS ")
		w.stmt(x.Insert)
	case *Insert:
		w.WriteString("INSERT INTO ")
		w.ident(x.Target)
		if len(x.Columns) > 0 {
			w.WriteString(" (")
			w.idents(x.Columns)
			w.WriteString(")")
		}
		w.WriteString(" ")
		w.query(x.Query)
	case *CreateFunction:
		// Only the name is kept: the body is not supported.
		w.WriteString("CREATE FUNCTION ")
		w.ident(x.Name)
	case *QueryStmt:
		w.query(x.Query)
	}
}

func (w *printer) create(orReplace bool, what string, name *Ident) {
	w.WriteString("CREATE ")
	if orReplace {
		w.WriteString("OR REPLACE ")
	}
	w.WriteString(what + " ")
	w.ident(name)
}

func (w *printer) columnDef(c *ColumnDef) {
	w.ident(c.Name)
	w.WriteString(" ")
	w.typeName(c.Type)
	if c.NotNull {
		w.WriteString(" NOT NULL")
	}
}

func (w *printer) typeName(t *TypeName) {
	w.WriteString(t.Name)
	if t.Name == "INTERVAL" {
		w.WriteString(" " + t.From.String())
		if t.To != UnitNone {
			w.WriteString(" TO " + t.To.String())
		}
		return
	}
	if len(t.Args) > 0 {
		w.WriteString("(")
		list(w, t.Args, func(a int) { w.WriteString(strconv.Itoa(a)) })
		w.WriteString(")")
	}
}

// ---- queries ----

func (w *printer) query(q Query) {
	switch x := q.(type) {
	case *Select:
		w.selectBlock(x)
	case *Union:
		w.unionTerm(x.Left, false)
		w.WriteString(" UNION ")
		if x.All {
			w.WriteString("ALL ")
		}
		w.unionTerm(x.Right, true)
		w.orderBy(x.OrderBy)
	}
}

// unionTerm parenthesizes an arm of a UNION that has its own ORDER BY, and
// a UNION on the right (UNION groups to the left).
func (w *printer) unionTerm(q Query, right bool) {
	paren := false
	switch x := q.(type) {
	case *Select:
		paren = len(x.OrderBy) > 0
	case *Union:
		paren = right || len(x.OrderBy) > 0
	}
	if paren {
		w.WriteString("(")
	}
	w.query(q)
	if paren {
		w.WriteString(")")
	}
}

func (w *printer) selectBlock(s *Select) {
	w.WriteString("SELECT ")
	if s.Stream {
		w.WriteString("STREAM ")
	}
	if s.Distinct {
		w.WriteString("DISTINCT ")
	}
	list(w, s.Items, w.selectItem)
	w.WriteString(" FROM ")
	list(w, s.From, w.from)
	if s.Where != nil {
		w.WriteString(" WHERE ")
		w.expr(s.Where, PrecLowest)
	}
	if len(s.GroupBy) > 0 {
		w.WriteString(" GROUP BY ")
		w.exprs(s.GroupBy)
	}
	if s.Stagger != nil {
		w.WriteString(" ")
		w.stagger(s.Stagger)
	}
	if s.Having != nil {
		w.WriteString(" HAVING ")
		w.expr(s.Having, PrecLowest)
	}
	for i, d := range s.Windows {
		if i == 0 {
			w.WriteString(" WINDOW ")
		} else {
			w.WriteString(", ")
		}
		w.node(d)
	}
	w.orderBy(s.OrderBy)
}

func (w *printer) stagger(st *Stagger) {
	w.WriteString("WINDOWED BY STAGGER (PARTITION BY ")
	w.exprs(st.PartitionBy)
	w.WriteString(" RANGE ")
	w.expr(st.Range, PrecLowest)
	w.WriteString(")")
}

func (w *printer) selectItem(it *SelectItem) {
	switch {
	case it.Star && it.Qualifier != nil:
		w.ident(it.Qualifier)
		w.WriteString(".*")
	case it.Star:
		w.WriteString("*")
	default:
		w.expr(it.Expr, PrecLowest)
		if it.Alias != nil {
			w.WriteString(" AS ")
			w.ident(it.Alias)
		}
	}
}

func (w *printer) orderBy(items []*OrderItem) {
	for i, o := range items {
		if i == 0 {
			w.WriteString(" ORDER BY ")
		} else {
			w.WriteString(", ")
		}
		w.orderItem(o)
	}
}

func (w *printer) orderItem(o *OrderItem) {
	w.expr(o.X, PrecLowest)
	if o.Desc {
		w.WriteString(" DESC")
	}
}

func (w *printer) from(f FromItem) {
	switch x := f.(type) {
	case *TableRef:
		w.ident(x.Name)
		w.over(x.Over, x.OverName)
		w.alias(x.Alias, nil)
	case *SubqueryRef:
		w.form("(", x.Query, ")")
		w.alias(x.Alias, x.ColAliases)
	case *TableFunc:
		w.form("TABLE(", x.Call, ")")
		w.alias(x.Alias, x.ColAliases)
	case *Join:
		w.from(x.Left)
		switch x.Kind {
		case JoinInner:
			w.WriteString(" JOIN ")
		default:
			w.WriteString(" " + x.Kind.String() + " JOIN ")
		}
		w.from(x.Right)
		if x.On != nil {
			w.WriteString(" ON ")
			w.expr(x.On, PrecLowest)
		}
	}
}

func (w *printer) alias(a *Ident, cols []*Ident) {
	if a != nil {
		w.WriteString(" AS ")
		w.ident(a)
	}
	if len(cols) > 0 {
		w.WriteString(" (")
		w.idents(cols)
		w.WriteString(")")
	}
}

// over prints OVER (spec) or OVER name, when either is set.
func (w *printer) over(spec *WindowSpec, name *Ident) {
	switch {
	case spec != nil:
		w.WriteString(" OVER ")
		w.windowSpec(spec)
	case name != nil:
		w.WriteString(" OVER ")
		w.ident(name)
	}
}

func (w *printer) windowSpec(s *WindowSpec) {
	w.WriteString("(")
	sep := ""
	if s.Base != nil {
		w.ident(s.Base)
		sep = " "
	}
	if len(s.PartitionBy) > 0 {
		w.WriteString(sep + "PARTITION BY ")
		w.exprs(s.PartitionBy)
		sep = " "
	}
	if len(s.OrderBy) > 0 {
		w.WriteString(sep)
		w.orderBy(s.OrderBy)
		sep = " "
	}
	if f := s.Frame; f != nil {
		w.WriteString(sep)
		if f.Kind == FrameRows {
			w.WriteString("ROWS ")
		} else {
			w.WriteString("RANGE ")
		}
		if f.End != nil {
			w.WriteString("BETWEEN ")
			w.bound(f.Start)
			w.WriteString(" AND ")
			w.bound(*f.End)
		} else {
			w.bound(f.Start)
		}
	}
	w.WriteString(")")
}

func (w *printer) bound(b FrameBound) {
	switch b.Kind {
	case BoundCurrentRow:
		w.WriteString("CURRENT ROW")
	case BoundUnboundedPreceding:
		w.WriteString("UNBOUNDED PRECEDING")
	case BoundUnboundedFollowing:
		w.WriteString("UNBOUNDED FOLLOWING")
	case BoundPreceding, BoundFollowing:
		w.expr(b.Offset, PrecUnary)
		if b.Kind == BoundPreceding {
			w.WriteString(" PRECEDING")
		} else {
			w.WriteString(" FOLLOWING")
		}
	}
}

// ---- expressions ----

func (w *printer) exprs(l []Expr) { list(w, l, func(e Expr) { w.expr(e, PrecLowest) }) }

// expr prints e where its place needs an expression binding at least as
// tightly as min, in parentheses when it binds less tightly.
func (w *printer) expr(e Expr, min Prec) {
	if Precedence(e) < min {
		w.WriteString("(")
		w.expr(e, PrecLowest)
		w.WriteString(")")
		return
	}
	switch x := e.(type) {
	case *Ident:
		w.ident(x)
	case *ColumnRef:
		for i, p := range x.Parts {
			if i > 0 {
				w.WriteString(".")
			}
			w.ident(p)
		}
	case *NumberLit:
		w.WriteString(x.Raw)
	case *StringLit:
		w.str(x.Value)
	case *BinaryLit:
		w.WriteString("X'" + strings.ToUpper(hex.EncodeToString([]byte(x.Value))) + "'")
	case *BoolLit:
		switch {
		case x.Unknown:
			w.WriteString("UNKNOWN")
		case x.Value:
			w.WriteString("TRUE")
		default:
			w.WriteString("FALSE")
		}
	case *NullLit:
		w.WriteString("NULL")
	case *DatetimeLit:
		w.WriteString(x.Kind + " ")
		w.str(x.Value)
	case *IntervalLit:
		w.WriteString("INTERVAL ")
		if x.Negative {
			w.WriteString("-")
		}
		w.str(x.Value)
		w.qualifier(x.From, x.FromPrec, x.To, x.ToPrec)
	case *IntervalQualifier:
		w.form("(", x.X, ")")
		w.qualifier(x.From, x.FromPrec, x.To, x.ToPrec)
	case *BinaryExpr:
		q := x.Op.Precedence()
		w.expr(x.X, q)
		w.WriteString(" " + x.Op.String() + " ")
		w.expr(x.Y, q+1)
	case *UnaryExpr:
		w.unary(x)
	case *ParenExpr:
		w.WriteString("(")
		w.expr(x.X, PrecLowest)
		w.WriteString(")")
	case *RowExpr:
		w.WriteString("(")
		w.exprs(x.Items)
		w.WriteString(")")
	case *IsExpr:
		w.expr(x.X, PrecCompare)
		w.WriteString(" IS ")
		if x.Not {
			w.WriteString("NOT ")
		}
		w.WriteString([...]string{"NULL", "TRUE", "FALSE", "UNKNOWN"}[x.What])
	case *DistinctFrom:
		w.expr(x.X, PrecCompare)
		w.WriteString(" IS ")
		if x.Not {
			w.WriteString("NOT ")
		}
		w.WriteString("DISTINCT FROM ")
		w.expr(x.Y, PrecConcat)
	case *LikeExpr:
		w.expr(x.X, PrecCompare)
		w.not(x.Not)
		if x.Similar {
			w.WriteString(" SIMILAR TO ")
		} else {
			w.WriteString(" LIKE ")
		}
		w.expr(x.Pattern, PrecConcat)
		if x.Escape != nil {
			w.WriteString(" ESCAPE ")
			w.expr(x.Escape, PrecConcat)
		}
	case *InExpr:
		w.expr(x.X, PrecCompare)
		w.not(x.Not)
		w.WriteString(" IN (")
		if x.Query != nil {
			w.query(x.Query)
		} else {
			w.exprs(x.List)
		}
		w.WriteString(")")
	case *BetweenExpr:
		w.expr(x.X, PrecCompare)
		w.not(x.Not)
		w.WriteString(" BETWEEN ")
		if x.Symmetric {
			w.WriteString("SYMMETRIC ")
		}
		w.expr(x.Lo, PrecConcat)
		w.WriteString(" AND ")
		w.expr(x.Hi, PrecConcat)
	case *CaseExpr:
		w.WriteString("CASE")
		if x.Operand != nil {
			w.WriteString(" ")
			w.expr(x.Operand, PrecLowest)
		}
		for _, wh := range x.Whens {
			w.WriteString(" ")
			w.node(wh)
		}
		if x.Else != nil {
			w.WriteString(" ELSE ")
			w.expr(x.Else, PrecLowest)
		}
		w.WriteString(" END")
	case *CastExpr:
		w.form("CAST(", x.X, " AS ", x.Type, ")")
	case *FloorCeil:
		fn := "FLOOR("
		if x.Ceil {
			fn = "CEIL("
		}
		w.form(fn, x.X, " TO "+x.Unit.String()+")")
	case *StepExpr:
		w.form("STEP(", x.X, " BY ", x.By, ")")
	case *ExtractExpr:
		w.form("EXTRACT("+x.Unit.String()+" FROM ", x.X, ")")
	case *PositionExpr:
		w.WriteString("POSITION(")
		w.expr(x.Sub, PrecConcat)
		w.WriteString(" IN ")
		w.expr(x.X, PrecConcat)
		w.optional(" FROM ", x.From)
		w.WriteString(")")
	case *SubstringExpr:
		w.substring(x)
	case *TrimExpr:
		w.WriteString("TRIM(")
		if x.Side != TrimBoth || x.Chars != nil {
			switch x.Side {
			case TrimLeading:
				w.WriteString("LEADING ")
			case TrimTrailing:
				w.WriteString("TRAILING ")
			}
			if x.Chars != nil {
				w.expr(x.Chars, PrecLowest)
				w.WriteString(" ")
			}
			w.WriteString("FROM ")
		}
		w.expr(x.X, PrecLowest)
		w.WriteString(")")
	case *OverlayExpr:
		w.form("OVERLAY(", x.X, " PLACING ", x.Repl, " FROM ", x.From)
		w.optional(" FOR ", x.For)
		w.WriteString(")")
	case *FuncCall:
		w.call(x)
	case *CursorExpr:
		w.form("CURSOR(", x.Query, ")")
	case *ExistsExpr:
		w.form("EXISTS (", x.Query, ")")
	case *FieldAccess:
		switch x.X.(type) {
		case *ParenExpr, *FieldAccess:
			w.expr(x.X, PrecLowest)
		default: // the grammar reads a field only after parentheses
			w.WriteString("(")
			w.expr(x.X, PrecLowest)
			w.WriteString(")")
		}
		w.WriteString(".")
		w.ident(x.Field)
	}
}

// form prints a keyword form: strings as they are, expressions whole
// (they sit between keywords or parentheses), types and queries.
func (w *printer) form(parts ...any) {
	for _, part := range parts {
		switch x := part.(type) {
		case string:
			w.WriteString(x)
		case Expr:
			w.expr(x, PrecLowest)
		case *TypeName:
			w.typeName(x)
		case Query:
			w.query(x)
		}
	}
}

// qualifier prints an interval qualifier: unit [(p)] [TO unit [(p)]].
func (w *printer) qualifier(from TimeUnit, fromPrec int, to TimeUnit, toPrec int) {
	w.unit(from, fromPrec)
	if to != UnitNone {
		w.WriteString(" TO")
		w.unit(to, toPrec)
	}
}

func (w *printer) unit(u TimeUnit, prec int) {
	w.WriteString(" " + u.String())
	if prec >= 0 {
		w.WriteString("(" + strconv.Itoa(prec) + ")")
	}
}

func (w *printer) not(not bool) {
	if not {
		w.WriteString(" NOT")
	}
}

func (w *printer) optional(word string, e Expr) {
	if e != nil {
		w.WriteString(word)
		w.expr(e, PrecLowest)
	}
}

func (w *printer) unary(x *UnaryExpr) {
	if x.Op == OpNot {
		w.WriteString("NOT ")
		w.expr(x.X, PrecNot)
		return
	}
	w.WriteString(x.Op.String())
	// "--" would start a comment: keep a space between signs.
	var inner printer
	inner.expr(x.X, PrecUnary)
	if s := inner.String(); strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		w.WriteString(" ")
	}
	w.WriteString(inner.String())
}

func (w *printer) substring(x *SubstringExpr) {
	w.WriteString("SUBSTRING(")
	w.expr(x.X, PrecConcat)
	switch {
	case x.Comma:
		w.WriteString(", ")
		w.expr(x.From, PrecLowest)
		if x.For != nil {
			w.WriteString(", ")
			w.expr(x.For, PrecLowest)
		}
	case x.Similar != nil:
		w.optional(" SIMILAR ", x.Similar)
		w.optional(" ESCAPE ", x.Escape)
	case x.From != nil:
		w.optional(" FROM ", x.From)
		w.optional(" FOR ", x.For)
	}
	w.WriteString(")")
}

func (w *printer) call(x *FuncCall) {
	w.ident(x.Name)
	if x.NoParens {
		return
	}
	w.WriteString("(")
	switch {
	case x.Star:
		w.WriteString("*")
	default:
		if x.Distinct {
			w.WriteString("DISTINCT ")
		}
		w.exprs(x.Args)
	}
	w.WriteString(")")
	if x.FromLast {
		w.WriteString(" FROM LAST")
	}
	switch x.Nulls {
	case NullsIgnore:
		w.WriteString(" IGNORE NULLS")
	case NullsRespect:
		w.WriteString(" RESPECT NULLS")
	}
	w.over(x.Over, x.OverName)
}
