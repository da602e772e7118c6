package expr

import (
	"fmt"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/value"
)

// The datetime conversion functions take the pattern first:
// CHAR_TO_TIMESTAMP('yyyy-MM-dd hh:mm:ss', s), TIMESTAMP_TO_CHAR(pattern, ts).
// A constant pattern is compiled at plan time (an invalid one is a plan
// error); a pattern computed per row is compiled on first use and cached.

const msPerDay = 86400000

// patternSource gives the compiled pattern for a row.
type patternSource func(c *eval.Ctx, p value.Value) *DateFormat

func datePattern(consts []*Compiled) (patternSource, error) {
	if k := consts[0]; k != nil {
		if k.Value.K == value.KNull {
			return func(*eval.Ctx, value.Value) *DateFormat { return nil }, nil
		}
		f, err := CompileDateFormat(k.Value.S)
		if err != nil {
			return nil, err
		}
		return func(*eval.Ctx, value.Value) *DateFormat { return f }, nil
	}
	cache := map[string]*DateFormat{}
	return func(c *eval.Ctx, p value.Value) *DateFormat {
		if f, ok := cache[p.S]; ok {
			return f
		}
		f, err := CompileDateFormat(p.S)
		if err != nil {
			c.Fail(eval.Errorf(eval.ErrConversion, err.Error()))
			return nil
		}
		if len(cache) >= 256 {
			clear(cache)
		}
		cache[p.S] = f
		return f
	}, nil
}

func checkPatternArgs(types []value.Type, second func(value.Type) bool, what string) error {
	if t := types[0]; !t.IsString() && t.Base != value.TUnknown {
		return fmt.Errorf("needs a string pattern as first argument, not %s", t)
	}
	if t := types[1]; !second(t) && t.Base != value.TUnknown {
		return fmt.Errorf("needs %s as second argument, not %s", what, t)
	}
	return nil
}

// charTo builds CHAR_TO_TIMESTAMP, CHAR_TO_DATE and CHAR_TO_TIME.
func charTo(result value.Type) func([]*Compiled, []value.Type) (value.Type, Impl, error) {
	return func(consts []*Compiled, types []value.Type) (value.Type, Impl, error) {
		if err := checkPatternArgs(types, value.Type.IsString, "a string"); err != nil {
			return value.Type{}, nil, err
		}
		pat, err := datePattern(consts)
		if err != nil {
			return value.Type{}, nil, err
		}
		return result, func(c *eval.Ctx, a []value.Value) value.Value {
			f := pat(c, a[0])
			if f == nil {
				return value.Null
			}
			ms, err := f.Parse(a[1].S)
			if err != nil {
				c.Fail(eval.Errorf(eval.ErrConversion, err.Error()))
				return value.Null
			}
			switch result.Base {
			case value.TDate:
				return value.NewDate(floorDiv(ms, msPerDay) * msPerDay)
			case value.TTime:
				return value.NewTime(ms - floorDiv(ms, msPerDay)*msPerDay)
			}
			return value.NewTimestamp(ms)
		}, nil
	}
}

// toChar builds TIMESTAMP_TO_CHAR, DATE_TO_CHAR and TIME_TO_CHAR. The
// function is NULL-safe: a NULL pattern gives NULL, and a NULL datetime
// gives the string 'null' (documented for TIMESTAMP_TO_CHAR).
func toChar(arg value.Base) func([]*Compiled, []value.Type) (value.Type, Impl, error) {
	return func(consts []*Compiled, types []value.Type) (value.Type, Impl, error) {
		ok := func(t value.Type) bool {
			if arg == value.TTimestamp {
				return t.Base == value.TTimestamp || t.Base == value.TDate
			}
			return t.Base == arg
		}
		if err := checkPatternArgs(types, ok, value.Type{Base: arg}.String()); err != nil {
			return value.Type{}, nil, err
		}
		pat, err := datePattern(consts)
		if err != nil {
			return value.Type{}, nil, err
		}
		return value.Varchar, func(c *eval.Ctx, a []value.Value) value.Value {
			if a[0].K == value.KNull {
				return value.Null
			}
			f := pat(c, a[0])
			if f == nil {
				return value.Null
			}
			if a[1].K == value.KNull {
				return value.NewString("null")
			}
			return value.NewString(f.Format(a[1].I))
		}, nil
	}
}

func init() {
	date, tm := value.Type{Base: value.TDate}, value.Type{Base: value.TTime}
	for _, f := range []*Function{
		{Name: "CHAR_TO_TIMESTAMP", Args: "(pattern, string)", Description: "parse a string with a SimpleDateFormat pattern into a TIMESTAMP",
			MinArgs: 2, MaxArgs: 2, Build: charTo(value.Timestamp)},
		{Name: "CHAR_TO_DATE", Args: "(pattern, string)", Description: "parse a string with a SimpleDateFormat pattern into a DATE",
			MinArgs: 2, MaxArgs: 2, Build: charTo(date)},
		{Name: "CHAR_TO_TIME", Args: "(pattern, string)", Description: "parse a string with a SimpleDateFormat pattern into a TIME",
			MinArgs: 2, MaxArgs: 2, Build: charTo(tm)},
		{Name: "TIMESTAMP_TO_CHAR", Args: "(pattern, timestamp)", Description: "format a TIMESTAMP with a SimpleDateFormat pattern",
			MinArgs: 2, MaxArgs: 2, NullSafe: true, Build: toChar(value.TTimestamp)},
		{Name: "DATE_TO_CHAR", Args: "(pattern, date)", Description: "format a DATE with a SimpleDateFormat pattern",
			MinArgs: 2, MaxArgs: 2, NullSafe: true, Build: toChar(value.TDate)},
		{Name: "TIME_TO_CHAR", Args: "(pattern, time)", Description: "format a TIME with a SimpleDateFormat pattern",
			MinArgs: 2, MaxArgs: 2, NullSafe: true, Build: toChar(value.TTime)},
	} {
		functions[f.Name] = f
	}
}
