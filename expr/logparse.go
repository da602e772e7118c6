package expr

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/value"
)

// The log-parsing functions return a ROW value whose fields are read as
// (fn(...)).COLUMN1 or, through a subquery, alias.col.COLUMN1. The shape of
// the row comes from constant arguments (a format, a regular expression, a
// column list), so it is fixed and checked at plan time; the pattern or
// format is compiled once there.

const logVarchar = 1024

var logText = value.Type{Base: value.TVarchar, Len: logVarchar}

// logColumn is one field of a log parser's row.
type logColumn struct {
	Name   string
	Type   value.Type
	Format *DateFormat // DATE, TIME, TIMESTAMP columns with a pattern
	Start  int         // FIXED_COLUMN_LOG_PARSE: 0-based start
	Len    int         // FIXED_COLUMN_LOG_PARSE: length, -1 to the end
}

func numberedColumns(n int) []logColumn {
	cols := make([]logColumn, n)
	for i := range cols {
		cols[i] = logColumn{Name: fmt.Sprintf("COLUMN%d", i+1), Type: logText, Len: -1}
	}
	return cols
}

func rowType(cols []logColumn) value.Type {
	fields := make([]value.Field, len(cols))
	for i, c := range cols {
		fields[i] = value.Field{Name: c.Name, Type: c.Type}
	}
	return value.Type{Base: value.TRow, Fields: fields}
}

// rowBuilder makes ROW values sharing the plan-time names and types.
type rowBuilder struct {
	names []string
	types []value.Type
	cols  []logColumn
}

func newRowBuilder(cols []logColumn) *rowBuilder {
	b := &rowBuilder{cols: cols}
	for _, c := range cols {
		b.names = append(b.names, c.Name)
		b.types = append(b.types, c.Type)
	}
	return b
}

func (b *rowBuilder) row(fields []value.Value) value.Value {
	return value.Value{K: value.KRow, R: &value.Composite{Names: b.names, Types: b.types, Fields: fields}}
}

// convert turns the text of field i into its declared type. A text that
// does not convert sends the row to error_stream, as CAST does.
func (b *rowBuilder) convert(c *eval.Ctx, i int, s string) value.Value {
	col := b.cols[i]
	t := col.Type
	if t.IsString() {
		v, _ := value.Cast(value.NewString(s), t)
		return v
	}
	if col.Format != nil {
		ms, err := col.Format.Parse(s)
		if err != nil {
			c.Fail(eval.Errorf(eval.ErrConversion, fmt.Sprintf("column %s: %v", col.Name, err)))
			return value.Null
		}
		v, _ := value.Cast(value.NewTimestamp(ms), t)
		return v
	}
	if strings.TrimSpace(s) == "" {
		return value.Null
	}
	v, err := value.Cast(value.NewString(strings.TrimSpace(s)), t)
	if err != nil {
		c.Fail(eval.Errorf(eval.ErrConversion, fmt.Sprintf("column %s: %v", col.Name, err)))
		return value.Null
	}
	return v
}

func constString(consts []*Compiled, types []value.Type, i int, what string) (string, error) {
	if i >= len(consts) {
		return "", nil
	}
	if consts[i] == nil {
		return "", fmt.Errorf("the %s must be a constant string", what)
	}
	if consts[i].Value.K != value.KString {
		return "", fmt.Errorf("the %s must be a string, not %s", what, types[i])
	}
	return consts[i].Value.S, nil
}

func checkSource(types []value.Type) error {
	if t := types[0]; !t.IsString() && t.Base != value.TUnknown {
		return fmt.Errorf("parses a string, not %s", t)
	}
	return nil
}

// ---- column lists: 'NAME TYPE VARCHAR(16) [NOT NULL] ['pattern'] [START n [FOR m]], ...' ----

type colLexer struct {
	s   string
	pos int
}

