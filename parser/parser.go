package parser

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// parser is a recursive-descent parser with one method per production and
// precedence climbing for binary operators.
type parser struct {
	file *File
	sc   scanner
	errs ErrorList
	t    tok // current token
	la   []tok
	// depth counts the nesting of the expression or query being parsed:
	// parentheses, subqueries, unary operators and each operator of a
	// chain (a + b + c is a tree as deep as it has operators).
	depth int
}

// MaxDepth bounds how deeply expressions and queries nest. Later stages
// (planning, compiling, evaluating) walk the tree recursively; past this
// bound the script is refused with a positioned error instead of
// exhausting the stack. Hand-written and generated SQL stays far below it
// (a chain of ten thousand ORs would reach it).
const MaxDepth = 10000

// enter goes one level deeper; leave (or the statement's recovery) comes
// back.
func (p *parser) enter() {
	p.depth++
	if p.depth > MaxDepth {
		p.fail(p.t.pos, "expression nested too deeply: more than %d levels of parentheses, operators or subqueries", MaxDepth)
	}
}

func (p *parser) leave(n int) { p.depth -= n }

// bailout unwinds to the statement loop after an error.
type bailout struct{}

func newParser(filename, src string, line int) *parser {
	p := &parser{file: NewFileAt(filename, src, line)}
	p.sc = scanner{file: p.file, src: src, errs: &p.errs}
	if strings.HasPrefix(src, "\ufeff") {
		p.sc.off = len("\ufeff") // a byte order mark, as editors on Windows save files
	}
	p.next()
	return p
}

func (p *parser) next() {
	if len(p.la) > 0 {
		p.t, p.la = p.la[0], p.la[1:]
		return
	}
	p.t = p.sc.next()
	if p.t.kind == ILLEGAL {
		p.errs.Add(p.file, p.t.pos, "unexpected character %q", p.t.lit)
		p.t = p.sc.next()
	}
}

// peek returns the token n ahead of the current one (1 = next).
func (p *parser) peek(n int) tok {
	for len(p.la) < n {
		t := p.sc.next()
		for t.kind == ILLEGAL {
			p.errs.Add(p.file, t.pos, "unexpected character %q", t.lit)
			t = p.sc.next()
		}
		p.la = append(p.la, t)
	}
	return p.la[n-1]
}

func (p *parser) fail(pos Pos, format string, args ...any) {
	p.errs.Add(p.file, pos, format, args...)
	panic(bailout{})
}

func describe(t tok) string {
	switch t.kind {
	case EOF:
		return "end of input"
	case IDENT:
		if t.quoted {
			return `"` + t.lit + `"`
		}
		return t.lit
	case STRING:
		return "'" + t.lit + "'"
	}
	if t.raw != "" {
		return fmt.Sprintf("%q", t.raw)
	}
	return t.lit
}

func (p *parser) errorExpected(what string) {
	p.fail(p.t.pos, "expected %s, found %s", what, describe(p.t))
}

// isKw reports whether the current token is the unquoted keyword kw.
func (p *parser) isKw(kw string) bool { return p.t.kind == IDENT && !p.t.quoted && p.t.lit == kw }

func isKwTok(t tok, kw string) bool { return t.kind == IDENT && !t.quoted && t.lit == kw }

func (p *parser) gotKw(kw string) bool {
	if p.isKw(kw) {
		p.next()
		return true
	}
	return false
}

func (p *parser) expectKw(kw string) Pos {
	pos := p.t.pos
	if !p.isKw(kw) {
		p.errorExpected(kw)
	}
	p.next()
	return pos
}

func (p *parser) isOp(op string) bool { return p.t.kind == OP && p.t.lit == op }

func (p *parser) gotOp(op string) bool {
	if p.isOp(op) {
		p.next()
		return true
	}
	return false
}

func (p *parser) expectOp(op, context string) Pos {
	pos := p.t.pos
	if !p.isOp(op) {
		what := fmt.Sprintf("%q", op)
		if context != "" {
			what += " " + context
		}
		p.errorExpected(what)
	}
	p.next()
	return pos
}

// reserved words cannot be unquoted names.
var reserved = map[string]bool{
	"SELECT": true, "FROM": true, "WHERE": true, "GROUP": true, "BY": true, "HAVING": true, "WINDOW": true,
	"WINDOWED": true, "ORDER": true, "UNION": true, "JOIN": true, "INNER": true, "LEFT": true, "RIGHT": true,
	"FULL": true, "OUTER": true, "CROSS": true, "ON": true, "AS": true, "AND": true, "OR": true, "NOT": true,
	"IN": true, "IS": true, "LIKE": true, "SIMILAR": true, "BETWEEN": true, "CASE": true, "WHEN": true,
	"THEN": true, "ELSE": true, "END": true, "NULL": true, "TRUE": true, "FALSE": true, "CREATE": true,
	"INSERT": true, "INTO": true, "OVER": true, "PARTITION": true, "DISTINCT": true, "ALL": true, "ESCAPE": true,
	"UNKNOWN": true, "INTERVAL": true, "CAST": true, "CURSOR": true, "TABLE": true, "ASC": true, "DESC": true,
	"ROWS": true, "RANGE": true, "PRECEDING": true, "FOLLOWING": true, "USING": true, "VALUES": true,
}

