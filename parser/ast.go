package parser

// The AST is plain data. Every node knows where it starts and ends in the
// source; evaluation lives elsewhere (package plan compiles these nodes).

// Node is any AST node.
type Node interface {
	Pos() Pos // first byte of the node
	End() Pos // first byte after the node
}

// Script is a parsed application: its statements in source order.
type Script struct {
	File  *File
	Stmts []Stmt
}

// ---- statements ----

// Stmt is a top-level statement.
type Stmt interface {
	Node
	stmtNode()
}

// CreateStream is CREATE [OR REPLACE] STREAM name (cols) [DESCRIPTION '...'].
type CreateStream struct {
	Create      Pos
	OrReplace   bool
	Name        *Ident
	Columns     []*ColumnDef
	Description *StringLit
	EndPos      Pos
}

// ColumnDef is one column of CREATE STREAM.
type ColumnDef struct {
	Name    *Ident
	Type    *TypeName
	NotNull bool
	EndPos  Pos
}

// TypeName is a type as written: VARCHAR(4), DECIMAL(5,2), DOUBLE PRECISION,
// INTERVAL DAY TO SECOND. Name is the canonical upper-case base name with
// aliases resolved (INT -> INTEGER, DOUBLE PRECISION -> DOUBLE,
// CHARACTER VARYING -> VARCHAR, CHARACTER -> CHAR, DEC/NUMERIC -> DECIMAL,
// FLOAT stays FLOAT); Args are the parenthesised integers.
type TypeName struct {
	NamePos Pos
	Name    string
	Args    []int
	// INTERVAL types only.
	From, To TimeUnit
	EndPos   Pos
}

// CreatePump is CREATE [OR REPLACE] PUMP name [STOPPED] [DESCRIPTION '...'] AS INSERT ...
type CreatePump struct {
	Create      Pos
	OrReplace   bool
	Name        *Ident
	Stopped     bool
	Description *StringLit
	Insert      *Insert
}

// Insert is INSERT INTO target [(cols)] query.
type Insert struct {
	InsertPos Pos
	Target    *Ident
	Columns   []*Ident
	Query     Query
}

// CreateFunction is CREATE FUNCTION ...; it parses so check can name it,
// and the planner reports it as not supported.
type CreateFunction struct {
	Create Pos
	Name   *Ident
	EndPos Pos
}

// QueryStmt is a bare query used as a statement (the console's sampler form).
type QueryStmt struct {
	Query Query
}

func (*CreateStream) stmtNode()   {}
func (*CreatePump) stmtNode()     {}
func (*CreateFunction) stmtNode() {}
func (*QueryStmt) stmtNode()      {}
func (*Insert) stmtNode()         {}

// ---- queries ----

// Query is a SELECT or a UNION ALL of queries.
type Query interface {
	Node
	queryNode()
}

// Select is one SELECT [STREAM] block.
type Select struct {
	SelectPos Pos
	Stream    bool
	Distinct  bool
	Items     []*SelectItem
	From      []FromItem // comma-separated FROM items (joins nest inside one item)
	Where     Expr
	GroupBy   []Expr
	Stagger   *Stagger // WINDOWED BY STAGGER (...), replaces GROUP BY
	Having    Expr
	Windows   []*WindowDef
	OrderBy   []*OrderItem
	EndPos    Pos
}

// Union is left UNION ALL right [ORDER BY ...].
type Union struct {
	Left, Right Query
	All         bool
	OrderBy     []*OrderItem
	EndPos      Pos
}

func (*Select) queryNode() {}
func (*Union) queryNode()  {}

// SelectItem is expr [AS alias], * or qualifier.*.
type SelectItem struct {
	Star      bool
	Qualifier *Ident // for t.*
	Expr      Expr
	Alias     *Ident
	StartPos  Pos
	EndPos    Pos
}

// Stagger is WINDOWED BY STAGGER (PARTITION BY ... RANGE INTERVAL ...).
type Stagger struct {
	Windowed    Pos
	PartitionBy []Expr
	Range       Expr // an *IntervalLit
	EndPos      Pos
}

// WindowDef is one entry of the WINDOW clause: name AS (spec).
type WindowDef struct {
	Name *Ident
	Spec *WindowSpec
}

// WindowSpec is the parenthesised window specification of OVER or WINDOW.
type WindowSpec struct {
	Lparen      Pos
	Base        *Ident // a named window this one refines
	PartitionBy []Expr
	OrderBy     []*OrderItem
	Frame       *Frame
	Rparen      Pos
}

// FrameKind distinguishes ROWS from RANGE frames.
type FrameKind uint8

