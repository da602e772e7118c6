package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"
)

// stringEnd is StringEnd one byte at a time: its definition.
func stringEnd(s string, j int, nonASCII bool) int {
	for ; j < len(s); j++ {
		if c := s[j]; c == '"' || c == '\\' || c < 0x20 || nonASCII && c >= 0x80 {
			return j
		}
	}
	return j
}

// FuzzStringEnd: the eight-bytes-at-a-time scan stops where the byte by
// byte one does, from every start.
func FuzzStringEnd(f *testing.F) {
	for _, s := range []string{"", `abc"`, `0123456789abcdef\n"`, "01234567\x1f", "0123456\x7f\x80\"", "é\"", `"""""""""`,
		"abcdefgh!#[]{}~ \x20\x21\x22"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for j := 0; j <= len(s); j++ {
			for _, na := range []bool{false, true} {
				if got, want := StringEnd(s, j, na), stringEnd(s, j, na); got != want {
					t.Fatalf("StringEnd(%q, %d, %v) = %d, want %d", s, j, na, got, want)
				}
			}
		}
	})
}

// FuzzValid: Valid accepts exactly what encoding/json.Valid accepts.
func FuzzValid(f *testing.F) {
	for _, s := range []string{"", " ", "{}", "[]", `{"a":1}`, `{"a":1}{"b":2}`, `{"a":1} `, ` {"a":[1,2,{"b":null}]}`,
		`{"a":"\u00e9\ud800"}`, "{\"a\":\"\xff\xfe\"}", "{\"a\":\"\x1f\"}", `{"a":01}`, `{"a":-0.0e+1}`, `{"a":1.}`,
		`{"a":.5}`, `{"a":1e}`, `{"a":tru}`, `[1,]`, `{"a":1,}`, `"\q"`, `"\u12g4"`, `123 456`, "\ufeff{}", `{"a" : [ ] , "b" : { } }`,
		"[" + `"` + "\u2028" + `"]`, `nul`, `-`, `1e400`, `{"a":{"b":{"c":{"d":[[[[[]]]]]}}}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := Valid(b), json.Valid(b); got != want {
			t.Fatalf("Valid(%q) = %v, encoding/json says %v", b, got, want)
		}
	})
}

// TestValidDeepNesting: encoding/json refuses nesting deeper than 10,000,
// and so does Valid.
func TestValidDeepNesting(t *testing.T) {
	for _, n := range []int{maxNesting - 1, maxNesting, maxNesting + 1, 3 * maxNesting} {
		for _, doc := range []string{strings.Repeat("[", n) + strings.Repeat("]", n),
			strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n), strings.Repeat("[", n) + strings.Repeat("]", n-1)} {
			if got, want := Valid([]byte(doc)), json.Valid([]byte(doc)); got != want {
				t.Errorf("depth %d, %d bytes: Valid %v, encoding/json %v", n, len(doc), got, want)
			}
		}
	}
}
