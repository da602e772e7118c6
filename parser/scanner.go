package parser

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Token is a lexical token kind.
type Token int

const (
	EOF     Token = iota
	IDENT         // name or keyword; Quoted tells "quoted"
	NUMBER        // 123, 1.5, 1e3
	STRING        // 'text'
	BINARY        // X'3F'
	OP            // punctuation and operators
	ILLEGAL       // a character or literal that cannot start a token
)

// tok is one scanned token.
type tok struct {
	kind   Token
	pos    Pos
	end    Pos
	lit    string // identifier (folded if unquoted), literal value, or operator text
	raw    string // source text
	quoted bool
}

// scanner splits source text into tokens; it knows nothing of grammar.
type scanner struct {
	file *File
	src  string
	off  int
	errs *ErrorList
}

func (s *scanner) errorf(off int, format string, args ...any) {
	s.errs.Add(s.file, Pos(off+1), format, args...)
}

func isLetter(r rune) bool { return r == '_' || unicode.IsLetter(r) }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// next returns the next token, skipping white space and comments.
func (s *scanner) next() tok {
	s.skip()
	start := s.off
	t := tok{pos: Pos(start + 1)}
	if s.off >= len(s.src) {
		t.kind, t.end = EOF, Pos(start+1)
		return t
	}
	c := s.src[s.off]
	r, size := utf8.DecodeRuneInString(s.src[s.off:])
	switch {
	case (c == 'X' || c == 'x') && s.peek(1) == '\'':
		s.off++
		str, ok := s.quotedText('\'')
		t.kind = BINARY
		if ok {
			t.lit = str
		}
	case (c == 'N' || c == 'n') && s.peek(1) == '\'':
		s.off++
		t.lit, _ = s.quotedText('\'')
		t.kind = STRING
	case (c == 'U' || c == 'u') && s.peek(1) == '&' && s.peek(2) == '\'':
		s.off += 2
		str, _ := s.quotedText('\'')
		t.lit, t.kind = unescapeUnicode(str), STRING
	case isLetter(r):
		for s.off < len(s.src) {
			r, n := utf8.DecodeRuneInString(s.src[s.off:])
			if !isLetter(r) && !unicode.IsDigit(r) && r != '$' {
				break
			}
			s.off += n
		}
		t.kind, t.lit = IDENT, strings.ToUpper(s.src[start:s.off])
		if len(t.lit) > 128 {
			s.errorf(start, "identifier longer than 128 characters")
		}
	case c == '"':
		str, _ := s.quotedText('"')
		t.kind, t.lit, t.quoted = IDENT, str, true
		if len(str) > 128 {
			s.errorf(start, "identifier longer than 128 characters")
		}
	case c == '\'':
		t.lit, _ = s.quotedText('\'')
		t.kind = STRING
	case isDigit(c) || c == '.' && isDigit(s.peek(1)):
		s.number()
		t.kind, t.lit = NUMBER, s.src[start:s.off]
	default:
		t.kind = OP
		two := ""
		if s.off+1 < len(s.src) {
			two = s.src[s.off : s.off+2]
		}
		switch two {
		case "<>", "!=", "<=", ">=", "||":
			s.off += 2
			t.lit = two
		default:
			if strings.ContainsRune("(),;.*/+-=<>", r) {
				s.off += size
				t.lit = string(r)
			} else {
				s.off += size
				t.kind, t.lit = ILLEGAL, string(r)
			}
		}
	}
	t.end = Pos(s.off + 1)
	t.raw = s.src[start:s.off]
	return t
}

func (s *scanner) peek(n int) byte {
	if s.off+n < len(s.src) {
		return s.src[s.off+n]
	}
	return 0
}

// skip passes white space and -- and /* */ comments; // is an error.
func (s *scanner) skip() {
	for s.off < len(s.src) {
		c := s.src[s.off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			s.off++
		case c == '-' && s.peek(1) == '-':
			for s.off < len(s.src) && s.src[s.off] != '\n' {
				s.off++
			}
		case c == '/' && s.peek(1) == '*':
			end := strings.Index(s.src[s.off+2:], "*/")
			if end < 0 {
				s.errorf(s.off, "unterminated /* comment")
				s.off = len(s.src)
				return
			}
			s.off += end + 4
		case c == '/' && s.peek(1) == '/':
			s.errorf(s.off, `unexpected "//": KDA SQL comments are -- or /* */`)
			for s.off < len(s.src) && s.src[s.off] != '\n' {
				s.off++
			}
		default:
			return
		}
	}
}

// quotedText reads 'text' or "name" with the quote doubled to escape it.
func (s *scanner) quotedText(q byte) (string, bool) {
	start := s.off
	s.off++
	var b strings.Builder
	for s.off < len(s.src) {
		c := s.src[s.off]
		if c == q {
			if s.peek(1) == q {
				b.WriteByte(q)
				s.off += 2
				continue
			}
			s.off++
			return b.String(), true
		}
		b.WriteByte(c)
		s.off++
	}
	what := "string literal"
	if q == '"' {
		what = "quoted identifier"
	}
	s.errorf(start, "unterminated %s", what)
	return b.String(), false
}

func (s *scanner) number() {
	for s.off < len(s.src) && isDigit(s.src[s.off]) {
		s.off++
	}
	if s.off < len(s.src) && s.src[s.off] == '.' {
		s.off++
		for s.off < len(s.src) && isDigit(s.src[s.off]) {
			s.off++
		}
	}
	if s.off < len(s.src) && (s.src[s.off] == 'e' || s.src[s.off] == 'E') {
		save := s.off
		s.off++
		if s.off < len(s.src) && (s.src[s.off] == '+' || s.src[s.off] == '-') {
			s.off++
		}
		if s.off < len(s.src) && isDigit(s.src[s.off]) {
			for s.off < len(s.src) && isDigit(s.src[s.off]) {
				s.off++
			}
		} else {
			s.off = save
		}
	}
}

// unescapeUnicode resolves \XXXX escapes of a U&'...' literal.
func unescapeUnicode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 < len(s) {
			var r rune
			if _, err := fmt.Sscanf(s[i+1:i+5], "%04x", &r); err == nil {
				b.WriteRune(r)
				i += 4
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Span is where one token lies in a source: byte offsets [Start, End).
type Span struct{ Start, End int }

// Tokens lists where each token of src lies, in order, ending with the
// end of input (an empty span at len(src)); white space and comments are
// skipped and scanning errors ignored. Tests use it to find the token an
// expected-error comment refers to.
func Tokens(src string) []Span {
	var errs ErrorList
	s := scanner{file: NewFile("", src), src: src, errs: &errs}
	var out []Span
	for {
		t := s.next()
		out = append(out, Span{Start: int(t.pos) - 1, End: int(t.end) - 1})
		if t.kind == EOF {
			return out
		}
	}
}
