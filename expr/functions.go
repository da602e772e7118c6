package expr

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// Function is one scalar function: its arity, result-type rule,
// implementation and a one-line description. Adding a function is one
// entry in the table below plus its tests.
type Function struct {
	Name        string
	Args        string // signature for documentation, e.g. "(numeric)"
	Description string
	MinArgs     int
	MaxArgs     int
	// Return checks argument types and gives the result type.
	Return func(args []value.Type) (value.Type, error)
	// Impl computes the result; NULL arguments give NULL unless NullSafe.
	Impl     func(c *eval.Ctx, args []value.Value) value.Value
	NullSafe bool
	// Volatile functions (clocks) are never folded into constants.
	Volatile bool
	// Prepare, when set, builds an implementation from the constant
	// arguments at plan time (a compiled regular expression, say).
	Prepare func(consts []*Compiled) (func(c *eval.Ctx, args []value.Value) value.Value, error)
	// Build, when set, replaces Return and Prepare for functions whose
	// result type depends on constant arguments (the log parsers' column
	// lists): it sees every argument (consts[i] is nil when argument i is
	// not a constant) and gives the result type and the implementation.
	Build func(consts []*Compiled, types []value.Type) (value.Type, Impl, error)
	// Syntax marks a special form with its own grammar (CAST(x AS t),
	// EXTRACT(unit FROM x), ...): compiled in forms.go, listed here so the
	// function table is complete. Syntax is the full signature.
	Syntax string
}

// Signature is how the function is written, e.g. MOD(integer, integer).
func (f *Function) Signature() string {
	if f.Syntax != "" {
		return f.Syntax
	}
	return f.Name + f.Args
}

// Impl computes a function's result from its evaluated arguments.
type Impl = func(c *eval.Ctx, args []value.Value) value.Value

func numericArgs(args []value.Type) error {
	for _, a := range args {
		if !a.IsNumeric() && a.Base != value.TUnknown {
			return fmt.Errorf("needs numeric arguments, not %s", a)
		}
	}
	return nil
}

func stringArgs(args []value.Type) error {
	for _, a := range args {
		if !a.IsString() && a.Base != value.TUnknown {
			return fmt.Errorf("needs string arguments, not %s", a)
		}
	}
	return nil
}

func returns(t value.Type, check func([]value.Type) error) func([]value.Type) (value.Type, error) {
	return func(args []value.Type) (value.Type, error) {
		if check != nil {
			if err := check(args); err != nil {
				return value.Type{}, err
			}
		}
		return t, nil
	}
}

// sameAsArg returns the first argument's type (numeric functions).
func sameAsArg(args []value.Type) (value.Type, error) {
	if err := numericArgs(args); err != nil {
		return value.Type{}, err
	}
	t := args[0]
	t.NotNull = false
	return t, nil
}

func floatFn(f func(float64) float64) func(c *eval.Ctx, a []value.Value) value.Value {
	return func(c *eval.Ctx, a []value.Value) value.Value {
		r := f(a[0].Float64())
		if math.IsNaN(r) || math.IsInf(r, 0) {
			c.Fail(eval.Errorf(eval.ErrArithmetic, "result is not a finite number"))
			return value.Null
		}
		return value.NewFloat(r)
	}
}

// roundTo rounds numerics to a whole number toward a direction, keeping
// the argument's kind (and a decimal's scale).
func roundTo(f func(float64) float64) func(c *eval.Ctx, a []value.Value) value.Value {
	ceil := f(0.5) == 1
	return func(c *eval.Ctx, a []value.Value) value.Value {
		v := a[0]
		switch v.K {
		case value.KInt:
			return v
		case value.KDecimal:
			d := pow10[v.Scale]
			q := floorDiv(v.I, d)
			if ceil && q*d != v.I {
				q++
			}
			return value.NewDecimal(q, 0)
		}
		return value.NewFloat(f(v.Float64()))
	}
}

// wholeResult is the type of CEIL and FLOOR: the argument's, but a DECIMAL
// loses its scale (CEIL(5.2) is 6) and gains a digit (CEIL(9.5) is 10).
func wholeResult(args []value.Type) (value.Type, error) {
	t, err := sameAsArg(args)
	if err == nil && t.Base == value.TDecimal {
		t.Precision, t.Scale = min(t.Precision-t.Scale+1, 19), 0
	}
	return t, err
}