// next returns the next token: a word (upper-cased unless quoted), a
// '...' string (kind 's'), a number (kind 'n') or punctuation.
func (l *colLexer) next() (tok string, kind byte, err error) {
	for l.pos < len(l.s) && unicode.IsSpace(rune(l.s[l.pos])) {
		l.pos++
	}
	if l.pos >= len(l.s) {
		return "", 0, nil
	}
	c := l.s[l.pos]
	switch {
	case c == '"' || c == '\'':
		end := strings.IndexByte(l.s[l.pos+1:], c)
		if end < 0 {
			return "", 0, fmt.Errorf("unterminated %c in column list", c)
		}
		tok = l.s[l.pos+1 : l.pos+1+end]
		l.pos += end + 2
		if c == '"' {
			return tok, 'q', nil
		}
		return tok, 's', nil
	case c >= '0' && c <= '9':
		start := l.pos
		for l.pos < len(l.s) && l.s[l.pos] >= '0' && l.s[l.pos] <= '9' {
			l.pos++
		}
		return l.s[start:l.pos], 'n', nil
	case c == '_' || unicode.IsLetter(rune(c)):
		start := l.pos
		for l.pos < len(l.s) && (l.s[l.pos] == '_' || l.s[l.pos] == '$' || unicode.IsLetter(rune(l.s[l.pos])) || (l.s[l.pos] >= '0' && l.s[l.pos] <= '9')) {
			l.pos++
		}
		return strings.ToUpper(l.s[start:l.pos]), 'w', nil
	}
	l.pos++
	return string(c), 'p', nil
}

// parseColumnList reads a column list; fixed says START/FOR are required.
func parseColumnList(s string, fixed bool) ([]logColumn, error) {
	l := &colLexer{s: s}
	var cols []logColumn
	tok, kind, err := l.next()
	for {
		if err != nil {
			return nil, err
		}
		if kind != 'w' && kind != 'q' {
			return nil, fmt.Errorf("expected a column name in column list '%s'", s)
		}
		col := logColumn{Name: tok, Type: logText, Len: -1}
		tok, kind, err = l.next()
		if kind == 'w' && tok == "TYPE" {
			tok, kind, err = l.next()
		}
		if err != nil {
			return nil, err
		}
		if kind == 'w' && tok != "START" {
			name := tok
			tok, kind, err = l.next()
			switch {
			case name == "DOUBLE" && tok == "PRECISION":
				tok, kind, err = l.next()
			case name == "CHARACTER" && tok == "VARYING":
				name = "VARCHAR"
				tok, kind, err = l.next()
			}
			var targs []int
			if tok == "(" {
				for {
					tok, kind, err = l.next()
					if kind != 'n' {
						return nil, fmt.Errorf("expected a number in the type of column %s", col.Name)
					}
					n, _ := strconv.Atoi(tok)
					targs = append(targs, n)
					tok, kind, err = l.next()
					if tok == ")" {
						break
					}
					if tok != "," {
						return nil, fmt.Errorf("expected , or ) in the type of column %s", col.Name)
					}
				}
				tok, kind, err = l.next()
			}
			t, terr := value.ResolveType(name, targs)
			if terr != nil {
				return nil, fmt.Errorf("column %s: %v", col.Name, terr)
			}
			if t.Base == value.TRow || t.Base == value.TBinary || t.Base == value.TVarbinary {
				return nil, fmt.Errorf("column %s: type %s is not supported by log parsing", col.Name, t)
			}
			col.Type = t
		}
		for err == nil && kind != 0 && tok != "," {
			switch {
			case kind == 'w' && tok == "NOT":
				if tok, _, err = l.next(); tok != "NULL" {
					return nil, fmt.Errorf("expected NULL after NOT for column %s", col.Name)
				}
			case kind == 's':
				if !col.Type.IsDatetime() {
					return nil, fmt.Errorf("column %s: a datetime pattern needs a DATE, TIME or TIMESTAMP column", col.Name)
				}
				if col.Format, err = CompileDateFormat(tok); err != nil {
					return nil, err
				}
			case kind == 'w' && tok == "START" && fixed:
				tok, kind, err = l.next()
				if kind != 'n' {
					return nil, fmt.Errorf("expected a number after START for column %s", col.Name)
				}
				col.Start, _ = strconv.Atoi(tok)
			case kind == 'w' && tok == "FOR" && fixed:
				tok, kind, err = l.next()
				if kind != 'n' {
					return nil, fmt.Errorf("expected a number after FOR for column %s", col.Name)
				}
				col.Len, _ = strconv.Atoi(tok)
			default:
				return nil, fmt.Errorf("unexpected '%s' in the description of column %s", tok, col.Name)
			}
			if err == nil {
				tok, kind, err = l.next()
			}
		}
		if err != nil {
			return nil, err
		}
		for _, c := range cols {
			if c.Name == col.Name {
				return nil, fmt.Errorf("column %s is listed twice", col.Name)
			}
		}
		cols = append(cols, col)
		if kind == 0 {
			break
		}
		tok, kind, err = l.next()
	}
	if fixed {
		for _, c := range cols {
			if c.Start < 0 || c.Start > 1<<20 || c.Len > 1<<20 {
				return nil, fmt.Errorf("column %s: START and FOR must be between 0 and %d", c.Name, 1<<20)
			}
		}
	}
	return cols, nil
}