func (p *parser) isName() bool {
	return p.t.kind == IDENT && (p.t.quoted || !reserved[p.t.lit])
}

func (p *parser) ident(what string) *Ident {
	if !p.isName() {
		p.errorExpected(what)
	}
	id := &Ident{NamePos: p.t.pos, Name: p.t.lit, Quoted: p.t.quoted, EndPos: p.t.end}
	p.next()
	return id
}

// ParseScript parses application code: statements separated by ";".
func ParseScript(filename, src string) (*Script, error) {
	return ParseScriptAt(filename, src, 1)
}

// ParseScriptAt parses application code that starts on line `line` of the
// named file (SQL inside an application file or a test script): positions
// count the file's lines.
func ParseScriptAt(filename, src string, line int) (*Script, error) {
	p := newParser(filename, src, line)
	s := &Script{File: p.file}
	for p.t.kind != EOF {
		if p.gotOp(";") {
			continue
		}
		if st := p.stmtRecover(); st != nil {
			s.Stmts = append(s.Stmts, st)
		}
	}
	p.errs.Sort()
	return s, p.errs.Err()
}

// stmtRecover parses one statement; after an error it skips to the next
// ";" at parenthesis depth 0 so later statements are still checked.
func (p *parser) stmtRecover() (st Stmt) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			st = nil
			p.depth = 0
			depth := 0
			for p.t.kind != EOF {
				if p.isOp("(") {
					depth++
				} else if p.isOp(")") {
					depth--
				} else if p.isOp(";") && depth <= 0 {
					break
				}
				p.next()
			}
		}
	}()
	st = p.stmt()
	if p.t.kind != EOF && !p.isOp(";") {
		p.errorExpected(`";" or the end of the statement`)
	}
	return st
}

func (p *parser) stmt() Stmt {
	switch {
	case p.isKw("CREATE"):
		return p.create()
	case p.isKw("INSERT"):
		return p.insert()
	case p.isKw("SELECT") || p.isOp("("):
		return &QueryStmt{Query: p.query()}
	}
	p.errorExpected("CREATE, INSERT or SELECT")
	return nil
}

func (p *parser) create() Stmt {
	pos := p.expectKw("CREATE")
	orReplace := false
	if p.gotKw("OR") {
		p.expectKw("REPLACE")
		orReplace = true
	}
	switch {
	case p.gotKw("STREAM"):
		return p.createStream(pos, orReplace)
	case p.gotKw("PUMP"):
		return p.createPump(pos, orReplace)
	case p.gotKw("FUNCTION"):
		name := p.ident("a function name")
		depth := 0
		end := p.t.pos
		for p.t.kind != EOF && !(p.isOp(";") && depth == 0) {
			if p.isOp("(") {
				depth++
			} else if p.isOp(")") {
				depth--
			}
			end = p.t.end
			p.next()
		}
		return &CreateFunction{Create: pos, Name: name, EndPos: end}
	}
	p.errorExpected("STREAM, PUMP or FUNCTION after CREATE")
	return nil
}

func (p *parser) createStream(pos Pos, orReplace bool) Stmt {
	s := &CreateStream{Create: pos, OrReplace: orReplace, Name: p.ident("a stream name")}
	p.expectOp("(", "to start the column list")
	for {
		c := &ColumnDef{Name: p.ident("a column name")}
		c.Type = p.typeName()
		c.EndPos = c.Type.EndPos
		if p.isKw("NOT") {
			p.next()
			p.expectKw("NULL")
			c.NotNull = true
		}
		s.Columns = append(s.Columns, c)
		if !p.gotOp(",") {
			break
		}
	}
	s.EndPos = p.expectOp(")", "to close the column list") + 1
	if p.gotKw("DESCRIPTION") {
		s.Description = p.stringLit()
		s.EndPos = s.Description.EndPos
	}
	return s
}

func (p *parser) stringLit() *StringLit {
	if p.t.kind != STRING {
		p.errorExpected("a string literal")
	}
	s := &StringLit{ValuePos: p.t.pos, Value: p.t.lit, EndPos: p.t.end}
	p.next()
	return s
}

func (p *parser) createPump(pos Pos, orReplace bool) Stmt {
	s := &CreatePump{Create: pos, OrReplace: orReplace, Name: p.ident("a pump name")}
	if p.gotKw("STOPPED") {
		s.Stopped = true
	}
	if p.gotKw("DESCRIPTION") {
		s.Description = p.stringLit()
	}
	p.expectKw("AS")
	s.Insert = p.insert()
	return s
}

func (p *parser) insert() *Insert {
	ins := &Insert{InsertPos: p.expectKw("INSERT")}
	p.expectKw("INTO")
	ins.Target = p.ident("a stream name")
	if p.isOp("(") && !isKwTok(p.peek(1), "SELECT") {
		p.next()
		for {
			ins.Columns = append(ins.Columns, p.ident("a column name"))
			if !p.gotOp(",") {
				break
			}
		}
		p.expectOp(")", "to close the column list")
	}
	ins.Query = p.query()
	return ins
}