const (
	FrameRange FrameKind = iota
	FrameRows
)

// BoundKind is one end of a frame.
type BoundKind uint8

const (
	BoundCurrentRow BoundKind = iota
	BoundPreceding
	BoundFollowing
	BoundUnboundedPreceding
	BoundUnboundedFollowing
)

// Frame is ROWS|RANGE start or ROWS|RANGE BETWEEN start AND end.
type Frame struct {
	FramePos Pos
	Kind     FrameKind
	Start    FrameBound
	End      *FrameBound // nil unless BETWEEN
	EndPos   Pos
}

// FrameBound is CURRENT ROW, n PRECEDING, INTERVAL ... FOLLOWING, UNBOUNDED ...
type FrameBound struct {
	Kind   BoundKind
	Offset Expr // number or *IntervalLit; nil for CURRENT ROW / UNBOUNDED
}

// OrderItem is expr [ASC|DESC].
type OrderItem struct {
	X    Expr
	Desc bool
}

// ---- FROM items ----

// FromItem is a stream or table, a subquery, a table function or a join.
type FromItem interface {
	Node
	fromNode()
}

// TableRef names a stream or reference table: name [OVER window] [[AS] alias].
type TableRef struct {
	Name     *Ident
	Over     *WindowSpec // stream-to-stream join window, inline
	OverName *Ident      // or a named window
	Alias    *Ident
	EndPos   Pos
}

// SubqueryRef is (query) [AS] alias [(col, ...)].
type SubqueryRef struct {
	Lparen     Pos
	Query      Query
	Alias      *Ident
	ColAliases []*Ident
	EndPos     Pos
}

// TableFunc is TABLE(fn(CURSOR(query), args...)) [AS alias [(cols)]].
type TableFunc struct {
	TablePos   Pos
	Call       *FuncCall
	Alias      *Ident
	ColAliases []*Ident
	EndPos     Pos
}

// JoinKind is the kind of a join.
type JoinKind uint8

const (
	JoinInner JoinKind = iota
	JoinLeft
	JoinRight
	JoinFull
	JoinCross
)

func (k JoinKind) String() string {
	return [...]string{"INNER", "LEFT", "RIGHT", "FULL", "CROSS"}[k]
}

// Join is left [kind] JOIN right [ON cond].
type Join struct {
	Left    FromItem
	Kind    JoinKind
	JoinPos Pos
	Right   FromItem
	On      Expr
}

func (*TableRef) fromNode()    {}
func (*SubqueryRef) fromNode() {}
func (*TableFunc) fromNode()   {}
func (*Join) fromNode()        {}

// ---- expressions ----

// Expr is any scalar expression.
type Expr interface {
	Node
	exprNode()
}

// Ident is a name. Unquoted names are folded to upper case; quoted names
// keep their case (Quoted is true).
type Ident struct {
	NamePos Pos
	Name    string
	Quoted  bool
	EndPos  Pos
}

// ColumnRef is a possibly qualified name: col, s.col, s.ROWTIME, t.r.COLUMN1.
type ColumnRef struct {
	Parts []*Ident
}

// NumberKind tells how a numeric literal was written.
type NumberKind uint8

const (
	NumInteger NumberKind = iota // 123
	NumDecimal                   // 12.34
	NumFloat                     // 1.2E3
)

// NumberLit is a numeric literal as written (without sign).
type NumberLit struct {
	ValuePos Pos
	Raw      string
	Kind     NumberKind
	EndPos   Pos
}

// StringLit is '...' (” unescaped); N'...' and U&'...' also produce it.
type StringLit struct {
	ValuePos Pos
	Value    string
	EndPos   Pos
}

// BinaryLit is X'3F67'. Value holds the decoded bytes.
type BinaryLit struct {
	ValuePos Pos
	Value    string
	EndPos   Pos
}

// BoolLit is TRUE, FALSE or UNKNOWN (Unknown set: a NULL boolean).
type BoolLit struct {
	ValuePos Pos
	Value    bool
	Unknown  bool
	EndPos   Pos
}

// NullLit is NULL.
type NullLit struct {
	ValuePos Pos
	EndPos   Pos
}

// DatetimeLit is DATE '...', TIME '...' or TIMESTAMP '...'. Kind is
// "DATE", "TIME" or "TIMESTAMP"; Value is the quoted text.
type DatetimeLit struct {
	KindPos Pos
	Kind    string
	Value   string
	EndPos  Pos
}

// TimeUnit is an interval or FLOOR/CEIL/EXTRACT unit.
type TimeUnit uint8

