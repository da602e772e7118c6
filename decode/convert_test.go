package decode

import (
	"encoding/hex"
	"strconv"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/streamsql/streamsql/value"
)

// show renders a converted value with its kind, floats to the last bit, so
// that a REAL not rounded to 32 bits or an integer read as a float shows.
func show(v value.Value) string {
	switch v.K {
	case value.KNull:
		return "NULL"
	case value.KBool:
		return strconv.FormatBool(v.Bool())
	case value.KInt:
		return "int " + strconv.FormatInt(v.I, 10)
	case value.KFloat:
		return "float " + strconv.FormatFloat(v.F, 'g', -1, 64)
	case value.KDecimal:
		return "decimal " + string(value.AppendText(nil, v, value.Type{}))
	case value.KString:
		return strconv.Quote(v.S)
	case value.KBinary:
		return "x" + hex.EncodeToString([]byte(v.S))
	case value.KTimestamp:
		return "ts " + string(value.AppendTimestamp(nil, v.I))
	}
	return "kind " + strconv.Itoa(int(v.K))
}

var (
	tinyint  = value.Type{Base: value.TTinyint}
	smallint = value.Type{Base: value.TSmallint}
	real     = value.Type{Base: value.TReal}
	dec82    = value.Type{Base: value.TDecimal, Precision: 8, Scale: 2}
	binary   = value.Type{Base: value.TVarbinary, Len: 8}
)

// convCase is one conversion: the input (JSON text for fromJSON, the raw
// string for fromString), the column type, and the value shown or the
// start of the error.
type convCase struct {
	in   string
	t    value.Type
	want string
	err  string
}

func checkConv(t *testing.T, name string, tc convCase, v value.Value, err error) {
	t.Helper()
	switch {
	case tc.err != "":
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s %s as %s: got %s, %v; want error containing %q", name, tc.in, tc.t, show(v), err, tc.err)
		}
	case err != nil:
		t.Errorf("%s %s as %s: error %v; want %s", name, tc.in, tc.t, err, tc.want)
	case show(v) != tc.want:
		t.Errorf("%s %s as %s: got %s, want %s", name, tc.in, tc.t, show(v), tc.want)
	}
}

// TestJSONConversionEdges walks each JSON → SQL rule of the input schema
// mapping (null, boolean, number, string, object/array) to the edges of its
// target types.
func TestJSONConversionEdges(t *testing.T) {
	for _, tc := range []convCase{
		// null is NULL for every type.
		{in: `null`, t: value.Integer, want: "NULL"},
		{in: `null`, t: value.Boolean, want: "NULL"},
		{in: `null`, t: binary, want: "NULL"},
		// boolean: 1/0 for numbers, text truncated for strings, one byte for binary.
		{in: `true`, t: value.Boolean, want: "true"},
		{in: `false`, t: value.Boolean, want: "false"},
		{in: `true`, t: tinyint, want: "int 1"},
		{in: `false`, t: value.Bigint, want: "int 0"},
		{in: `true`, t: value.Double, want: "float 1"},
		{in: `true`, t: dec82, want: "decimal 1.00"},
		{in: `true`, t: value.Type{Base: value.TVarchar, Len: 3}, want: `"tru"`},
		{in: `false`, t: value.Type{Base: value.TVarchar, Len: 5}, want: `"false"`},
		{in: `true`, t: binary, want: "x01"},
		{in: `false`, t: binary, want: "x00"},
		{in: `true`, t: value.Timestamp, err: "cannot convert true to TIMESTAMP"},
		// number → integer types: exact fit at each type's edges.
		{in: `127`, t: tinyint, want: "int 127"},
		{in: `128`, t: tinyint, err: "out of range"},
		{in: `-128`, t: tinyint, want: "int -128"},
		{in: `-129`, t: tinyint, err: "out of range"},
		{in: `32767`, t: smallint, want: "int 32767"},
		{in: `32768`, t: smallint, err: "out of range"},
		{in: `2147483647`, t: value.Integer, want: "int 2147483647"},
		{in: `2147483648`, t: value.Integer, err: "out of range"},
		{in: `-2147483648`, t: value.Integer, want: "int -2147483648"},
		{in: `-2147483649`, t: value.Integer, err: "out of range"},
		{in: `9223372036854775807`, t: value.Bigint, want: "int 9223372036854775807"},
		{in: `-9223372036854775808`, t: value.Bigint, want: "int -9223372036854775808"},
		{in: `9223372036854775808`, t: value.Bigint, err: "does not fit BIGINT"},
		{in: `1e3`, t: value.Integer, want: "int 1000"},
		{in: `9e18`, t: value.Bigint, want: "int 9000000000000000000"},
		{in: `9.1e18`, t: value.Bigint, err: "does not fit BIGINT"},
		{in: `1.5`, t: value.Integer, err: "1.5 does not fit INTEGER"},
		{in: `-0.5`, t: value.Integer, err: "does not fit INTEGER"},
		{in: `2.0`, t: value.Integer, want: "int 2"},
		// number → DECIMAL rounds to the scale; → REAL rounds to 32 bits.
		{in: `3.455`, t: dec82, want: "decimal 3.46"},
		{in: `-3.455`, t: dec82, want: "decimal -3.46"},
		{in: `999999.99`, t: dec82, want: "decimal 999999.99"},
		// The declared precision does not limit a stored value; 19
		// significant digits do (docs/semantics.md R7).
		{in: `1000000`, t: dec82, want: "decimal 1000000.00"},
		{in: `4000123412345678.0`, t: dec82, want: "decimal 4000123412345678.00"},
		{in: `4.000123412345678E15`, t: dec82, want: "decimal 4000123412345678.00"},
		{in: `123456789012345678`, t: dec82, err: "does not fit DECIMAL(8,2): a DECIMAL holds at most 19 significant digits"},
		{in: `0.1`, t: real, want: "float 0.10000000149011612"},
		{in: `16777217`, t: real, want: "float 1.6777216e+07"},
		{in: `3.4028235e38`, t: real, want: "float 3.4028234663852886e+38"},
		{in: `0.1`, t: value.Double, want: "float 0.1"},
		{in: `16777217`, t: value.Double, want: "float 1.6777217e+07"},
		// number → BOOLEAN: 0 false, any other true.
		{in: `0`, t: value.Boolean, want: "false"},
		{in: `-0.0`, t: value.Boolean, want: "false"},
		{in: `0.001`, t: value.Boolean, want: "true"},
		{in: `-2`, t: value.Boolean, want: "true"},
		// number → string: its text, truncated; → binary, datetime: errors.
		{in: `12345`, t: value.Type{Base: value.TVarchar, Len: 3}, want: `"123"`},
		{in: `1.50`, t: value.Type{Base: value.TVarchar, Len: 8}, want: `"1.50"`},
		{in: `1`, t: binary, err: "cannot convert 1 to VARBINARY"},
		{in: `1`, t: value.Timestamp, err: "cannot convert 1 to TIMESTAMP"},
		// object and array: their text in strings, an error otherwise.
		{in: `{"a": [1, 2]}`, t: value.Type{Base: value.TVarchar, Len: 64}, want: `"{\"a\": [1, 2]}"`},
		{in: `[1,2,3]`, t: value.Type{Base: value.TVarchar, Len: 4}, want: `"[1,2"`},
		{in: `{"a":1}`, t: value.Integer, err: "cannot convert a JSON object to INTEGER"},
		{in: `[1]`, t: value.Boolean, err: "cannot convert a JSON array to BOOLEAN"},
	} {
		v, err := fromJSON(gjson.Parse(tc.in), tc.t)
		checkConv(t, "JSON", tc, v, err)
	}
}