// TypeNames lists the column types typeName accepts, for messages.
const TypeNames = "TINYINT, SMALLINT, INTEGER (INT), BIGINT, DECIMAL(p,s) (DEC, NUMERIC), REAL, FLOAT, DOUBLE (DOUBLE PRECISION), " +
	"BOOLEAN, CHAR(n) (CHARACTER), VARCHAR(n) (CHAR VARYING), BINARY(n), VARBINARY(n), DATE, TIME, TIMESTAMP, INTERVAL unit [TO unit]"

// typeName parses a column type.
func (p *parser) typeName() *TypeName {
	if p.t.kind != IDENT || p.t.quoted {
		p.errorExpected("a type name")
	}
	tn := &TypeName{NamePos: p.t.pos}
	name := p.t.lit
	end := p.t.end
	p.next()
	switch name {
	case "INT":
		name = "INTEGER"
	case "DEC", "NUMERIC":
		name = "DECIMAL"
	case "DOUBLE":
		if p.isKw("PRECISION") {
			end = p.t.end
			p.next()
		}
	case "CHARACTER":
		name = "CHAR"
		if p.isKw("VARYING") {
			end = p.t.end
			p.next()
			name = "VARCHAR"
		}
	case "CHAR":
		if p.isKw("VARYING") {
			end = p.t.end
			p.next()
			name = "VARCHAR"
		}
	case "INTERVAL":
		tn.Name = name
		tn.From, _ = p.unit()
		tn.To = UnitNone
		if p.gotKw("TO") {
			tn.To, _ = p.unit()
		}
		tn.EndPos = p.t.pos
		return tn
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "DECIMAL", "REAL", "FLOAT", "BOOLEAN", "VARCHAR",
		"BINARY", "VARBINARY", "DATE", "TIME", "TIMESTAMP":
	default:
		p.fail(tn.NamePos, "unknown type %s", name)
	}
	tn.Name = name
	if p.isOp("(") {
		p.next()
		for {
			if p.t.kind != NUMBER {
				p.errorExpected("a number in the type's parentheses")
			}
			n, err := strconv.Atoi(p.t.lit)
			if err != nil {
				p.fail(p.t.pos, "bad type argument %s", p.t.lit)
			}
			tn.Args = append(tn.Args, n)
			p.next()
			if !p.gotOp(",") {
				break
			}
		}
		end = p.expectOp(")", "to close the type's arguments") + 1
	}
	tn.EndPos = end
	return tn
}

var unitNames = map[string]TimeUnit{"YEAR": UnitYear, "MONTH": UnitMonth, "DAY": UnitDay, "HOUR": UnitHour,
	"MINUTE": UnitMinute, "SECOND": UnitSecond, "MILLISECOND": UnitMillisecond, "QUARTER": UnitQuarter,
	"WEEK": UnitWeek, "DOW": UnitDOW, "DOY": UnitDOY, "EPOCH": UnitEpoch}

func (p *parser) isUnit() bool {
	if p.t.kind != IDENT || p.t.quoted {
		return false
	}
	u, ok := unitNames[p.t.lit]
	return ok && u <= UnitSecond
}

// unit parses a time unit with an optional (precision).
func (p *parser) unit() (TimeUnit, int) {
	if p.t.kind != IDENT || p.t.quoted {
		p.errorExpected("a time unit (YEAR, MONTH, DAY, HOUR, MINUTE or SECOND)")
	}
	u, ok := unitNames[p.t.lit]
	if !ok {
		p.errorExpected("a time unit (YEAR, MONTH, DAY, HOUR, MINUTE or SECOND)")
	}
	p.next()
	prec := -1
	if p.isOp("(") && p.peek(1).kind == NUMBER {
		p.next()
		prec, _ = strconv.Atoi(p.t.lit)
		p.next()
		if p.gotOp(",") { // SECOND(p, s)
			p.next()
		}
		p.expectOp(")", "to close the unit's precision")
	}
	return u, prec
}

// ---- queries ----

func (p *parser) query() Query {
	p.enter()
	defer p.leave(1)
	q := p.queryTerm()
	for p.isKw("UNION") {
		p.next()
		all := p.gotKw("ALL")
		right := p.queryTerm()
		q = &Union{Left: q, Right: right, All: all, EndPos: right.End()}
	}
	if p.isKw("ORDER") {
		order := p.orderBy()
		switch x := q.(type) {
		case *Union:
			x.OrderBy = order
		case *Select:
			x.OrderBy = order
		}
	}
	return q
}

func (p *parser) queryTerm() Query {
	if p.isOp("(") {
		p.next()
		q := p.query()
		p.expectOp(")", "to close the subquery")
		return q
	}
	return p.selectBlock()
}

func (p *parser) orderBy() []*OrderItem {
	p.expectKw("ORDER")
	p.expectKw("BY")
	var items []*OrderItem
	for {
		it := &OrderItem{X: p.expr()}
		if p.gotKw("DESC") {
			it.Desc = true
		} else {
			p.gotKw("ASC")
		}
		items = append(items, it)
		if !p.gotOp(",") {
			return items
		}
	}
}

