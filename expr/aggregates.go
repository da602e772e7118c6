package expr

import (
	"fmt"
	"strings"

	"github.com/streamsql/streamsql/value"
	"github.com/streamsql/streamsql/window"
)

// Window is a set of window kinds an aggregate can run in.
type Window uint8

const (
	Tumbling Window = 1 << iota // GROUP BY with a time key, SELECT STREAM DISTINCT
	Sliding                     // AGG(x) OVER (...)
	Stagger                     // WINDOWED BY STAGGER (...)
)

// String names the windows of w as a user writes them.
func (w Window) String() string {
	var parts []string
	for _, k := range []struct {
		w    Window
		name string
	}{{Tumbling, "GROUP BY"}, {Sliding, "OVER"}, {Stagger, "WINDOWED BY STAGGER"}} {
		if w&k.w != 0 {
			parts = append(parts, k.name)
		}
	}
	return strings.Join(parts, ", ")
}

// Aggregate is one aggregate or analytic function: its name, arity,
// argument and result types, the windows it runs in and the call forms it
// accepts. The binder, the tumbling, stagger and sliding planners, their
// error messages and `streamsql functions` all read this table; the
// accumulators themselves live in package window (Kind). ALL, the
// default, is accepted by every aggregate.
type Aggregate struct {
	Name        string
	AliasOf     string // SOME is ANY: listed, but not in "one of" messages
	Kind        window.AggKind
	Args        string // signature for documentation, e.g. "(numeric)"
	Description string
	MinArgs     int
	MaxArgs     int
	Star        bool // NAME(*) counts rows
	Windows     Window
	Distinct    bool // NAME(DISTINCT x) is accepted
	IgnoreNulls bool // IGNORE NULLS changes the result (skips NULL rows)
	// Return checks the first argument's type and gives the result type.
	Return func(arg value.Type) (value.Type, error)
}

// Signature is how the aggregate is written, e.g. SUM(numeric).
func (a *Aggregate) Signature() string {
	s := a.Name + a.Args
	if a.IgnoreNulls {
		s += " [IGNORE NULLS]"
	}
	if a.Windows == Sliding {
		s += " OVER w"
	}
	return s
}

// Arity says how many arguments the aggregate takes, for messages.
func (a *Aggregate) Arity() string {
	switch {
	case a.MinArgs == 1 && a.MaxArgs == 1:
		return "one argument"
	case a.MinArgs == a.MaxArgs:
		return fmt.Sprintf("%d arguments", a.MinArgs)
	}
	return fmt.Sprintf("%d to %d arguments", a.MinArgs, a.MaxArgs)
}

// Integer sums and averages stay integers (AVG truncates), as the KDA
// reference's worked examples show.
func sumType(arg value.Type) (value.Type, error) {
	if err := numericArg(arg); err != nil {
		return value.Type{}, err
	}
	switch arg.Base {
	case value.TTinyint, value.TSmallint, value.TInteger:
		return value.Integer, nil
	case value.TBigint:
		return value.Bigint, nil
	case value.TDecimal:
		return value.Type{Base: value.TDecimal, Precision: 19, Scale: arg.Scale}, nil
	}
	return value.Double, nil
}

func numericArg(arg value.Type) error {
	if !arg.IsNumeric() && arg.Base != value.TUnknown {
		return fmt.Errorf("needs a numeric argument, not %s", arg)
	}
	return nil
}

func doubleOfNumeric(arg value.Type) (value.Type, error) {
	if err := numericArg(arg); err != nil {
		return value.Type{}, err
	}
	return value.Double, nil
}

func boolOfBool(arg value.Type) (value.Type, error) {
	if arg.Base != value.TBoolean && arg.Base != value.TUnknown {
		return value.Type{}, fmt.Errorf("needs a BOOLEAN argument, not %s", arg)
	}
	return value.Boolean, nil
}

// nullableArg is the argument's own type: a value taken from some row, or
// NULL when there is none.
func nullableArg(arg value.Type) (value.Type, error) {
	arg.NotNull = false
	return arg, nil
}

func bigint(value.Type) (value.Type, error) { return value.Bigint, nil }

const allWindows = Tumbling | Sliding | Stagger