// TestStringConversionEdges: text (a JSON string or a CSV field) to each
// type: BOOLEAN is TRUE only for "true" in any case, spaces around ignored;
// binary only from an X'..' literal of an even number of hex digits.
func TestStringConversionEdges(t *testing.T) {
	long := strings.Repeat("z", 45)
	for _, tc := range []convCase{
		{in: "true", t: value.Boolean, want: "true"},
		{in: "TrUe", t: value.Boolean, want: "true"},
		{in: "  true ", t: value.Boolean, want: "true"},
		{in: "\ttrue\n", t: value.Boolean, want: "true"},
		{in: "t rue", t: value.Boolean, want: "false"},
		{in: "false", t: value.Boolean, want: "false"},
		{in: "yes", t: value.Boolean, want: "false"},
		{in: "1", t: value.Boolean, want: "false"},
		{in: "", t: value.Boolean, want: "false"},
		{in: "abcd", t: value.Type{Base: value.TVarchar, Len: 4}, want: `"abcd"`},
		{in: "abcde", t: value.Type{Base: value.TVarchar, Len: 4}, want: `"abcd"`},
		{in: "", t: value.Type{Base: value.TVarchar, Len: 4}, want: `""`},
		{in: "ééé", t: value.Type{Base: value.TVarchar, Len: 4}, want: `"ééé"`},    // 6 bytes, 3 characters
		{in: "ééééé", t: value.Type{Base: value.TVarchar, Len: 4}, want: `"éééé"`}, // cut at 4 characters
		{in: "ab", t: value.Type{Base: value.TChar, Len: 4}, want: `"ab  "`},
		{in: "X'0aFF'", t: binary, want: "x0aff"},
		{in: "x'00'", t: binary, want: "x00"},
		{in: "X''", t: binary, want: "x"},
		{in: "X'0'", t: binary, err: "is not a binary literal"},
		{in: "X'zz'", t: binary, err: "is not a binary literal"},
		{in: "X'0a", t: binary, err: "is not a binary literal"},
		{in: "0aff", t: binary, err: "is not a binary literal"},
		{in: "127", t: tinyint, want: "int 127"},
		{in: "128", t: tinyint, err: `cannot convert "128" to TINYINT`},
		{in: " 42 ", t: value.Integer, want: "int 42"},
		{in: "4.5", t: value.Integer, err: "cannot convert"},
		{in: "0.1", t: real, want: "float 0.10000000149011612"},
		{in: "0.1", t: value.Double, want: "float 0.1"},
		{in: "1.005", t: dec82, want: "decimal 1.01"},
		{in: "1992-02-14 18:35:44.0", t: value.Timestamp, want: "ts 1992-02-14 18:35:44.000"},
		{in: "1992-02-14", t: value.Timestamp, want: "ts 1992-02-14 00:00:00.000"},
		{in: "1992-02-30", t: value.Timestamp, err: "cannot convert"},
		{in: long, t: value.Integer, err: `cannot convert "` + long[:40] + `..." to INTEGER`},
		{in: long[:40], t: value.Integer, err: `cannot convert "` + long[:40] + `" to INTEGER`},
	} {
		v, err := fromString(tc.in, tc.t)
		checkConv(t, "text", tc, v, err)
	}
}
