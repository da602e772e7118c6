package expr

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// FAST_REGEX_LOG_PARSER as the reference describes it: the pattern is cut
// into one expression per group and one per stretch outside groups; the
// fixed-length start of each expression moves to the end of the one before
// (an expression that is all fixed length merges into it); the expressions
// are then matched one after the other, each as little as it needs (groups
// are lazy, the parts between them greedy), never going back to an earlier
// one. So '(.*)_+(._.*)' finds no row in 'Mary_had_a_little_lamb', where a
// backtracking regex would.

// errFastAlternation: a pattern with | is matched as one regular
// expression instead (the decomposition is not defined for it).
var errFastAlternation = errors.New("alternation")

// fastAtom is one element of a fast-regex pattern with its quantifier, in
// RE2 syntax.
type fastAtom struct {
	re    string
	fixed bool // matches a fixed number of characters
	group int  // 1-based top-level group, 0 outside groups
}

// fastSegment is one of the expressions matched in turn. Each run of atoms
// of the same group is a capture group of re; runs[i] is its group.
type fastSegment struct {
	re   *regexp.Regexp
	runs []int
}

type fastMatcher struct {
	segs   []fastSegment
	groups int
}

// fastAtoms cuts a fast-regex pattern into atoms.
func fastAtoms(p string) ([]fastAtom, int, error) {
	var atoms []fastAtom
	group, groups := 0, 0
	add := func(re string, fixed bool) { atoms = append(atoms, fastAtom{re: re, fixed: fixed, group: group}) }
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch c {
		case '"':
			end := strings.IndexByte(p[i+1:], '"')
			if end < 0 {
				return nil, 0, fmt.Errorf("unterminated \" string")
			}
			if lit := p[i+1 : i+1+end]; lit != "" {
				add(`(?:`+regexp.QuoteMeta(lit)+`)`, true)
			}
			i += end + 1
		case '@':
			add(`(?:.*)`, false)
		case '#':
			add(`[^\x00-\x{10FFFF}]`, true)
		case '&':
			return nil, 0, fmt.Errorf("intersection (&) is not supported")
		case '|':
			return nil, 0, errFastAlternation
		case '\\':
			if i+1 >= len(p) {
				return nil, 0, fmt.Errorf("pattern ends with \\")
			}
			i++
			add(regexp.QuoteMeta(string(p[i])), true)
		case '.':
			add(`.`, true)
		case '<':
			end := strings.IndexByte(p[i:], '>')
			if end < 0 {
				return nil, 0, fmt.Errorf("unterminated <")
			}
			name := p[i+1 : i+end]
			i += end
			if cls, ok := fastNamed[name]; ok {
				add(cls, true)
				continue
			}
			lo, hi, ok := strings.Cut(name, "-")
			l, e1 := strconv.Atoi(lo)
			h, e2 := strconv.Atoi(hi)
			if !ok || e1 != nil || e2 != nil || l > h {
				return nil, 0, fmt.Errorf("unknown named pattern <%s>", name)
			}
			if h-l > 1000 {
				add(`(?:[0-9]+)`, false)
				continue
			}
			alts := make([]string, 0, h-l+1)
			for n := h; n >= l; n-- {
				alts = append(alts, strconv.Itoa(n))
			}
			add(`(?:`+strings.Join(alts, "|")+`)`, len(lo) == len(hi) && l == h)
		case '[':
			end := strings.IndexByte(p[i+1:], ']')
			if end < 0 {
				return nil, 0, fmt.Errorf("unterminated [")
			}
			if end == 0 || (end == 1 && p[i+1] == '^') { // ']' first in a class is literal
				if e2 := strings.IndexByte(p[i+end+2:], ']'); e2 >= 0 {
					end += e2 + 1
				}
			}
			add(p[i:i+end+2], true)
			i += end + 1
		case '(':
			if group != 0 {
				// A group inside a group is one atom of the outer group.
				depth, j := 1, i+1
				for ; j < len(p) && depth > 0; j++ {
					switch p[j] {
					case '(':
						depth++
					case ')':
						depth--
					case '|':
						return nil, 0, errFastAlternation
					}
				}
				if depth != 0 {
					return nil, 0, fmt.Errorf("unbalanced parentheses")
				}
				inner, _, err := fastAtoms(p[i+1 : j-1])
				if err != nil {
					return nil, 0, err
				}
				var b strings.Builder
				for _, a := range inner {
					b.WriteString(a.re)
				}
				add(`(?:`+b.String()+`)`, false)
				i = j - 1
				continue
			}
			groups++
			group = groups
			if i+1 < len(p) && p[i+1] == ')' { // ( ) is the empty string
				add(``, true)
			}
		case ')':
			if group == 0 {
				return nil, 0, fmt.Errorf("unbalanced parentheses")
			}
			group = 0
		case '*', '+', '?', '{':
			if len(atoms) == 0 || atoms[len(atoms)-1].group != group {
				return nil, 0, fmt.Errorf("%c follows nothing", c)
			}
			q := string(c)
			if c == '{' {
				end := strings.IndexByte(p[i:], '}')
				if end < 0 {
					return nil, 0, fmt.Errorf("unterminated {")
				}
				q = p[i : i+end+1]
				i += end
			}
			last := &atoms[len(atoms)-1]
			lazy := ""
			if group != 0 {
				lazy = "?"
			}
			if c == '+' {
				// x+ is x followed by x*: the first x has a fixed length.
				atoms = append(atoms, fastAtom{re: last.re + "*" + lazy, group: group})
				continue
			}
			fixedCount := c == '{' && !strings.Contains(q, ",")
			last.re += q
			if !fixedCount {
				last.re += lazy
			}
			last.fixed = last.fixed && fixedCount
		default:
			add(regexp.QuoteMeta(string(c)), true)
		}
	}
	if group != 0 {
		return nil, 0, fmt.Errorf("unbalanced parentheses")
	}
	return atoms, groups, nil
}