func (p *parser) exprList() []Expr {
	var l []Expr
	for {
		l = append(l, p.expr())
		if !p.gotOp(",") {
			return l
		}
	}
}

func (p *parser) selectBlock() *Select {
	s := &Select{SelectPos: p.expectKw("SELECT")}
	if p.gotKw("STREAM") {
		s.Stream = true
	}
	if p.gotKw("DISTINCT") {
		s.Distinct = true
	} else {
		p.gotKw("ALL")
	}
	for {
		s.Items = append(s.Items, p.selectItem())
		if !p.gotOp(",") {
			break
		}
	}
	if p.isKw("FROM") {
		p.next()
		for {
			s.From = append(s.From, p.fromItem())
			if !p.gotOp(",") {
				break
			}
		}
	} else {
		p.errorExpected("FROM")
	}
	if p.gotKw("WHERE") {
		s.Where = p.expr()
	}
	if p.isKw("GROUP") {
		p.next()
		p.expectKw("BY")
		s.GroupBy = p.exprList()
	}
	if p.isKw("WINDOWED") {
		st := &Stagger{Windowed: p.t.pos}
		p.next()
		p.expectKw("BY")
		p.expectKw("STAGGER")
		p.expectOp("(", "after STAGGER")
		p.expectKw("PARTITION")
		p.expectKw("BY")
		st.PartitionBy = p.exprList()
		p.expectKw("RANGE")
		st.Range = p.intervalLit()
		st.EndPos = p.expectOp(")", "to close STAGGER") + 1
		s.Stagger = st
	}
	if p.gotKw("HAVING") {
		s.Having = p.expr()
	}
	if p.gotKw("WINDOW") {
		for {
			def := &WindowDef{Name: p.ident("a window name")}
			p.expectKw("AS")
			def.Spec = p.windowSpec()
			s.Windows = append(s.Windows, def)
			if !p.gotOp(",") {
				break
			}
		}
	}
	s.EndPos = p.t.pos
	return s
}

func (p *parser) selectItem() *SelectItem {
	it := &SelectItem{StartPos: p.t.pos}
	if p.isOp("*") {
		it.Star = true
		it.EndPos = p.t.end
		p.next()
		return it
	}
	if p.isName() && p.peek(1).kind == OP && p.peek(1).lit == "." && p.peek(2).kind == OP && p.peek(2).lit == "*" {
		it.Qualifier = p.ident("a name")
		p.next()
		it.Star = true
		it.EndPos = p.t.end
		p.next()
		return it
	}
	it.Expr = p.expr()
	it.EndPos = it.Expr.End()
	if p.gotKw("AS") {
		it.Alias = p.ident("an alias after AS")
	} else if p.isName() && !p.isKw("FROM") {
		it.Alias = p.ident("an alias")
	}
	if it.Alias != nil {
		it.EndPos = it.Alias.EndPos
	}
	return it
}

func (p *parser) alias() *Ident {
	if p.gotKw("AS") {
		return p.ident("an alias after AS")
	}
	if p.isName() && !p.isKw("WINDOWED") && !p.isKw("NATURAL") {
		return p.ident("an alias")
	}
	return nil
}

func (p *parser) colAliases() []*Ident {
	var l []*Ident
	if p.isOp("(") {
		p.next()
		for {
			l = append(l, p.ident("a column alias"))
			if !p.gotOp(",") {
				break
			}
		}
		p.expectOp(")", "to close the column aliases")
	}
	return l
}

func (p *parser) fromItem() FromItem {
	left := p.fromPrimary()
	for {
		pos := p.t.pos
		var kind JoinKind
		switch {
		case p.isKw("JOIN"):
			kind = JoinInner
		case p.isKw("INNER"):
			p.next()
			kind = JoinInner
		case p.isKw("LEFT"), p.isKw("RIGHT"), p.isKw("FULL"):
			kind = map[string]JoinKind{"LEFT": JoinLeft, "RIGHT": JoinRight, "FULL": JoinFull}[p.t.lit]
			p.next()
			p.gotKw("OUTER")
		case p.isKw("CROSS"):
			p.next()
			kind = JoinCross
		default:
			return left
		}
		p.expectKw("JOIN")
		j := &Join{Left: left, Kind: kind, JoinPos: pos, Right: p.fromPrimary()}
		if p.gotKw("ON") {
			j.On = p.expr()
		}
		left = j
	}
}