const (
	UnitNone TimeUnit = iota
	UnitYear
	UnitMonth
	UnitDay
	UnitHour
	UnitMinute
	UnitSecond
	UnitMillisecond // accepted by EXTRACT; not an interval unit
	UnitQuarter
	UnitWeek
	UnitDOW
	UnitDOY
	UnitEpoch
)

func (u TimeUnit) String() string {
	return [...]string{"", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", "MILLISECOND",
		"QUARTER", "WEEK", "DOW", "DOY", "EPOCH"}[u]
}

// IntervalLit is INTERVAL [-]'value' unit [(p)] [TO unit [(p)]].
type IntervalLit struct {
	IntervalPos Pos
	Negative    bool // INTERVAL -'1' HOUR
	Value       string
	From        TimeUnit
	FromPrec    int // -1 when not given
	To          TimeUnit
	ToPrec      int // -1 when not given
	EndPos      Pos
}

// IntervalQualifier is (expr) unit [TO unit]: the interval qualifier applied
// to a datetime difference, e.g. (ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND.
type IntervalQualifier struct {
	X        Expr
	From     TimeUnit
	FromPrec int
	To       TimeUnit
	ToPrec   int
	EndPos   Pos
}

// Op is an operator token of a unary or binary expression.
type Op uint8

const (
	OpInvalid Op = iota
	OpAdd        // +
	OpSub        // -
	OpMul        // *
	OpDiv        // /
	OpConcat     // ||
	OpEq         // =
	OpNe         // <> or !=
	OpLt         // <
	OpLe         // <=
	OpGt         // >
	OpGe         // >=
	OpAnd        // AND
	OpOr         // OR
	OpNot        // NOT (unary)
	OpNeg        // unary -
	OpPlus       // unary +
)

func (o Op) String() string {
	return [...]string{"?", "+", "-", "*", "/", "||", "=", "<>", "<", "<=", ">", ">=", "AND", "OR",
		"NOT", "-", "+"}[o]
}

// BinaryExpr is X op Y.
type BinaryExpr struct {
	X     Expr
	Op    Op
	OpPos Pos
	Y     Expr
}

// UnaryExpr is op X (NOT, -, +).
type UnaryExpr struct {
	OpPos Pos
	Op    Op
	X     Expr
}

// ParenExpr is (X).
type ParenExpr struct {
	Lparen Pos
	X      Expr
	Rparen Pos
}

// RowExpr is a row value (X1, X2, ...), as in (a, b) IN (SELECT x, y FROM t).
type RowExpr struct {
	Lparen Pos
	Items  []Expr
	Rparen Pos
}

// IsKind is what an IS test checks.
type IsKind uint8

const (
	IsNull IsKind = iota
	IsTrue
	IsFalse
	IsUnknown
)

// IsExpr is X IS [NOT] NULL|TRUE|FALSE|UNKNOWN.
type IsExpr struct {
	X      Expr
	Not    bool
	What   IsKind
	EndPos Pos
}

// DistinctFrom is X IS [NOT] DISTINCT FROM Y.
type DistinctFrom struct {
	X, Y Expr
	Not  bool
}

// LikeExpr is X [NOT] LIKE|SIMILAR TO pattern [ESCAPE esc].
type LikeExpr struct {
	X       Expr
	Not     bool
	Similar bool
	Pattern Expr
	Escape  Expr
}

// InExpr is X [NOT] IN (list), or X [NOT] IN (query) when Query is set.
type InExpr struct {
	X      Expr
	Not    bool
	List   []Expr
	Query  Query
	EndPos Pos
}

// BetweenExpr is X [NOT] BETWEEN [SYMMETRIC] Lo AND Hi.
type BetweenExpr struct {
	X         Expr
	Not       bool
	Symmetric bool
	Lo, Hi    Expr
}

// When is one WHEN ... THEN ... arm.
type When struct {
	Cond   Expr
	Result Expr
}

// CaseExpr is CASE [operand] WHEN ... THEN ... [ELSE ...] END.
type CaseExpr struct {
	CasePos Pos
	Operand Expr // nil for a searched CASE
	Whens   []*When
	Else    Expr
	EndPos  Pos
}

// CastExpr is CAST(X AS type).
type CastExpr struct {
	CastPos Pos
	X       Expr
	Type    *TypeName
	Rparen  Pos
}

// FloorCeil is FLOOR(X TO unit) or CEIL|CEILING(X TO unit). Plain FLOOR(x)
// is a FuncCall.
type FloorCeil struct {
	FuncPos Pos
	Ceil    bool
	X       Expr
	Unit    TimeUnit
	Rparen  Pos
}

// StepExpr is STEP(X BY width).
type StepExpr struct {
	StepPos Pos
	X       Expr
	By      Expr
	Rparen  Pos
}

