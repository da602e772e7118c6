// Package value holds streamsql's runtime values and SQL types.
//
// A Value is a small tagged struct, not an interface, so rows are flat
// []Value slices and the hot path never boxes a field.
package value

import "fmt"

// Kind is the runtime representation of a value.
type Kind uint8

const (
	KNull       Kind = iota
	KBool            // I: 0 or 1
	KInt             // I: TINYINT, SMALLINT, INTEGER, BIGINT
	KDecimal         // I: unscaled value, Scale: digits after the point
	KFloat           // F: REAL, DOUBLE
	KString          // S: CHAR, VARCHAR
	KBinary          // S: raw bytes of BINARY, VARBINARY
	KTimestamp       // I: milliseconds since 1970-01-01 00:00:00 UTC
	KDate            // I: milliseconds since the epoch at midnight UTC of that day
	KTime            // I: milliseconds since midnight
	KIntervalDT      // I: day-time interval in milliseconds
	KIntervalYM      // I: year-month interval in months
	KRow             // R: composite value returned by the log-parsing functions
)

// Value is one SQL value. The zero Value is NULL.
type Value struct {
	K     Kind
	Scale uint8 // KDecimal only
	I     int64
	F     float64
	S     string
	R     *Composite // KRow only
}

// Composite is a ROW value: named fields, addressed as (expr).FIELD.
type Composite struct {
	Names  []string
	Types  []Type
	Fields []Value
}

// Null is the SQL NULL.
var Null = Value{}

func (v Value) IsNull() bool { return v.K == KNull }

func NewBool(b bool) Value {
	if b {
		return Value{K: KBool, I: 1}
	}
	return Value{K: KBool}
}
func NewInt(i int64) Value             { return Value{K: KInt, I: i} }
func NewFloat(f float64) Value         { return Value{K: KFloat, F: f} }
func NewString(s string) Value         { return Value{K: KString, S: s} }
func NewBinary(b []byte) Value         { return Value{K: KBinary, S: string(b)} }
func NewTimestamp(ms int64) Value      { return Value{K: KTimestamp, I: ms} }
func NewDate(ms int64) Value           { return Value{K: KDate, I: ms} }
func NewTime(ms int64) Value           { return Value{K: KTime, I: ms} }
func NewIntervalDT(ms int64) Value     { return Value{K: KIntervalDT, I: ms} }
func NewIntervalYM(months int64) Value { return Value{K: KIntervalYM, I: months} }
func NewDecimal(unscaled int64, scale uint8) Value {
	return Value{K: KDecimal, I: unscaled, Scale: scale}
}

// Bool reports the truth of a KBool value (false for NULL).
func (v Value) Bool() bool { return v.K == KBool && v.I != 0 }

// Base names an SQL type.
type Base uint8

const (
	TUnknown Base = iota // the type of a bare NULL literal
	TBoolean
	TTinyint
	TSmallint
	TInteger
	TBigint
	TDecimal
	TReal
	TDouble
	TChar
	TVarchar
	TBinary
	TVarbinary
	TDate
	TTime
	TTimestamp
	TIntervalDT // INTERVAL DAY|HOUR|MINUTE|SECOND [TO ...]
	TIntervalYM // INTERVAL YEAR|MONTH [TO MONTH]
	TRow        // composite; Type.Fields describes it
	TAny        // placeholder used only by function signatures
)

// Type is a full SQL type: base plus length, precision and scale.
type Type struct {
	Base      Base
	Len       int // CHAR, VARCHAR, BINARY, VARBINARY: maximum length (0 = unbounded)
	Precision int // DECIMAL precision
	Scale     int // DECIMAL scale
	NotNull   bool
	Fields    []Field // TRow only
}

// Field is one named field of a ROW type.
type Field struct {
	Name string
	Type Type
}

var baseNames = [...]string{
	TUnknown: "NULL", TBoolean: "BOOLEAN", TTinyint: "TINYINT", TSmallint: "SMALLINT",
	TInteger: "INTEGER", TBigint: "BIGINT", TDecimal: "DECIMAL", TReal: "REAL", TDouble: "DOUBLE",
	TChar: "CHAR", TVarchar: "VARCHAR", TBinary: "BINARY", TVarbinary: "VARBINARY", TDate: "DATE",
	TTime: "TIME", TTimestamp: "TIMESTAMP", TIntervalDT: "INTERVAL DAY TO SECOND",
	TIntervalYM: "INTERVAL YEAR TO MONTH", TRow: "ROW", TAny: "ANY",
}

func (b Base) String() string {
	if int(b) < len(baseNames) {
		return baseNames[b]
	}
	return fmt.Sprintf("Base(%d)", int(b))
}

// String renders the type as SQL, e.g. VARCHAR(4) or DECIMAL(5,2).
func (t Type) String() string {
	switch t.Base {
	case TChar, TVarchar, TBinary, TVarbinary:
		if t.Len > 0 {
			return fmt.Sprintf("%s(%d)", t.Base, t.Len)
		}
	case TDecimal:
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision, t.Scale)
	}
	return t.Base.String()
}

// Kind is the runtime representation used for values of this type.
func (t Type) Kind() Kind {
	switch t.Base {
	case TBoolean:
		return KBool
	case TTinyint, TSmallint, TInteger, TBigint:
		return KInt
	case TDecimal:
		return KDecimal
	case TReal, TDouble:
		return KFloat
	case TChar, TVarchar:
		return KString
	case TBinary, TVarbinary:
		return KBinary
	case TDate:
		return KDate
	case TTime:
		return KTime
	case TTimestamp:
		return KTimestamp
	case TIntervalDT:
		return KIntervalDT
	case TIntervalYM:
		return KIntervalYM
	case TRow:
		return KRow
	}
	return KNull
}

func (t Type) IsInteger() bool { return t.Base >= TTinyint && t.Base <= TBigint }
func (t Type) IsNumeric() bool { return t.Base >= TTinyint && t.Base <= TDouble }
func (t Type) IsString() bool  { return t.Base == TChar || t.Base == TVarchar }
func (t Type) IsDatetime() bool {
	return t.Base == TDate || t.Base == TTime || t.Base == TTimestamp
}
func (t Type) IsInterval() bool { return t.Base == TIntervalDT || t.Base == TIntervalYM }

// Common types.
var (
	Boolean   = Type{Base: TBoolean}
	Integer   = Type{Base: TInteger}
	Bigint    = Type{Base: TBigint}
	Double    = Type{Base: TDouble}
	Varchar   = Type{Base: TVarchar}
	Timestamp = Type{Base: TTimestamp}
	Unknown   = Type{Base: TUnknown}
)