func (p *parser) fromPrimary() FromItem {
	switch {
	case p.isOp("("):
		sq := &SubqueryRef{Lparen: p.t.pos}
		p.next()
		sq.Query = p.query()
		sq.EndPos = p.expectOp(")", "to close the subquery") + 1
		sq.Alias = p.alias()
		sq.ColAliases = p.colAliases()
		return sq
	case p.isKw("TABLE"):
		tf := &TableFunc{TablePos: p.t.pos}
		p.next()
		p.expectOp("(", "after TABLE")
		e := p.expr()
		call, ok := e.(*FuncCall)
		if !ok {
			p.fail(e.Pos(), "TABLE(...) needs a table function call such as HOTSPOTS(CURSOR(...), ...)")
		}
		tf.Call = call
		tf.EndPos = p.expectOp(")", "to close TABLE(") + 1
		tf.Alias = p.alias()
		tf.ColAliases = p.colAliases()
		return tf
	}
	tr := &TableRef{Name: p.ident("a stream or table name")}
	tr.EndPos = tr.Name.EndPos
	if p.gotKw("OVER") {
		if p.isOp("(") {
			tr.Over = p.windowSpec()
		} else {
			tr.OverName = p.ident("a window name")
		}
	}
	tr.Alias = p.alias()
	return tr
}

func (p *parser) windowSpec() *WindowSpec {
	w := &WindowSpec{Lparen: p.expectOp("(", "to start the window specification")}
	if p.isName() && !p.isKw("PARTITION") && !p.isKw("ORDER") && !p.isKw("ROWS") && !p.isKw("RANGE") {
		w.Base = p.ident("a window name")
	}
	if p.isKw("PARTITION") {
		p.next()
		p.expectKw("BY")
		w.PartitionBy = p.exprList()
	}
	if p.isKw("ORDER") {
		w.OrderBy = p.orderBy()
	}
	if p.isKw("ROWS") || p.isKw("RANGE") {
		f := &Frame{FramePos: p.t.pos}
		if p.isKw("ROWS") {
			f.Kind = FrameRows
		}
		p.next()
		if p.gotKw("BETWEEN") {
			f.Start = p.frameBound()
			p.expectKw("AND")
			end := p.frameBound()
			f.End = &end
		} else {
			f.Start = p.frameBound()
		}
		f.EndPos = p.t.pos
		w.Frame = f
	}
	w.Rparen = p.expectOp(")", "to close the window specification")
	return w
}

func (p *parser) frameBound() FrameBound {
	switch {
	case p.gotKw("UNBOUNDED"):
		if p.gotKw("FOLLOWING") {
			return FrameBound{Kind: BoundUnboundedFollowing}
		}
		p.expectKw("PRECEDING")
		return FrameBound{Kind: BoundUnboundedPreceding}
	case p.isKw("CURRENT"):
		p.next()
		p.expectKw("ROW")
		return FrameBound{Kind: BoundCurrentRow}
	}
	b := FrameBound{Offset: p.unary()}
	if p.gotKw("FOLLOWING") {
		b.Kind = BoundFollowing
	} else {
		p.expectKw("PRECEDING")
		b.Kind = BoundPreceding
	}
	return b
}

// ---- expressions ----

func (p *parser) expr() Expr {
	p.enter()
	defer p.leave(1)
	return p.binary(PrecOr)
}

// binaryOp is the binary operator at the current token, if any.
func (p *parser) binaryOp() (Op, bool) {
	if p.t.kind != OP && (p.t.kind != IDENT || p.t.quoted) {
		return OpInvalid, false
	}
	op, ok := binaryOps[p.t.lit]
	return op, ok
}

// binary parses an expression whose operators bind at least as tightly as
// prec, by precedence climbing over the table in prec.go: binary operators
// are left-associative; IS, LIKE, IN and BETWEEN bind as comparisons.
func (p *parser) binary(prec Prec) Expr {
	// Each operator of a chain and each NOT is one level deeper (see
	// MaxDepth).
	n := 0
	defer func() { p.leave(n) }()
	// After NOT x only AND and OR follow; after IS NULL and IN (...), which
	// end without an operand to absorb tighter operators, only comparisons
	// and looser operators.
	var x Expr
	limit := PrecPrimary
	if prec <= PrecNot && p.isKw("NOT") {
		pos := p.t.pos
		p.next()
		n++
		p.enter()
		x, limit = &UnaryExpr{OpPos: pos, Op: OpNot, X: p.binary(PrecNot)}, PrecNot
	} else {
		x = p.unary()
	}
	for {
		if op, ok := p.binaryOp(); ok {
			q := op.Precedence()
			if q < prec || q > limit {
				return x
			}
			pos := p.t.pos
			p.next()
			n++
			p.enter()
			// A tighter operator after the right operand would have been
			// part of it: only this precedence or looser may follow.
			x, limit = &BinaryExpr{X: x, Op: op, OpPos: pos, Y: p.binary(q + 1)}, q
			continue
		}
		if prec > PrecCompare {
			return x
		}
		n++
		p.enter()
		y, ok := p.predicate(x)
		if !ok {
			return x
		}
		x, limit = y, PrecCompare
	}
}

// concat parses an operand of a comparison: || and tighter.
func (p *parser) concat() Expr { return p.binary(PrecConcat) }