// ---- REGEX_LOG_PARSE and FAST_REGEX_LOG_PARSER ----

func buildRegexParse(fast bool) func([]*Compiled, []value.Type) (value.Type, Impl, error) {
	return func(consts []*Compiled, types []value.Type) (value.Type, Impl, error) {
		if err := checkSource(types); err != nil {
			return value.Type{}, nil, err
		}
		pat, err := constString(consts, types, 1, "regular expression")
		if err != nil {
			return value.Type{}, nil, err
		}
		src := pat
		var fm *fastMatcher
		if fast {
			fm, err = compileFast(pat)
			if err == errFastAlternation {
				src, err = translateFastRegex(pat)
			}
			if err != nil {
				return value.Type{}, nil, fmt.Errorf("invalid fast regex '%s': %v", pat, err)
			}
		}
		var re *regexp.Regexp
		var n int
		if fm != nil {
			n = fm.groups
		} else {
			if re, err = compileRegexp(`^(?:` + javaToRE2(src) + `)$`); err != nil {
				return value.Type{}, nil, fmt.Errorf("invalid regular expression '%s': %v", pat, err)
			}
			n = re.NumSubexp()
		}
		if n == 0 {
			return value.Type{}, nil, fmt.Errorf("the regular expression '%s' has no capture groups, so it gives no columns", pat)
		}
		cols := numberedColumns(n)
		if len(types) > 2 {
			list, err := constString(consts, types, 2, "column list")
			if err != nil {
				return value.Type{}, nil, err
			}
			if cols, err = parseColumnList(list, false); err != nil {
				return value.Type{}, nil, err
			}
			if len(cols) != n {
				return value.Type{}, nil, fmt.Errorf("the column list names %d columns but the regular expression has %d groups", len(cols), n)
			}
		}
		b := newRowBuilder(cols)
		if fm != nil {
			spans := make([][2]int, n)
			return rowType(cols), func(c *eval.Ctx, a []value.Value) value.Value {
				if !fm.match(a[0].S, spans) {
					return value.Null
				}
				fields := make([]value.Value, n)
				for i, sp := range spans {
					if sp[0] < 0 {
						sp = [2]int{0, 0} // a group that matched nothing is empty
					}
					fields[i] = b.convert(c, i, a[0].S[sp[0]:sp[1]])
				}
				return b.row(fields)
			}, nil
		}
		return rowType(cols), func(c *eval.Ctx, a []value.Value) value.Value {
			m := re.FindStringSubmatchIndex(a[0].S)
			if m == nil {
				return value.Null
			}
			fields := make([]value.Value, n)
			for i := range fields {
				if m[2*i+2] < 0 {
					continue
				}
				fields[i] = b.convert(c, i, a[0].S[m[2*i+2]:m[2*i+3]])
			}
			return b.row(fields)
		}, nil
	}
}