// ExtractExpr is EXTRACT(unit FROM X).
type ExtractExpr struct {
	ExtractPos Pos
	Unit       TimeUnit
	X          Expr
	Rparen     Pos
}

// PositionExpr is POSITION(Sub IN X [FROM start]).
type PositionExpr struct {
	PositionPos Pos
	Sub, X      Expr
	From        Expr
	Rparen      Pos
}

// SubstringExpr is SUBSTRING(X FROM start [FOR len]), SUBSTRING(X, start[, len])
// or SUBSTRING(X SIMILAR pattern ESCAPE esc).
type SubstringExpr struct {
	SubstringPos Pos
	X            Expr
	From, For    Expr
	Similar      Expr
	Escape       Expr
	Comma        bool // SUBSTRING(s, start [, len]): NULL when start is past the end
	Rparen       Pos
}

// TrimSide is which end TRIM works on.
type TrimSide uint8

const (
	TrimBoth TrimSide = iota
	TrimLeading
	TrimTrailing
)

// TrimExpr is TRIM([BOTH|LEADING|TRAILING] [chars] FROM X) or TRIM(X).
type TrimExpr struct {
	TrimPos Pos
	Side    TrimSide
	Chars   Expr // nil: a space
	X       Expr
	Rparen  Pos
}

// OverlayExpr is OVERLAY(X PLACING Repl FROM start [FOR len]).
type OverlayExpr struct {
	OverlayPos Pos
	X, Repl    Expr
	From, For  Expr
	Rparen     Pos
}

// NullTreatment is RESPECT NULLS or IGNORE NULLS on LAG, FIRST_VALUE, ...
type NullTreatment uint8

const (
	NullsDefault NullTreatment = iota
	NullsRespect
	NullsIgnore
)

// FuncCall is name([DISTINCT|ALL] args) [IGNORE|RESPECT NULLS] [OVER window],
// COUNT(*), or a niladic function written without parentheses
// (CURRENT_TIMESTAMP, LOCALTIME, ...: NoParens set).
type FuncCall struct {
	Name     *Ident
	Distinct bool
	Star     bool
	Args     []Expr
	NoParens bool
	Nulls    NullTreatment
	FromLast bool        // NTH_VALUE ... FROM LAST
	Over     *WindowSpec // inline OVER (...)
	OverName *Ident      // OVER w
	Rparen   Pos
	EndPos   Pos
}

// ExistsExpr is EXISTS (query).
type ExistsExpr struct {
	ExistsPos Pos
	Query     Query
	Rparen    Pos
}

// CursorExpr is CURSOR(query), the stream argument of a table function.
type CursorExpr struct {
	CursorPos Pos
	Query     Query
	Rparen    Pos
}

// FieldAccess is (X).Field: a field of a ROW value such as a log-parse result.
type FieldAccess struct {
	X     Expr
	Field *Ident
}

func (*Ident) exprNode()             {}
func (*ColumnRef) exprNode()         {}
func (*NumberLit) exprNode()         {}
func (*StringLit) exprNode()         {}
func (*BinaryLit) exprNode()         {}
func (*BoolLit) exprNode()           {}
func (*NullLit) exprNode()           {}
func (*DatetimeLit) exprNode()       {}
func (*IntervalLit) exprNode()       {}
func (*IntervalQualifier) exprNode() {}
func (*BinaryExpr) exprNode()        {}
func (*UnaryExpr) exprNode()         {}
func (*ParenExpr) exprNode()         {}
func (*RowExpr) exprNode()           {}
func (*IsExpr) exprNode()            {}
func (*DistinctFrom) exprNode()      {}
func (*LikeExpr) exprNode()          {}
func (*InExpr) exprNode()            {}
func (*BetweenExpr) exprNode()       {}
func (*CaseExpr) exprNode()          {}
func (*CastExpr) exprNode()          {}
func (*FloorCeil) exprNode()         {}
func (*StepExpr) exprNode()          {}
func (*ExtractExpr) exprNode()       {}
func (*PositionExpr) exprNode()      {}
func (*SubstringExpr) exprNode()     {}
func (*TrimExpr) exprNode()          {}
func (*OverlayExpr) exprNode()       {}
func (*FuncCall) exprNode()          {}
func (*CursorExpr) exprNode()        {}
func (*ExistsExpr) exprNode()        {}
func (*FieldAccess) exprNode()       {}

// Name returns the dotted form of a column reference, for messages.
func (c *ColumnRef) Name() string {
	s := ""
	for i, p := range c.Parts {
		if i > 0 {
			s += "."
		}
		s += p.Name
	}
	return s
}
