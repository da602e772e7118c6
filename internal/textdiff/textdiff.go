// Package textdiff tells where two long texts part: a test that compares a
// run's whole output with another's shows the place instead of both.
package textdiff

import "fmt"

// At is the byte offset where got and want first differ, with up to 200
// bytes before it and 400 from it of each, quoted.
func At(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(i-200, 0)
	return fmt.Sprintf("at byte %d:\ngot  %.600q\nwant %.600q", i, got[lo:], want[lo:])
}
