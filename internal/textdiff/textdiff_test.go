package textdiff

import (
	"strings"
	"testing"
)

func TestAt(t *testing.T) {
	long := strings.Repeat("x", 500)
	for _, c := range []struct{ got, want, has string }{
		{"abc", "abd", `at byte 2:` + "\n" + `got  "abc"` + "\n" + `want "abd"`},
		{"ab", "abc", "at byte 2:"},
		{long + "1" + long, long + "2", `at byte 500:` + "\n" + `got  "` + strings.Repeat("x", 200) + `1`},
	} {
		if got := At(c.got, c.want); !strings.Contains(got, c.has) {
			t.Errorf("At(%.20q, %.20q) = %s; want it to contain %s", c.got, c.want, got, c.has)
		}
	}
}