var fastNamed = map[string]string{
	"Digit": `[0-9]`, "Upper": `[A-Z]`, "Lower": `[a-z]`, "ASCII": `[\x00-\x7F]`, "Alpha": `[a-zA-Z]`,
	"Alnum": `[a-zA-Z0-9]`, "Punct": `[!-/:-@\[-` + "`" + `{-~]`, "Blank": `[ \t]`, "Space": `[ \t\n\f\r\x0B]`,
	"Cntrl": `[\x00-\x1F\x7F]`, "XDigit": `[0-9a-fA-F]`, "Print": `[!-~]`, "Graph": `[!-~]`,
}

// translateFastRegex turns the fast-regex dialect into RE2: "text" is
// literal, @ any string, # the empty language, <Name> a POSIX class and
// <n-m> a numeric interval. Quantifiers inside groups are lazy (each field
// stops at the first place the rest can follow); those outside are greedy.
func translateFastRegex(p string) (string, error) {
	var b strings.Builder
	depth := 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch c {
		case '"':
			end := strings.IndexByte(p[i+1:], '"')
			if end < 0 {
				return "", fmt.Errorf("unterminated \" string")
			}
			b.WriteString(regexp.QuoteMeta(p[i+1 : i+1+end]))
			i += end + 1
		case '@':
			b.WriteString(`.*`)
			if depth > 0 {
				b.WriteByte('?')
			}
		case '#':
			b.WriteString(`[^\x00-\x{10FFFF}]`)
		case '&':
			return "", fmt.Errorf("intersection (&) is not supported")
		case '\\':
			if i+1 >= len(p) {
				return "", fmt.Errorf("pattern ends with \\")
			}
			i++
			b.WriteString(regexp.QuoteMeta(string(p[i])))
		case '<':
			end := strings.IndexByte(p[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("unterminated <")
			}
			name := p[i+1 : i+end]
			i += end
			if cls, ok := fastNamed[name]; ok {
				b.WriteString(cls)
				continue
			}
			lo, hi, ok := strings.Cut(name, "-")
			l, e1 := strconv.Atoi(lo)
			h, e2 := strconv.Atoi(hi)
			if !ok || e1 != nil || e2 != nil || l > h {
				return "", fmt.Errorf("unknown named pattern <%s>", name)
			}
			if h-l > 1000 {
				b.WriteString(`[0-9]+`)
				continue
			}
			alts := make([]string, 0, h-l+1)
			for n := h; n >= l; n-- {
				alts = append(alts, strconv.Itoa(n))
			}
			b.WriteString(`(?:` + strings.Join(alts, "|") + `)`)
		case '(':
			depth++
			b.WriteByte(c)
		case ')':
			depth--
			b.WriteByte(c)
		case '*', '+', '?', '}':
			b.WriteByte(c)
			if depth > 0 && (i+1 >= len(p) || p[i+1] != '?') {
				b.WriteByte('?')
			}
		case '[':
			end := strings.IndexByte(p[i+1:], ']')
			if end < 0 {
				return "", fmt.Errorf("unterminated [")
			}
			if end == 0 || (end == 1 && p[i+1] == '^') { // ']' first in the class is literal
				if e2 := strings.IndexByte(p[i+end+2:], ']'); e2 >= 0 {
					end += e2 + 1
				}
			}
			b.WriteString(p[i : i+end+2])
			i += end + 1
		default:
			b.WriteByte(c)
		}
	}
	if depth != 0 {
		return "", fmt.Errorf("unbalanced parentheses")
	}
	return b.String(), nil
}

// ---- VARIABLE_COLUMN_LOG_PARSE ----