var pow10 = func() [19]int64 {
	var p [19]int64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// roundPlaces rounds (half away from zero) or truncates (toward zero) a
// number to places digits after the point (before it when negative).
func roundPlaces(c *eval.Ctx, v value.Value, places int64, trunc bool) value.Value {
	switch v.K {
	case value.KFloat:
		if places > 300 || places < -300 || math.IsInf(v.F, 0) || math.IsNaN(v.F) {
			return v
		}
		p := math.Pow10(int(places))
		x := v.F * p
		if trunc {
			x = math.Trunc(x)
		} else {
			x = math.Round(x)
		}
		if math.IsInf(x, 0) { // v.F*p overflowed: nothing after the point to round
			return v
		}
		return value.NewFloat(x / p)
	case value.KInt, value.KDecimal:
		scale := int64(0)
		if v.K == value.KDecimal {
			scale = int64(v.Scale)
		}
		drop := scale - places // digits to clear
		if drop <= 0 {
			return v
		}
		if drop > 18 {
			if v.K == value.KDecimal {
				return value.NewDecimal(0, v.Scale)
			}
			return value.NewInt(0)
		}
		d := pow10[drop]
		q, r := v.I/d, v.I%d
		if !trunc && (r >= d/2+d%2 || -r >= d/2+d%2) {
			if v.I < 0 {
				q--
			} else {
				q++
			}
		}
		if q > math.MaxInt64/d || q < math.MinInt64/d {
			if c != nil {
				c.Fail(eval.Errorf(eval.ErrArithmetic, "overflow while rounding"))
			}
			return value.Null
		}
		v.I = q * d
		return v
	}
	return v
}

func roundFn(trunc bool) Impl {
	return func(c *eval.Ctx, a []value.Value) value.Value {
		places := int64(0)
		if len(a) > 1 {
			places = a[1].I
		}
		return roundPlaces(c, a[0], places, trunc)
	}
}

func roundArgs(args []value.Type) (value.Type, error) {
	if len(args) > 1 && !args[1].IsInteger() && args[1].Base != value.TUnknown {
		return value.Type{}, fmt.Errorf("needs an integer number of places, not %s", args[1])
	}
	return sameAsArg(args[:1])
}

// compiles counts pattern compilations (regular expressions and datetime
// patterns) so tests can show that evaluating rows never compiles.
var compiles atomic.Int64

// compileRegexp compiles a regular expression at plan time.
func compileRegexp(expr string) (*regexp.Regexp, error) {
	compiles.Add(1)
	return regexp.Compile(expr)
}

var functions = map[string]*Function{}

func init() {
	ts := value.Timestamp
	for _, f := range []*Function{
		{Name: "ABS", Args: "(numeric)", Description: "absolute value", MinArgs: 1, MaxArgs: 1, Return: sameAsArg,
			Impl: func(c *eval.Ctx, a []value.Value) value.Value {
				v := a[0]
				switch v.K {
				case value.KFloat:
					v.F = math.Abs(v.F)
				default:
					if v.I == math.MinInt64 {
						c.Fail(eval.Errorf(eval.ErrArithmetic, "integer overflow in ABS"))
						return value.Null
					}
					if v.I < 0 {
						v.I = -v.I
					}
				}
				return v
			}},
		{Name: "CEIL", Args: "(numeric)", Description: "smallest integer not below x", MinArgs: 1, MaxArgs: 1, Return: wholeResult, Impl: roundTo(math.Ceil)},
		{Name: "CEILING", Args: "(numeric)", Description: "same as CEIL", MinArgs: 1, MaxArgs: 1, Return: wholeResult, Impl: roundTo(math.Ceil)},
		{Name: "FLOOR", Args: "(numeric)", Description: "largest integer not above x (FLOOR(t TO unit) rounds datetimes)", MinArgs: 1, MaxArgs: 1, Return: wholeResult, Impl: roundTo(math.Floor)},
		{Name: "EXP", Args: "(numeric)", Description: "e raised to x", MinArgs: 1, MaxArgs: 1, Return: returns(value.Double, numericArgs), Impl: floatFn(math.Exp)},
		{Name: "LN", Args: "(numeric)", Description: "natural logarithm", MinArgs: 1, MaxArgs: 1, Return: returns(value.Double, numericArgs), Impl: floatFn(math.Log)},
		{Name: "LOG10", Args: "(numeric)", Description: "base-10 logarithm", MinArgs: 1, MaxArgs: 1, Return: returns(value.Double, numericArgs), Impl: floatFn(math.Log10)},
		{Name: "SQRT", Args: "(numeric)", Description: "square root", MinArgs: 1, MaxArgs: 1, Return: returns(value.Double, numericArgs), Impl: floatFn(math.Sqrt)},
		{Name: "POWER", Args: "(numeric, numeric)", Description: "x raised to y", MinArgs: 2, MaxArgs: 2, Return: returns(value.Double, numericArgs),
			Impl: func(c *eval.Ctx, a []value.Value) value.Value {
				return floatFn(func(x float64) float64 { return math.Pow(x, a[1].Float64()) })(c, a)
			}},
		{Name: "MOD", Args: "(integer, integer)", Description: "remainder of x / y", MinArgs: 2, MaxArgs: 2,
			Return: func(args []value.Type) (value.Type, error) {
				for _, a := range args {
					if !a.IsInteger() && a.Base != value.TUnknown {
						return value.Type{}, fmt.Errorf("needs integer arguments, not %s", a)
					}
				}
				return args[1], nil
			},
			Impl: func(c *eval.Ctx, a []value.Value) value.Value {
				if a[1].I == 0 {
					c.Fail(errDivZero)
					return value.Null
				}
				return value.NewInt(a[0].I % a[1].I)
			}},
		{Name: "ROUND", Args: "(numeric [, places])", Description: "round half away from zero to places digits after the point (before it when negative)", MinArgs: 1, MaxArgs: 2,
			Return: roundArgs, Impl: roundFn(false)},
		{Name: "TRUNCATE", Args: "(numeric [, places])", Description: "cut toward zero to places digits after the point (before it when negative)", MinArgs: 1, MaxArgs: 2,
			Return: roundArgs, Impl: roundFn(true)},
		{Name: "CHAR_LENGTH", Args: "(string)", Description: "length in characters", MinArgs: 1, MaxArgs: 1, Return: returns(value.Integer, stringArgs),
			Impl: func(c *eval.Ctx, a []value.Value) value.Value {
				return value.NewInt(int64(utf8.RuneCountInString(a[0].S)))
			}},
		{Name: "CHARACTER_LENGTH", Args: "(string)", Description: "same as CHAR_LENGTH", MinArgs: 1, MaxArgs: 1, Return: returns(value.Integer, stringArgs),
			Impl: func(c *eval.Ctx, a []value.Value) value.Value {
				return value.NewInt(int64(utf8.RuneCountInString(a[0].S)))
			}},
		{Name: "LOWER", Args: "(string)", Description: "lower case", MinArgs: 1, MaxArgs: 1, Return: stringResult,
			Impl: func(c *eval.Ctx, a []value.Value) value.Value { return value.NewString(strings.ToLower(a[0].S)) }},
		{Name: "UPPER", Args: "(string)", Description: "upper case", MinArgs: 1, MaxArgs: 1, Return: stringResult,
			Impl: func(c *eval.Ctx, a []value.Value) value.Value { return value.NewString(strings.ToUpper(a[0].S)) }},
		{Name: "INITCAP", Args: "(string)", Description: "first letter of each word upper case, the rest lower", MinArgs: 1, MaxArgs: 1, Return: stringResult,
			Impl: func(c *eval.Ctx, a []value.Value) value.Value { return value.NewString(initcap(a[0].S)) }},
		{Name: "COALESCE", Args: "(x, y, ...)", Description: "first non-NULL argument", MinArgs: 1, MaxArgs: -1, NullSafe: true, Return: commonResult,
			Impl: func(c *eval.Ctx, a []value.Value) value.Value {
				for _, v := range a {
					if v.K != value.KNull {
						return v
					}
				}
				return value.Null
			}},
		{Name: "NULLIF", Args: "(x, y)", Description: "NULL if x = y, else x", MinArgs: 2, MaxArgs: 2, NullSafe: true,
			Return: func(args []value.Type) (value.Type, error) {
				if _, ok := value.Common(args[0], args[1]); !ok {
					return value.Type{}, fmt.Errorf("cannot compare %s with %s", args[0], args[1])
				}
				return args[0], nil
			},
			Impl: func(c *eval.Ctx, a []value.Value) value.Value {
				if d, ok := value.Compare(a[0], a[1]); ok && d == 0 {
					return value.Null
				}
				return a[0]
			}},
		{Name: "CURRENT_TIMESTAMP", Description: "the time the query started (UTC; in a replay, the first record's arrival)", Return: returns(ts, nil), Volatile: true,
			Impl: func(c *eval.Ctx, a []value.Value) value.Value { return value.NewTimestamp(c.QueryTime()) }},
		{Name: "LOCALTIMESTAMP", Description: "same as CURRENT_TIMESTAMP (the system clock is UTC)", Return: returns(ts, nil), Volatile: true,
			Impl: func(c *eval.Ctx, a []value.Value) value.Value { return value.NewTimestamp(c.QueryTime()) }},
		{Name: "CURRENT_DATE", Description: "the date the query started (in a replay, of the first record's arrival)", Return: returns(value.Type{Base: value.TDate}, nil), Volatile: true,
			Impl: func(c *eval.Ctx, a []value.Value) value.Value {
				return value.NewDate(floorDiv(c.QueryTime(), 86400000) * 86400000)
			}},
		{Name: "CURRENT_TIME", Description: "the time of day the query started (in a replay, of the first record's arrival)", Return: returns(value.Type{Base: value.TTime}, nil), Volatile: true,
			Impl: func(c *eval.Ctx, a []value.Value) value.Value {
				t := c.QueryTime()
				return value.NewTime(t - floorDiv(t, 86400000)*86400000)
			}},
		{Name: "LOCALTIME", Description: "same as CURRENT_TIME", Return: returns(value.Type{Base: value.TTime}, nil), Volatile: true,
			Impl: func(c *eval.Ctx, a []value.Value) value.Value {
				t := c.QueryTime()
				return value.NewTime(t - floorDiv(t, 86400000)*86400000)
			}},
		{Name: "CURRENT_ROW_TIMESTAMP", Description: "the wall clock when the row is output (in a replay, the row's ROWTIME)", Return: returns(ts, nil), Volatile: true,
			Impl: func(c *eval.Ctx, a []value.Value) value.Value { return value.NewTimestamp(c.RowTime()) }},
		{Name: "UNIX_TIMESTAMP", Args: "(timestamp)", Description: "milliseconds since 1970-01-01 00:00:00 UTC", MinArgs: 1, MaxArgs: 1,
			Return: returns(value.Bigint, datetimeArgs), Impl: func(c *eval.Ctx, a []value.Value) value.Value { return value.NewInt(a[0].I) }},
		{Name: "TO_TIMESTAMP", Args: "(bigint)", Description: "the timestamp of a count of milliseconds since the epoch", MinArgs: 1, MaxArgs: 1,
			Return: returns(ts, numericArgs), Impl: func(c *eval.Ctx, a []value.Value) value.Value { return value.NewTimestamp(int64(a[0].Float64())) }},
		{Name: "TSDIFF", Args: "(timestamp, timestamp)", Description: "milliseconds from the second timestamp to the first (BIGINT epoch milliseconds are accepted too)", MinArgs: 2, MaxArgs: 2,
			Return: returns(value.Bigint, func(args []value.Type) error {
				for _, a := range args {
					if a.Base != value.TTimestamp && a.Base != value.TDate && !a.IsInteger() && a.Base != value.TUnknown {
						return fmt.Errorf("needs timestamps or BIGINT milliseconds, not %s", a)
					}
				}
				return nil
			}),
			Impl: func(c *eval.Ctx, a []value.Value) value.Value {
				d := a[0].I - a[1].I
				if (a[0].I >= 0) != (a[1].I >= 0) && (d >= 0) != (a[0].I >= 0) {
					c.Fail(eval.Errorf(eval.ErrArithmetic, "integer overflow in TSDIFF"))
					return value.Null
				}
				return value.NewInt(d)
			}},
		{Name: "MONOTONIC", Args: "(x)", Description: "x, declared monotonic so it can key a streaming GROUP BY", MinArgs: 1, MaxArgs: 1, NullSafe: true,
			Return: func(args []value.Type) (value.Type, error) { return args[0], nil },
			Impl:   func(c *eval.Ctx, a []value.Value) value.Value { return a[0] }},
		{Name: "REGEX_REPLACE", Args: "(string, regex, replacement [, start [, occurrence]])",
			Description: "replace matches of a regular expression (occurrence 0: all; k: only the k-th) from a 1-based start",
			MinArgs:     3, MaxArgs: 5, Return: returns(value.Varchar, nil), Prepare: prepareRegexReplace},
	} {
		functions[f.Name] = f
	}
}

func stringResult(args []value.Type) (value.Type, error) {
	if err := stringArgs(args); err != nil {
		return value.Type{}, err
	}
	return value.Type{Base: value.TVarchar, Len: args[0].Len}, nil
}

func commonResult(args []value.Type) (value.Type, error) {
	t := value.Unknown
	for _, a := range args {
		var ok bool
		if t, ok = value.Common(t, a); !ok {
			return value.Type{}, fmt.Errorf("arguments of types %s and %s do not mix", t, a)
		}
	}
	return t, nil
}

func datetimeArgs(args []value.Type) error {
	for _, a := range args {
		if !a.IsDatetime() && a.Base != value.TUnknown {
			return fmt.Errorf("needs timestamp arguments, not %s", a)
		}
	}
	return nil
}

// initcap upper-cases the first character of each space-delimited word
// and lower-cases the rest (INITCAP's documented rule): o'neil-SMITH
// becomes O'neil-smith.
func initcap(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	start := true
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			start = true
		case start:
			r = unicode.ToUpper(r)
			start = false
		default:
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// javaReplacement turns a java.util.regex replacement string into Go's
// Expand template: $n is group n, \x is a literal x, and a $ not
// followed by a digit is an error (as in Java).
func javaReplacement(r string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		switch c := r[i]; c {
		case '\\':
			if i+1 >= len(r) {
				return "", fmt.Errorf("replacement '%s' ends with \\", r)
			}
			i++
			if r[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(r[i])
			}
		case '$':
			j := i + 1
			for j < len(r) && r[j] >= '0' && r[j] <= '9' {
				j++
			}
			if j == i+1 {
				return "", fmt.Errorf("illegal group reference in replacement '%s'", r)
			}
			b.WriteString("${" + r[i+1:j] + "}")
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func prepareRegexReplace(consts []*Compiled) (func(c *eval.Ctx, a []value.Value) value.Value, error) {
	if consts[1] == nil {
		return nil, fmt.Errorf("the regular expression must be a constant")
	}
	re, err := compileJavaRegexp(consts[1].Value.S)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression: %v", err)
	}
	var fixed string // the replacement, translated once when constant
	constRepl := consts[2] != nil && consts[2].Value.K == value.KString
	if constRepl {
		if fixed, err = javaReplacement(consts[2].Value.S); err != nil {
			return nil, err
		}
	}
	return func(c *eval.Ctx, a []value.Value) value.Value {
		src, repl := a[0].S, fixed
		if !constRepl {
			var err error
			if repl, err = javaReplacement(a[2].S); err != nil {
				c.Fail(eval.Errorf(eval.ErrConversion, err.Error()))
				return value.Null
			}
		}
		start, occ := int64(1), int64(0)
		if len(a) > 3 {
			start = a[3].I
		}
		if len(a) > 4 {
			occ = a[4].I
		}
		if start < 1 {
			c.Fail(eval.Errorf(eval.ErrConversion, fmt.Sprintf("REGEX_REPLACE start position %d is less than 1", start)))
			return value.Null
		}
		if occ < 0 {
			c.Fail(eval.Errorf(eval.ErrConversion, fmt.Sprintf("REGEX_REPLACE occurrence %d is negative", occ)))
			return value.Null
		}
		// byte offset of the start character
		off := 0
		for n := int64(1); n < start; n++ {
			if off >= len(src) {
				return value.NewString(src) // start past the end: the original
			}
			_, w := utf8.DecodeRuneInString(src[off:])
			off += w
		}
		if off >= len(src) && start > 1 {
			return value.NewString(src)
		}
		head, tail := src[:off], src[off:]
		var out []byte
		n, last, replaced := int64(0), 0, false
		for _, m := range re.FindAllStringSubmatchIndex(tail, -1) {
			n++
			if occ != 0 && n != occ {
				continue
			}
			out = append(out, tail[last:m[0]]...)
			out = re.ExpandString(out, repl, tail, m)
			last, replaced = m[1], true
			if occ != 0 {
				break
			}
		}
		if !replaced {
			return value.NewString(src)
		}
		out = append(out, tail[last:]...)
		return value.NewString(head + string(out))
	}, nil
}

// Functions lists the scalar functions, sorted by name.
func Functions() []*Function {
	out := make([]*Function, 0, len(functions))
	for _, f := range functions {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func call(x *parser.FuncCall, sc Scope) (*Compiled, error) {
	name := x.Name.Name
	if IsAggregateName(name) {
		return nil, errorf(x, "aggregate function %s is not allowed here", name)
	}
	f, ok := functions[name]
	if ok && f.Syntax != "" {
		return nil, errorf(x, "%s is written %s", name, f.Syntax)
	}
	if !ok {
		msg := fmt.Sprintf("unknown function %s", name)
		for _, g := range Functions() {
			if strings.EqualFold(g.Name, name) || (len(name) > 3 && strings.HasPrefix(g.Name, name[:3])) {
				msg += fmt.Sprintf("; did you mean %s?", g.Name)
				break
			}
		}
		return nil, errorf(x, "%s", msg)
	}
	if x.Star || x.Distinct || x.Over != nil || x.OverName != nil {
		return nil, errorf(x, "%s is a scalar function: no *, DISTINCT or OVER", name)
	}
	n := len(x.Args)
	if n < f.MinArgs || (f.MaxArgs >= 0 && n > f.MaxArgs) {
		want := fmt.Sprintf("%d", f.MinArgs)
		if f.MaxArgs != f.MinArgs {
			if f.MaxArgs < 0 {
				want = fmt.Sprintf("at least %d", f.MinArgs)
			} else {
				want = fmt.Sprintf("%d to %d", f.MinArgs, f.MaxArgs)
			}
		}
		return nil, errorf(x, "%s takes %s arguments, got %d", name, want, n)
	}
	args := make([]*Compiled, n)
	types := make([]value.Type, n)
	allConst := true
	for i, a := range x.Args {
		c, err := compile(a, sc)
		if err != nil {
			return nil, err
		}
		args[i], types[i] = c, c.Type
		allConst = allConst && c.Const
	}
	consts := make([]*Compiled, n)
	for i, a := range args {
		if a.Const {
			consts[i] = a
		}
	}
	var t value.Type
	var impl Impl
	var err error
	if f.Build != nil {
		if t, impl, err = f.Build(consts, types); err != nil {
			return nil, errorf(x, "%s: %v", name, err)
		}
	} else {
		if t, err = f.Return(types); err != nil {
			return nil, errorf(x, "%s %v", name, err)
		}
		impl = f.Impl
		if f.Prepare != nil {
			if impl, err = f.Prepare(consts); err != nil {
				return nil, errorf(x, "%s: %v", name, err)
			}
		}
	}
	fns := make([]eval.Func, n)
	for i, a := range args {
		fns[i] = a.Eval
	}
	nullSafe := f.NullSafe
	// The argument slice is passed to an indirect call, so a stack array
	// would escape to the heap on every row: the node keeps one buffer and
	// takes it while evaluating (a concurrent evaluation of the same node,
	// which the engine does not do, would allocate its own).
	own := make([]value.Value, n)
	var busy atomic.Bool
	out := &Compiled{Type: t, Eval: func(c *eval.Ctx, row []value.Value) value.Value {
		vals := own
		mine := busy.CompareAndSwap(false, true)
		if !mine {
			vals = make([]value.Value, n)
		}
		r := value.Null
		for i, fn := range fns {
			v := fn(c, row)
			if !nullSafe && v.K == value.KNull {
				goto done
			}
			vals[i] = v
		}
		r = impl(c, vals)
	done:
		if mine {
			busy.Store(false)
		}
		return r
	}}
	if allConst && !f.Volatile {
		if folded, err := fold(out); err == nil {
			return folded, nil
		}
	}
	return out, nil
}
