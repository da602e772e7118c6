package value

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// appendJSONStringRef is AppendJSONString byte by byte, without the
// eight-byte scan.
func appendJSONStringRef(buf []byte, s string) []byte {
	const hexdigits = "0123456789abcdef"
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hexdigits[c>>4], hexdigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

func TestAppendJSONString(t *testing.T) {
	cases := []string{"", "trader-01234", `A"B,C`, "tab\there", "line\nbreak\r", "back\\slash", "\x00\x1f\x7f",
		"héllo wörld", "日本語のテキスト", "bad \xff byte", "exactly8", "sixteen bytes!!!", "\"", strings.Repeat("a", 100) + "\x01"}
	for _, s := range cases {
		if got, want := string(AppendJSONString([]byte("x"), s)), string(appendJSONStringRef([]byte("x"), s)); got != want {
			t.Errorf("AppendJSONString(%q) = %s, want %s", s, got, want)
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	f.Add("trader-01234")
	f.Add("a\"b\\c\nd\x01é\xff")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(AppendJSONString(nil, s)), string(appendJSONStringRef(nil, s)); got != want {
			t.Fatalf("AppendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}
