package parser

// Prec is how tightly an operator binds: higher binds tighter. The parser
// climbs this table (parser.binary) and the printer parenthesizes by it
// (Format), so the two cannot disagree about how SQL text groups.
type Prec uint8

const (
	PrecLowest  Prec = iota
	PrecOr           // OR
	PrecAnd          // AND
	PrecNot          // NOT x
	PrecCompare      // = <> < <= > >=, IS ..., [NOT] LIKE, SIMILAR TO, IN, BETWEEN
	PrecConcat       // ||
	PrecAdd          // + -
	PrecMul          // * /
	PrecUnary        // -x, +x
	PrecPrimary      // literals, names, calls, (x), CASE, CAST, ...
)

// binaryOps maps the token of each binary operator to its Op; AND and OR
// are unquoted keywords, the rest punctuation.
var binaryOps = map[string]Op{
	"OR": OpOr, "AND": OpAnd,
	"=": OpEq, "<>": OpNe, "!=": OpNe, "<": OpLt, "<=": OpLe, ">": OpGt, ">=": OpGe,
	"||": OpConcat, "+": OpAdd, "-": OpSub, "*": OpMul, "/": OpDiv,
}

var opPrec = [...]Prec{
	OpOr: PrecOr, OpAnd: PrecAnd, OpNot: PrecNot,
	OpEq: PrecCompare, OpNe: PrecCompare, OpLt: PrecCompare, OpLe: PrecCompare, OpGt: PrecCompare, OpGe: PrecCompare,
	OpConcat: PrecConcat, OpAdd: PrecAdd, OpSub: PrecAdd, OpMul: PrecMul, OpDiv: PrecMul,
	OpNeg: PrecUnary, OpPlus: PrecUnary,
}

// Precedence is how tightly the operator binds.
func (o Op) Precedence() Prec {
	if int(o) < len(opPrec) {
		return opPrec[o]
	}
	return PrecLowest
}

// Precedence is how tightly an expression's outermost operator binds: an
// operand that binds less tightly than its place needs parentheses.
func Precedence(e Expr) Prec {
	switch x := e.(type) {
	case *BinaryExpr:
		return x.Op.Precedence()
	case *UnaryExpr:
		return x.Op.Precedence()
	case *IsExpr, *DistinctFrom, *LikeExpr, *InExpr, *BetweenExpr:
		return PrecCompare
	}
	return PrecPrimary
}