// aggregateTable is in the order "one of" messages list the names.
var aggregateTable = []*Aggregate{
	{Name: "COUNT", Kind: window.AggCount, Args: "(x) or COUNT(*)", Description: "number of non-NULL values; COUNT(*) counts rows",
		MinArgs: 1, MaxArgs: 1, Star: true, Windows: allWindows, Return: bigint},
	{Name: "SUM", Kind: window.AggSum, Args: "(numeric)", Description: "sum; integer sums stay integers, NULL for no values",
		MinArgs: 1, MaxArgs: 1, Windows: allWindows, Return: sumType},
	{Name: "AVG", Kind: window.AggAvg, Args: "(numeric)", Description: "mean; integer means truncate",
		MinArgs: 1, MaxArgs: 1, Windows: allWindows, Return: sumType},
	{Name: "MIN", Kind: window.AggMin, Args: "(x)", Description: "smallest value",
		MinArgs: 1, MaxArgs: 1, Windows: allWindows, Return: nullableArg},
	{Name: "MAX", Kind: window.AggMax, Args: "(x)", Description: "largest value",
		MinArgs: 1, MaxArgs: 1, Windows: allWindows, Return: nullableArg},
	{Name: "FIRST_VALUE", Kind: window.AggFirstValue, Args: "(x)", Description: "value of the window's first row",
		MinArgs: 1, MaxArgs: 1, Windows: allWindows, IgnoreNulls: true, Return: nullableArg},
	{Name: "LAST_VALUE", Kind: window.AggLastValue, Args: "(x)", Description: "value of the window's last row",
		MinArgs: 1, MaxArgs: 1, Windows: allWindows, IgnoreNulls: true, Return: nullableArg},
	{Name: "NTH_VALUE", Kind: window.AggNthValue, Args: "(x, n) [FROM FIRST | FROM LAST]", Description: "value of the window's n-th row (from the first or the last)",
		MinArgs: 2, MaxArgs: 2, Windows: Sliding, IgnoreNulls: true, Return: nullableArg},
	{Name: "LAG", Kind: window.AggLag, Args: "(x [, offset [, default]])", Description: "value of the row offset rows before the current one (default 1), or default",
		MinArgs: 1, MaxArgs: 3, Windows: Sliding, IgnoreNulls: true, Return: nullableArg},
	{Name: "EXP_AVG", Kind: window.AggExpAvg, Args: "(numeric, half-life interval)", Description: "exponentially weighted mean, weights halving every half-life of ROWTIME",
		MinArgs: 2, MaxArgs: 2, Windows: Sliding, Return: doubleOfNumeric},
	{Name: "STDDEV_POP", Kind: window.AggStddevPop, Args: "(numeric)", Description: "population standard deviation",
		MinArgs: 1, MaxArgs: 1, Windows: allWindows, Return: doubleOfNumeric},
	{Name: "STDDEV_SAMP", Kind: window.AggStddevSamp, Args: "(numeric)", Description: "sample standard deviation; NULL below two values",
		MinArgs: 1, MaxArgs: 1, Windows: allWindows, Return: doubleOfNumeric},
	{Name: "VAR_POP", Kind: window.AggVarPop, Args: "(numeric)", Description: "population variance",
		MinArgs: 1, MaxArgs: 1, Windows: allWindows, Return: doubleOfNumeric},
	{Name: "VAR_SAMP", Kind: window.AggVarSamp, Args: "(numeric)", Description: "sample variance; NULL below two values",
		MinArgs: 1, MaxArgs: 1, Windows: allWindows, Return: doubleOfNumeric},
	{Name: "ANY", Kind: window.AggAny, Args: "(boolean)", Description: "TRUE when some value is TRUE",
		MinArgs: 1, MaxArgs: 1, Windows: allWindows, Return: boolOfBool},
	{Name: "SOME", AliasOf: "ANY", Kind: window.AggAny, Args: "(boolean)", Description: "the same as ANY",
		MinArgs: 1, MaxArgs: 1, Windows: allWindows, Return: boolOfBool},
	{Name: "EVERY", Kind: window.AggEvery, Args: "(boolean)", Description: "TRUE when every value is TRUE",
		MinArgs: 1, MaxArgs: 1, Windows: allWindows, Return: boolOfBool},
}

var aggregateByName = func() map[string]*Aggregate {
	m := make(map[string]*Aggregate, len(aggregateTable))
	for _, a := range aggregateTable {
		m[a.Name] = a
	}
	return m
}()

// LookupAggregate returns the aggregate or analytic function called name,
// or nil.
func LookupAggregate(name string) *Aggregate { return aggregateByName[name] }

// IsAggregateName reports whether name is an aggregate or analytic function.
func IsAggregateName(name string) bool { return aggregateByName[name] != nil }

// Aggregates lists the aggregate and analytic functions in table order.
func Aggregates() []*Aggregate { return append([]*Aggregate(nil), aggregateTable...) }

// AggregateNames lists the aggregates usable in every window of w (aliases
// left out), for messages.
func AggregateNames(w Window) []string {
	var out []string
	for _, a := range aggregateTable {
		if a.Windows&w == w && a.AliasOf == "" {
			out = append(out, a.Name)
		}
	}
	return out
}

// StarNames lists the aggregates that accept *, for messages.
func StarNames() []string {
	var out []string
	for _, a := range aggregateTable {
		if a.Star {
			out = append(out, a.Name)
		}
	}
	return out
}