func buildVariableColumn(consts []*Compiled, types []value.Type) (value.Type, Impl, error) {
	if err := checkSource(types); err != nil {
		return value.Type{}, nil, err
	}
	var cols []logColumn
	switch {
	case consts[1] == nil:
		return value.Type{}, nil, fmt.Errorf("the columns argument must be a constant: a count or a column list")
	case consts[1].Value.K == value.KInt:
		n := consts[1].Value.I
		if n < 1 || n > 1000 {
			return value.Type{}, nil, fmt.Errorf("the column count %d is outside 1..1000", n)
		}
		cols = numberedColumns(int(n))
	case consts[1].Value.K == value.KString:
		var err error
		if cols, err = parseColumnList(consts[1].Value.S, false); err != nil {
			return value.Type{}, nil, err
		}
	default:
		return value.Type{}, nil, fmt.Errorf("the columns argument must be a count or a column list, not %s", types[1])
	}
	delim, err := constString(consts, types, 2, "delimiter")
	if err != nil {
		return value.Type{}, nil, err
	}
	if delim == "" {
		return value.Type{}, nil, fmt.Errorf("the delimiter is empty")
	}
	esc, err := constString(consts, types, 3, "escape string")
	if err != nil {
		return value.Type{}, nil, err
	}
	quotes, err := constString(consts, types, 4, "quote string")
	if err != nil {
		return value.Type{}, nil, err
	}
	if len([]rune(quotes)) > 2 {
		return value.Type{}, nil, fmt.Errorf("the quote string has one or two characters, not '%s'", quotes)
	}
	sp := &splitter{delim: delim, esc: esc}
	if q := []rune(quotes); len(q) > 0 {
		sp.open, sp.close = q[0], q[len(q)-1]
	}
	b := newRowBuilder(cols)
	return rowType(cols), func(c *eval.Ctx, a []value.Value) value.Value {
		parts := sp.split(a[0].S, len(cols))
		fields := make([]value.Value, len(cols))
		for i, p := range parts {
			fields[i] = b.convert(c, i, p)
		}
		return b.row(fields)
	}, nil
}

// splitter cuts a line at a delimiter string, honouring an escape string
// (the character after it is taken literally) and quote characters (a
// quoted part keeps its delimiters and loses its quotes).
type splitter struct {
	delim, esc  string
	open, close rune
}

func (sp *splitter) split(s string, max int) []string {
	if sp.esc == "" && sp.open == 0 {
		parts := strings.SplitN(s, sp.delim, max+1)
		if len(parts) > max {
			parts = parts[:max]
		}
		return parts
	}
	var parts []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(s); {
		switch {
		case sp.esc != "" && strings.HasPrefix(s[i:], sp.esc) && i+len(sp.esc) < len(s):
			i += len(sp.esc)
			_, w := utf8.DecodeRuneInString(s[i:])
			cur.WriteString(s[i : i+w])
			i += w
			continue
		case quoted:
			r, w := utf8.DecodeRuneInString(s[i:])
			if r == sp.close {
				quoted = false
			} else {
				cur.WriteString(s[i : i+w])
			}
			i += w
			continue
		case sp.open != 0 && strings.HasPrefix(s[i:], string(sp.open)):
			quoted = true
			i += len(string(sp.open))
			continue
		case strings.HasPrefix(s[i:], sp.delim):
			parts = append(parts, cur.String())
			cur.Reset()
			i += len(sp.delim)
			if len(parts) == max {
				return parts
			}
			continue
		}
		cur.WriteByte(s[i])
		i++
	}
	return append(parts, cur.String())
}

// ---- FIXED_COLUMN_LOG_PARSE ----