// compileFast decomposes a fast-regex pattern into its segments.
func compileFast(p string) (*fastMatcher, error) {
	atoms, groups, err := fastAtoms(p)
	if err != nil {
		return nil, err
	}
	// Expressions: maximal runs of atoms in (or out of) the same group.
	var exprs [][]fastAtom
	for i, a := range atoms {
		if i == 0 || a.group != atoms[i-1].group {
			exprs = append(exprs, nil)
		}
		exprs[len(exprs)-1] = append(exprs[len(exprs)-1], a)
	}
	// Fixed-length starts move to the end of the previous expression.
	var segs [][]fastAtom
	for _, e := range exprs {
		if len(segs) > 0 {
			k := 0
			for k < len(e) && e[k].fixed {
				k++
			}
			segs[len(segs)-1] = append(segs[len(segs)-1], e[:k]...)
			e = e[k:]
		}
		if len(e) > 0 {
			segs = append(segs, e)
		}
	}
	m := &fastMatcher{groups: groups}
	for si, seg := range segs {
		var b strings.Builder
		b.WriteString(`^(?s:`)
		var runs []int
		for i, a := range seg {
			if i == 0 || a.group != seg[i-1].group {
				if i > 0 {
					b.WriteString(`)`)
				}
				b.WriteString(`(`)
				runs = append(runs, a.group)
			}
			b.WriteString(a.re)
		}
		b.WriteString(`))`)
		if si == len(segs)-1 {
			b.WriteString(`$`)
		}
		re, err := compileRegexp(b.String())
		if err != nil {
			return nil, err
		}
		m.segs = append(m.segs, fastSegment{re: re, runs: runs})
	}
	return m, nil
}

// match fills spans[k-1] with group k's [start, end) and reports whether
// every segment matched in turn up to the end of s.
func (m *fastMatcher) match(s string, spans [][2]int) bool {
	for i := range spans {
		spans[i] = [2]int{-1, -1}
	}
	pos := 0
	for _, seg := range m.segs {
		loc := seg.re.FindStringSubmatchIndex(s[pos:])
		if loc == nil {
			return false
		}
		for r, g := range seg.runs {
			if g == 0 || loc[2*r+2] < 0 {
				continue
			}
			start, end := pos+loc[2*r+2], pos+loc[2*r+3]
			if spans[g-1][0] < 0 {
				spans[g-1][0] = start
			}
			spans[g-1][1] = end
		}
		pos += loc[1]
	}
	return pos == len(s)
}