// predicate parses the IS, LIKE, SIMILAR TO, IN and BETWEEN forms after x;
// ok is false when none follows.
func (p *parser) predicate(x Expr) (Expr, bool) {
	if p.isKw("IS") {
		p.next()
		not := p.gotKw("NOT")
		switch {
		case p.isKw("NULL"), p.isKw("TRUE"), p.isKw("FALSE"), p.isKw("UNKNOWN"):
			what := map[string]IsKind{"NULL": IsNull, "TRUE": IsTrue, "FALSE": IsFalse, "UNKNOWN": IsUnknown}[p.t.lit]
			end := p.t.end
			p.next()
			return &IsExpr{X: x, Not: not, What: what, EndPos: end}, true
		case p.isKw("DISTINCT"):
			p.next()
			p.expectKw("FROM")
			return &DistinctFrom{X: x, Y: p.concat(), Not: not}, true
		}
		p.errorExpected("NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS")
	}
	not := false
	if p.isKw("NOT") {
		nt := p.peek(1)
		if isKwTok(nt, "LIKE") || isKwTok(nt, "SIMILAR") || isKwTok(nt, "IN") || isKwTok(nt, "BETWEEN") {
			p.next()
			not = true
		}
	}
	switch {
	case p.isKw("LIKE"), p.isKw("SIMILAR"):
		similar := p.isKw("SIMILAR")
		p.next()
		if similar {
			p.expectKw("TO")
		}
		l := &LikeExpr{X: x, Not: not, Similar: similar, Pattern: p.concat()}
		if p.gotKw("ESCAPE") {
			l.Escape = p.concat()
		}
		return l, true
	case p.isKw("IN"):
		p.next()
		p.expectOp("(", "after IN")
		in := &InExpr{X: x, Not: not}
		if p.isKw("SELECT") {
			in.Query = p.query()
		} else {
			in.List = p.exprList()
		}
		in.EndPos = p.expectOp(")", "to close the IN list") + 1
		return in, true
	case p.isKw("BETWEEN"):
		p.next()
		b := &BetweenExpr{X: x, Not: not}
		b.Symmetric = p.gotKw("SYMMETRIC")
		if !b.Symmetric {
			p.gotKw("ASYMMETRIC")
		}
		b.Lo = p.concat()
		p.expectKw("AND")
		b.Hi = p.concat()
		return b, true
	}
	return nil, false
}

func (p *parser) unary() Expr {
	if p.isOp("-") || p.isOp("+") {
		op, pos := OpNeg, p.t.pos
		if p.t.lit == "+" {
			op = OpPlus
		}
		p.next()
		p.enter()
		defer p.leave(1)
		return &UnaryExpr{OpPos: pos, Op: op, X: p.unary()}
	}
	return p.postfix()
}

func (p *parser) postfix() Expr {
	n := 0
	defer func() { p.leave(n) }()
	x := p.primary()
	for p.isOp(".") && p.peek(1).kind == IDENT {
		n++
		p.enter()
		if _, ok := x.(*ParenExpr); !ok {
			if _, ok := x.(*FieldAccess); !ok {
				if f, ok := x.(*FuncCall); ok {
					// W3C_LOG_PARSE(...).COLUMN1: the log parsers' ROW is
					// read with the call in parentheses (semantics F10).
					p.fail(p.t.pos, "a field of %s's result is read with the call in parentheses: (%s(...)).%s",
						f.Name.Name, f.Name.Name, describe(p.peek(1)))
				}
				break
			}
		}
		p.next()
		x = &FieldAccess{X: x, Field: p.ident("a field name")}
	}
	return x
}

var niladic = map[string]bool{"CURRENT_TIMESTAMP": true, "CURRENT_DATE": true, "CURRENT_TIME": true,
	"LOCALTIME": true, "LOCALTIMESTAMP": true, "CURRENT_ROW_TIMESTAMP": true}