func buildFixedColumn(consts []*Compiled, types []value.Type) (value.Type, Impl, error) {
	if err := checkSource(types); err != nil {
		return value.Type{}, nil, err
	}
	list, err := constString(consts, types, 1, "column description list")
	if err != nil {
		return value.Type{}, nil, err
	}
	cols, err := parseColumnList(list, true)
	if err != nil {
		return value.Type{}, nil, err
	}
	b := newRowBuilder(cols)
	return rowType(cols), func(c *eval.Ctx, a []value.Value) value.Value {
		runes := []rune(a[0].S)
		fields := make([]value.Value, len(cols))
		for i, col := range cols {
			if col.Start >= len(runes) {
				continue
			}
			end := len(runes)
			if col.Len >= 0 {
				end = min(end, col.Start+col.Len)
			}
			fields[i] = b.convert(c, i, string(runes[col.Start:end]))
		}
		return b.row(fields)
	}, nil
}

// ---- SYS_LOG_PARSE ----

var (
	sysLogFormat, _ = CompileDateFormat("MMM dd HH:mm:ss")
	sysLogPri       = regexp.MustCompile(`^<\d{1,3}>`)
	sysLogStamp     = regexp.MustCompile(`^[A-Za-z]{3} [ 0-9]\d \d\d:\d\d:\d\d`)
)

func buildSysLog(consts []*Compiled, types []value.Type) (value.Type, Impl, error) {
	if err := checkSource(types); err != nil {
		return value.Type{}, nil, err
	}
	cols := []logColumn{{Name: "COLUMN1", Type: value.Timestamp}, {Name: "COLUMN2", Type: logText}}
	b := newRowBuilder(cols)
	return rowType(cols), func(c *eval.Ctx, a []value.Value) value.Value {
		s := sysLogPri.ReplaceAllString(a[0].S, "")
		loc := sysLogStamp.FindStringIndex(s)
		if loc == nil {
			return value.Null
		}
		ms, err := sysLogFormat.Parse(s[:loc[1]])
		if err != nil {
			return value.Null
		}
		msg, _ := value.Cast(value.NewString(strings.TrimLeft(s[loc[1]:], " ")), logText)
		return b.row([]value.Value{value.NewTimestamp(ms), msg})
	}, nil
}

func init() {
	for _, f := range []*Function{
		{Name: "REGEX_LOG_PARSE", Args: "(string, regex [, column list])",
			Description: "ROW of the regular expression's groups (COLUMN1..n VARCHAR(1024)) when it matches the whole string, else NULL",
			MinArgs:     2, MaxArgs: 3, Build: buildRegexParse(false)},
		{Name: "FAST_REGEX_LOG_PARSER", Args: "(string, fast regex)",
			Description: "ROW of the groups of a fast-regex pattern (lazy groups), NULL when the string does not match",
			MinArgs:     2, MaxArgs: 2, Build: buildRegexParse(true)},
		{Name: "FAST_REGEX_LOG_PARSE", Args: "(string, fast regex)", Description: "same as FAST_REGEX_LOG_PARSER",
			MinArgs: 2, MaxArgs: 2, Build: buildRegexParse(true)},
		{Name: "VARIABLE_COLUMN_LOG_PARSE", Args: "(string, count | column list, delimiter [, escape [, quotes]])",
			Description: "ROW of the delimited fields of a string, converted to the listed types",
			MinArgs:     3, MaxArgs: 5, Build: buildVariableColumn},
		{Name: "FIXED_COLUMN_LOG_PARSE", Args: "(string, 'name TYPE type START n [FOR m], ...')",
			Description: "ROW of fixed-width fields (0-based START) converted to the listed types",
			MinArgs:     2, MaxArgs: 2, Build: buildFixedColumn},
		{Name: "SYS_LOG_PARSE", Args: "(string)",
			Description: "ROW of a syslog line: COLUMN1 TIMESTAMP (Mon DD HH:MM:SS), COLUMN2 the rest of the line",
			MinArgs:     1, MaxArgs: 1, Build: buildSysLog},
		{Name: "W3C_LOG_PARSE", Args: "(string, format)",
			Description: "ROW of an Apache/W3C log line (COMMON, COMMON WITH VHOST, NCSA EXTENDED, REFERER, AGENT, IIS or a % format)",
			MinArgs:     2, MaxArgs: 2, Build: buildW3C},
	} {
		functions[f.Name] = f
	}
}
