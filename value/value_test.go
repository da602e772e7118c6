package value

import "testing"

func TestCast(t *testing.T) {
	dec := Type{Base: TDecimal, Precision: 5, Scale: 2}
	tests := []struct {
		in   Value
		to   Type
		want string
		err  bool
	}{
		{NewFloat(2.7), Integer, "2", false},
		{NewFloat(-2.7), Integer, "-2", false},
		{NewInt(3000000000), Integer, "", true},
		{NewInt(127), Type{Base: TTinyint}, "127", false},
		{NewInt(128), Type{Base: TTinyint}, "", true},
		{NewString(" 42 "), Bigint, "42", false},
		{NewString("4x"), Bigint, "", true},
		{NewFloat(1.007), dec, "1.01", false},
		{NewString("123.456"), dec, "123.46", false},
		{NewInt(1000), dec, "", true},
		{NewString("héllo wörld"), Type{Base: TVarchar, Len: 5}, "héllo", false},
		{NewString("ab"), Type{Base: TChar, Len: 4}, "ab  ", false},
		{NewString("true"), Boolean, "TRUE", false},
		{NewString("1992-02-14 18:35:44.0"), Timestamp, "1992-02-14 18:35:44.000", false},
		{NewString("2018-08-01T20:17:20.797945Z"), Timestamp, "2018-08-01 20:17:20.797", false},
		{NewString("1992-02-14"), Type{Base: TDate}, "1992-02-14", false},
		{NewTimestamp(86400000 + 5000), Type{Base: TTime}, "00:00:05.000", false},
		{NewDecimal(1250, 2), Double, "12.5", false},
		{Null, Integer, "", false},
	}
	for _, tt := range tests {
		got, err := Cast(tt.in, tt.to)
		if (err != nil) != tt.err || (err == nil && Text(got, tt.to) != tt.want) {
			t.Errorf("Cast(%v, %s) = %q, %v; want %q (error %v)", tt.in, tt.to, Text(got, tt.to), err, tt.want, tt.err)
		}
	}
}

func TestCommonAndKeys(t *testing.T) {
	if c, ok := Common(Integer, Double); !ok || c.Base != TDouble {
		t.Errorf("INTEGER/DOUBLE: %v", c)
	}
	if c, ok := Common(Type{Base: TVarchar, Len: 4}, Type{Base: TVarchar, Len: 9}); !ok || c.Len != 9 {
		t.Errorf("VARCHAR: %v", c)
	}
	if _, ok := Common(Integer, Varchar); ok {
		t.Error("INTEGER and VARCHAR should not mix")
	}
	same := [][2]Value{{NewInt(5), NewFloat(5)}, {NewInt(5), NewDecimal(500, 2)}, {Null, Null}}
	for _, p := range same {
		if string(AppendKey(nil, p[0])) != string(AppendKey(nil, p[1])) || !Identical(p[0], p[1]) {
			t.Errorf("%v and %v should group together", p[0], p[1])
		}
	}
	if string(AppendKey(nil, NewString("5"))) == string(AppendKey(nil, NewInt(5))) {
		t.Error("'5' and 5 must not share a key")
	}
}

func TestResolveType(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []int
		want string
	}{{"VARCHAR", []int{4}, "VARCHAR(4)"}, {"DECIMAL", []int{5, 2}, "DECIMAL(5,2)"}, {"FLOAT", nil, "DOUBLE"}, {"CHAR", nil, "CHAR(1)"}} {
		if got, err := ResolveType(tc.name, tc.args); err != nil || got.String() != tc.want {
			t.Errorf("%s%v = %v %v", tc.name, tc.args, got, err)
		}
	}
	for _, bad := range [][]int{{0}, {70000}} {
		if _, err := ResolveType("VARCHAR", bad); err == nil {
			t.Errorf("VARCHAR%v accepted", bad)
		}
	}
	if _, err := ResolveType("DECIMAL", []int{20}); err == nil {
		t.Error("DECIMAL(20) accepted")
	}
}