func (p *parser) primary() Expr {
	t := p.t
	switch t.kind {
	case NUMBER:
		p.next()
		kind := NumInteger
		if strings.ContainsAny(t.lit, "eE") {
			kind = NumFloat
		} else if strings.Contains(t.lit, ".") {
			kind = NumDecimal
		}
		return &NumberLit{ValuePos: t.pos, Raw: t.lit, Kind: kind, EndPos: t.end}
	case STRING:
		p.next()
		return &StringLit{ValuePos: t.pos, Value: t.lit, EndPos: t.end}
	case BINARY:
		p.next()
		b, err := hex.DecodeString(t.lit)
		if err != nil {
			p.fail(t.pos, "binary literal X'%s' needs an even number of hex digits", t.lit)
		}
		return &BinaryLit{ValuePos: t.pos, Value: string(b), EndPos: t.end}
	case OP:
		if t.lit == "(" {
			p.next()
			if p.isKw("SELECT") {
				p.fail(p.t.pos, "a subquery cannot be used as a value here")
			}
			x := p.expr()
			if p.isOp(",") {
				row := &RowExpr{Lparen: t.pos, Items: []Expr{x}}
				for p.gotOp(",") {
					row.Items = append(row.Items, p.expr())
				}
				row.Rparen = p.expectOp(")", "to close the row value")
				return row
			}
			rp := p.expectOp(")", "to close the parenthesis")
			if p.isUnit() {
				q := &IntervalQualifier{X: x}
				q.From, q.FromPrec = p.unit()
				q.ToPrec = -1
				if p.gotKw("TO") {
					q.To, q.ToPrec = p.unit()
				}
				q.EndPos = p.t.pos
				return q
			}
			return &ParenExpr{Lparen: t.pos, X: x, Rparen: rp}
		}
		p.errorExpected("an expression")
	case IDENT:
		if t.quoted {
			return p.nameOrCall()
		}
		switch t.lit {
		case "NULL":
			p.next()
			return &NullLit{ValuePos: t.pos, EndPos: t.end}
		case "TRUE", "FALSE", "UNKNOWN":
			p.next()
			return &BoolLit{ValuePos: t.pos, Value: t.lit == "TRUE", Unknown: t.lit == "UNKNOWN", EndPos: t.end}
		case "DATE", "TIME", "TIMESTAMP":
			if p.peek(1).kind == STRING {
				p.next()
				s := p.t
				p.next()
				return &DatetimeLit{KindPos: t.pos, Kind: t.lit, Value: s.lit, EndPos: s.end}
			}
		case "INTERVAL":
			return p.intervalLit()
		case "CASE":
			return p.caseExpr()
		case "CAST":
			return p.castExpr()
		case "EXISTS":
			if p.peek(1).kind == OP && p.peek(1).lit == "(" && isKwTok(p.peek(2), "SELECT") {
				p.next()
				x := &ExistsExpr{ExistsPos: t.pos}
				p.expectOp("(", "after EXISTS")
				x.Query = p.query()
				x.Rparen = p.expectOp(")", "to close EXISTS (")
				return x
			}
		case "CURSOR":
			p.next()
			c := &CursorExpr{CursorPos: t.pos}
			p.expectOp("(", "after CURSOR")
			c.Query = p.query()
			c.Rparen = p.expectOp(")", "to close CURSOR(")
			return c
		case "FLOOR", "CEIL", "CEILING", "STEP", "EXTRACT", "POSITION", "SUBSTRING", "TRIM", "OVERLAY":
			if p.peek(1).kind == OP && p.peek(1).lit == "(" {
				return p.special()
			}
		}
		if niladic[t.lit] && !(p.peek(1).kind == OP && p.peek(1).lit == "(") {
			p.next()
			return &FuncCall{Name: &Ident{NamePos: t.pos, Name: t.lit, EndPos: t.end}, NoParens: true, EndPos: t.end}
		}
		if reserved[t.lit] {
			p.errorExpected("an expression")
		}
		return p.nameOrCall()
	}
	p.errorExpected("an expression")
	return nil
}

func (p *parser) intervalLit() *IntervalLit {
	l := &IntervalLit{IntervalPos: p.expectKw("INTERVAL"), FromPrec: -1, ToPrec: -1}
	if p.gotOp("-") {
		l.Negative = true
	} else {
		p.gotOp("+")
	}
	if p.t.kind != STRING {
		p.errorExpected("a quoted interval value such as '15'")
	}
	l.Value = p.t.lit
	p.next()
	l.From, l.FromPrec = p.unit()
	if p.gotKw("TO") {
		l.To, l.ToPrec = p.unit()
	}
	l.EndPos = p.t.pos
	return l
}

func (p *parser) caseExpr() Expr {
	c := &CaseExpr{CasePos: p.expectKw("CASE")}
	if !p.isKw("WHEN") {
		c.Operand = p.expr()
	}
	for p.gotKw("WHEN") {
		w := &When{Cond: p.expr()}
		p.expectKw("THEN")
		w.Result = p.expr()
		c.Whens = append(c.Whens, w)
	}
	if len(c.Whens) == 0 {
		p.errorExpected("WHEN")
	}
	if p.gotKw("ELSE") {
		c.Else = p.expr()
	}
	c.EndPos = p.t.end
	p.expectKw("END")
	return c
}

func (p *parser) castExpr() Expr {
	c := &CastExpr{CastPos: p.expectKw("CAST")}
	p.expectOp("(", "after CAST")
	c.X = p.expr()
	p.expectKw("AS")
	c.Type = p.typeName()
	c.Rparen = p.expectOp(")", "to close CAST(")
	return c
}

