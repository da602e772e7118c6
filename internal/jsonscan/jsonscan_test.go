package jsonscan

import "testing"

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
