package expr

import (
	"regexp"
	"strings"
)

// Java's POSIX character classes (\p{Alpha} and friends), which KDA's
// regular expressions (java.util.regex) accept and RE2 spells [[:alpha:]].
var javaPosix = map[string]string{
	"Lower": "lower", "Upper": "upper", "ASCII": "ascii", "Alpha": "alpha", "Digit": "digit",
	"Alnum": "alnum", "Punct": "punct", "Graph": "graph", "Print": "print", "Blank": "blank",
	"Cntrl": "cntrl", "XDigit": "xdigit", "Space": "space",
}

// compileJavaRegexp compiles a java.util.regex pattern with RE2 after
// rewriting the Java-only class names. Constructs RE2 lacks (look-around,
// back-references, possessive quantifiers) fail here, at plan time.
func compileJavaRegexp(p string) (*regexp.Regexp, error) {
	return compileRegexp(javaToRE2(p))
}

func javaToRE2(p string) string {
	if !strings.Contains(p, `\p{`) && !strings.Contains(p, `\P{`) {
		return p
	}
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p) && (p[i+1] == 'p' || p[i+1] == 'P') && i+2 < len(p) && p[i+2] == '{':
			end := strings.IndexByte(p[i:], '}')
			if end > 0 {
				if name, ok := javaPosix[p[i+3:i+end]]; ok {
					neg := ""
					if p[i+1] == 'P' {
						neg = "^"
					}
					cls := "[:" + neg + name + ":]"
					if !inClass {
						cls = "[" + cls + "]"
					}
					b.WriteString(cls)
					i += end
					continue
				}
			}
			b.WriteByte(c)
		case c == '\\' && i+1 < len(p):
			b.WriteByte(c)
			i++
			b.WriteByte(p[i])
		case c == '[' && !inClass:
			inClass = true
			b.WriteByte(c)
			if i+1 < len(p) && p[i+1] == '^' {
				i++
				b.WriteByte('^')
			}
			if i+1 < len(p) && p[i+1] == ']' { // a leading ] is literal
				i++
				b.WriteByte(']')
			}
		case c == ']' && inClass:
			inClass = false
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
