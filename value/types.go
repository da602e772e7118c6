package value

import "fmt"

// ResolveType maps a canonical type name (as the parser spells it) and its
// parenthesised arguments to a Type.
func ResolveType(name string, args []int) (Type, error) {
	nargs := func(max int) error {
		if len(args) > max {
			return fmt.Errorf("%s takes at most %d arguments, got %d", name, max, len(args))
		}
		return nil
	}
	simple := map[string]Base{"BOOLEAN": TBoolean, "TINYINT": TTinyint, "SMALLINT": TSmallint, "INTEGER": TInteger,
		"INT": TInteger, "BIGINT": TBigint, "REAL": TReal, "DOUBLE": TDouble, "FLOAT": TDouble,
		"DATE": TDate, "TIME": TTime, "TIMESTAMP": TTimestamp}
	if b, ok := simple[name]; ok {
		if name == "TIME" || name == "TIMESTAMP" || name == "FLOAT" {
			if err := nargs(1); err != nil { // precision accepted and ignored: always milliseconds
				return Type{}, err
			}
		} else if err := nargs(0); err != nil {
			return Type{}, err
		}
		return Type{Base: b}, nil
	}
	switch name {
	case "DECIMAL", "NUMERIC", "DEC":
		if err := nargs(2); err != nil {
			return Type{}, err
		}
		t := Type{Base: TDecimal, Precision: 19}
		if len(args) > 0 {
			t.Precision = args[0]
		}
		if len(args) > 1 {
			t.Scale = args[1]
		}
		if t.Precision < 1 || t.Precision > 19 {
			return Type{}, fmt.Errorf("DECIMAL precision %d is outside 1..19", t.Precision)
		}
		if t.Scale < 0 || t.Scale > t.Precision {
			return Type{}, fmt.Errorf("DECIMAL scale %d is outside 0..%d", t.Scale, t.Precision)
		}
		return t, nil
	case "CHAR", "CHARACTER", "VARCHAR", "BINARY", "VARBINARY":
		if err := nargs(1); err != nil {
			return Type{}, err
		}
		b := map[string]Base{"CHAR": TChar, "CHARACTER": TChar, "VARCHAR": TVarchar, "BINARY": TBinary, "VARBINARY": TVarbinary}[name]
		t := Type{Base: b}
		if len(args) == 1 {
			t.Len = args[0]
			if t.Len < 1 || t.Len > 65535 {
				return Type{}, fmt.Errorf("%s length %d is outside 1..65535", name, t.Len)
			}
		} else if b == TChar || b == TBinary {
			t.Len = 1
		}
		return t, nil
	}
	return Type{}, fmt.Errorf("unknown type %s", name)
}

// ColumnType is ResolveType for a column of a stream, a reference table or
// an input schema: every type but INTERVAL, which exists only in
// expressions.
func ColumnType(name string, args []int) (Type, error) {
	if name == "INTERVAL" {
		return Type{}, fmt.Errorf("INTERVAL cannot be a column type; intervals exist only in expressions")
	}
	return ResolveType(name, args)
}

var numericRank = map[Base]int{TTinyint: 1, TSmallint: 2, TInteger: 3, TBigint: 4, TDecimal: 5, TReal: 6, TDouble: 7}

// Common is the type two values meet in: the arms of CASE and UNION ALL,
// the operands of a comparison.
func Common(a, b Type) (Type, bool) {
	switch {
	case a.Base == TUnknown:
		b.NotNull = false
		return b, true
	case b.Base == TUnknown:
		a.NotNull = false
		return a, true
	case a.IsNumeric() && b.IsNumeric():
		t := a
		if numericRank[b.Base] > numericRank[a.Base] {
			t = b
		}
		if a.Base == TDecimal && b.Base == TDecimal {
			t.Scale = max(a.Scale, b.Scale)
			t.Precision = min(19, max(a.Precision-a.Scale, b.Precision-b.Scale)+t.Scale)
		}
		t.NotNull = a.NotNull && b.NotNull
		return t, true
	case a.IsString() && b.IsString():
		t := Type{Base: TVarchar, Len: max(a.Len, b.Len)}
		if a.Len == 0 || b.Len == 0 {
			t.Len = 0
		}
		if a.Base == TChar && b.Base == TChar {
			t.Base = TChar
		}
		return t, true
	case (a.Base == TTimestamp || a.Base == TDate) && (b.Base == TTimestamp || b.Base == TDate):
		if a.Base == b.Base {
			return a, true
		}
		return Type{Base: TTimestamp}, true
	case a.Base == b.Base:
		return a, true
	case (a.Base == TBinary || a.Base == TVarbinary) && (b.Base == TBinary || b.Base == TVarbinary):
		return Type{Base: TVarbinary, Len: max(a.Len, b.Len)}, true
	}
	return Type{}, false
}