// special parses the functions with keyword syntax inside the parentheses.
func (p *parser) special() Expr {
	t := p.t
	p.next()
	p.expectOp("(", "after "+t.lit)
	closeCall := func() Pos { return p.expectOp(")", "to close "+t.lit+"(") }
	switch t.lit {
	case "FLOOR", "CEIL", "CEILING":
		x := p.expr()
		if p.gotKw("TO") {
			u, _ := p.unit()
			return &FloorCeil{FuncPos: t.pos, Ceil: t.lit != "FLOOR", X: x, Unit: u, Rparen: closeCall()}
		}
		args := []Expr{x}
		for p.gotOp(",") {
			args = append(args, p.expr())
		}
		rp := closeCall()
		return &FuncCall{Name: &Ident{NamePos: t.pos, Name: t.lit, EndPos: t.end}, Args: args, Rparen: rp, EndPos: rp + 1}
	case "STEP":
		s := &StepExpr{StepPos: t.pos, X: p.expr()}
		p.expectKw("BY")
		s.By = p.expr()
		s.Rparen = closeCall()
		return s
	case "EXTRACT":
		u, _ := p.unit()
		p.expectKw("FROM")
		return &ExtractExpr{ExtractPos: t.pos, Unit: u, X: p.expr(), Rparen: closeCall()}
	case "POSITION":
		e := &PositionExpr{PositionPos: t.pos, Sub: p.concat()}
		p.expectKw("IN")
		e.X = p.concat()
		if p.gotKw("FROM") {
			e.From = p.expr()
		}
		e.Rparen = closeCall()
		return e
	case "SUBSTRING":
		// The string is read below the comparison level so that
		// SUBSTRING(s SIMILAR pattern ESCAPE c) does not parse as s SIMILAR TO.
		s := &SubstringExpr{SubstringPos: t.pos, X: p.concat()}
		switch {
		case p.gotKw("FROM"):
			s.From = p.expr()
			if p.gotKw("FOR") {
				s.For = p.expr()
			}
		case p.gotKw("SIMILAR"):
			s.Similar = p.expr()
			if p.gotKw("ESCAPE") {
				s.Escape = p.expr()
			}
		case p.gotOp(","):
			s.Comma = true
			s.From = p.expr()
			if p.gotOp(",") {
				s.For = p.expr()
			}
		}
		s.Rparen = closeCall()
		return s
	case "TRIM":
		e := &TrimExpr{TrimPos: t.pos}
		switch {
		case p.gotKw("BOTH"):
		case p.gotKw("LEADING"):
			e.Side = TrimLeading
		case p.gotKw("TRAILING"):
			e.Side = TrimTrailing
		}
		if p.gotKw("FROM") {
			e.X = p.expr()
		} else {
			first := p.expr()
			if p.gotKw("FROM") {
				e.Chars, e.X = first, p.expr()
			} else {
				e.X = first
			}
		}
		e.Rparen = closeCall()
		return e
	case "OVERLAY":
		e := &OverlayExpr{OverlayPos: t.pos, X: p.expr()}
		p.expectKw("PLACING")
		e.Repl = p.expr()
		p.expectKw("FROM")
		e.From = p.expr()
		if p.gotKw("FOR") {
			e.For = p.expr()
		}
		e.Rparen = closeCall()
		return e
	}
	p.errorExpected("an expression")
	return nil
}

// nameOrCall parses a.b.c or name(args) [IGNORE NULLS] [OVER ...].
func (p *parser) nameOrCall() Expr {
	first := p.ident("a name")
	if p.isOp("(") {
		return p.call(first)
	}
	ref := &ColumnRef{Parts: []*Ident{first}}
	for p.isOp(".") && p.peek(1).kind == IDENT {
		p.next()
		ref.Parts = append(ref.Parts, p.ident("a name after ."))
	}
	return ref
}

func (p *parser) call(name *Ident) Expr {
	fc := &FuncCall{Name: name}
	p.expectOp("(", "")
	switch {
	case p.isOp("*"):
		fc.Star = true
		p.next()
	case p.isOp(")"):
	default:
		if p.gotKw("DISTINCT") {
			fc.Distinct = true
		} else {
			p.gotKw("ALL")
		}
		fc.Args = p.exprList()
		p.nullTreatment(fc)
	}
	fc.Rparen = p.expectOp(")", "to close the argument list of "+name.Name)
	fc.EndPos = fc.Rparen + 1
	if p.isKw("FROM") && (isKwTok(p.peek(1), "FIRST") || isKwTok(p.peek(1), "LAST")) {
		p.next()
		fc.FromLast = p.isKw("LAST")
		p.next()
	}
	p.nullTreatment(fc)
	if p.isKw("OVER") {
		p.next()
		if p.isOp("(") {
			fc.Over = p.windowSpec()
			fc.EndPos = fc.Over.Rparen + 1
		} else {
			fc.OverName = p.ident("a window name after OVER")
			fc.EndPos = fc.OverName.EndPos
		}
	}
	return fc
}

func (p *parser) nullTreatment(fc *FuncCall) {
	if (p.isKw("IGNORE") || p.isKw("RESPECT")) && isKwTok(p.peek(1), "NULLS") {
		fc.Nulls = NullsRespect
		if p.isKw("IGNORE") {
			fc.Nulls = NullsIgnore
		}
		p.next()
		p.next()
	}
}

// parseWhole runs one production over src and requires it to use all input.
func parseWhole[T any](src, what string, prod func(p *parser) T) (out T, err error) {
	p := newParser("", src, 1)
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			var zero T
			out, err = zero, p.errs
		}
	}()
	out = prod(p)
	if p.t.kind != EOF && !(what == "query" && p.isOp(";")) {
		p.errorExpected("the end of the " + what)
	}
	return out, p.errs.Err()
}

// ParseExpr parses one expression.
func ParseExpr(src string) (Expr, error) {
	return parseWhole(src, "expression", (*parser).expr)
}

// ParseType parses a type name such as VARCHAR(4) or DECIMAL(5,2).
func ParseType(src string) (*TypeName, error) {
	return parseWhole(src, "type", (*parser).typeName)
}

// ParseQuery parses one query.
func ParseQuery(src string) (Query, error) {
	return parseWhole(src, "query", (*parser).query)
}
