package expr

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/value"
)

// W3C_LOG_PARSE reads web-server log lines written with an Apache
// LogFormat. The format is compiled at plan time into one anchored regular
// expression with a group per specifier.

var w3cPredefined = map[string]string{
	"COMMON":            `%h %l %u %t "%r" %>s %b`,
	"COMMON WITH VHOST": `%v %h %l %u %t "%r" %>s %b`,
	"NCSA EXTENDED":     `%h %l %u %t "%r" %>s %b "%[Referer]i" "%[User-agent]i"`,
	"REFERER":           `%[Referer]i ---> %U`,
	"AGENT":             `%[User-agent]i`,
}

// The IIS log format: fifteen comma-and-space separated fields.
const iisFields = 15

type w3cSpec struct {
	letter byte
	quoted bool // enclosed in "..." in the format: may hold spaces and \" escapes
}

// compileW3C turns a format into a regular expression and its specifiers.
func compileW3C(format string) (*regexp.Regexp, []w3cSpec, error) {
	if f, ok := w3cPredefined[strings.ToUpper(strings.Join(strings.Fields(format), " "))]; ok {
		format = f
	} else if strings.EqualFold(strings.TrimSpace(format), "IIS") {
		var b strings.Builder
		b.WriteString("^")
		var specs []w3cSpec
		for i := 0; i < iisFields; i++ {
			if i > 0 {
				b.WriteString(`, ?`)
			}
			b.WriteString(`([^,]*)`)
			specs = append(specs, w3cSpec{letter: 'x'}) // text fields
		}
		b.WriteString(`,?\s*$`)
		re, err := compileRegexp(b.String())
		return re, specs, err
	}
	type piece struct {
		lit  string
		spec *w3cSpec
	}
	var pieces []piece
	var lit strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			lit.WriteByte(c)
			continue
		}
		i++
		if i < len(format) && format[i] == '%' {
			lit.WriteByte('%')
			continue
		}
		// modifiers: status-code conditions, !, < and >
		for i < len(format) && strings.IndexByte("0123456789,!<>", format[i]) >= 0 {
			i++
		}
		if i < len(format) && (format[i] == '{' || format[i] == '[') {
			closer := byte('}')
			if format[i] == '[' {
				closer = ']'
			}
			end := strings.IndexByte(format[i:], closer)
			if end < 0 {
				return nil, nil, fmt.Errorf("unterminated %c in format '%s'", format[i], format)
			}
			i += end + 1
		}
		if i >= len(format) {
			return nil, nil, fmt.Errorf("format '%s' ends inside a %% specifier", format)
		}
		letter := format[i]
		if strings.IndexByte("aABbCDefhHilmnopPqrstTuUvVXIO", letter) < 0 {
			return nil, nil, fmt.Errorf("unknown specifier %%%c in format '%s'", letter, format)
		}
		if lit.Len() > 0 {
			pieces = append(pieces, piece{lit: lit.String()})
			lit.Reset()
		}
		pieces = append(pieces, piece{spec: &w3cSpec{letter: letter}})
	}
	if lit.Len() > 0 {
		pieces = append(pieces, piece{lit: lit.String()})
	}
	var b strings.Builder
	b.WriteString("^")
	var specs []w3cSpec
	for i, p := range pieces {
		if p.spec == nil {
			b.WriteString(regexp.QuoteMeta(p.lit))
			continue
		}
		last := i == len(pieces)-1
		p.spec.quoted = i > 0 && pieces[i-1].spec == nil && strings.HasSuffix(pieces[i-1].lit, `"`) &&
			!last && pieces[i+1].spec == nil && strings.HasPrefix(pieces[i+1].lit, `"`)
		switch {
		case p.spec.quoted:
			b.WriteString(`((?:[^"\\]|\\.)*)`)
		case p.spec.letter == 't':
			b.WriteString(`(\[[^\]]*\]|\S+)`)
		case strings.IndexByte("rimnoCe", p.spec.letter) >= 0:
			b.WriteString(`(.*?)`)
		default:
			b.WriteString(`(\S*)`)
		}
		specs = append(specs, *p.spec)
	}
	b.WriteString(`\s*$`)
	re, err := compileRegexp(b.String())
	if err != nil {
		return nil, nil, err
	}
	if len(specs) == 0 {
		return nil, nil, fmt.Errorf("format '%s' has no %% specifiers", format)
	}
	return re, specs, nil
}

// w3cType is the column type of a specifier: byte counts and durations
// that are never '-' are BIGINT, everything else text.
func w3cType(letter byte) value.Type {
	switch letter {
	case 'B', 'D', 'T', 'I', 'O':
		return value.Bigint
	}
	return logText
}

var w3cUnescape = strings.NewReplacer(`\"`, `"`, `\\`, `\`)

func buildW3C(consts []*Compiled, types []value.Type) (value.Type, Impl, error) {
	if err := checkSource(types); err != nil {
		return value.Type{}, nil, err
	}
	format, err := constString(consts, types, 1, "format")
	if err != nil {
		return value.Type{}, nil, err
	}
	re, specs, err := compileW3C(format)
	if err != nil {
		return value.Type{}, nil, err
	}
	cols := numberedColumns(len(specs))
	for i, s := range specs {
		cols[i].Type = w3cType(s.letter)
	}
	b := newRowBuilder(cols)
	return rowType(cols), func(c *eval.Ctx, a []value.Value) value.Value {
		m := re.FindStringSubmatch(a[0].S)
		if m == nil {
			return value.Null
		}
		fields := make([]value.Value, len(specs))
		for i, s := range specs {
			text := m[i+1]
			if s.quoted && strings.IndexByte(text, '\\') >= 0 {
				text = w3cUnescape.Replace(text)
			}
			if cols[i].Type.Base == value.TBigint {
				if text == "-" {
					continue
				}
				v, err := value.Cast(value.NewString(text), value.Bigint)
				if err == nil {
					fields[i] = v
				}
				continue
			}
			fields[i] = b.convert(c, i, text)
		}
		return b.row(fields)
	}, nil
}
