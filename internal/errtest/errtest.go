// Package errtest checks errors against expectations written in the
// source itself, as go/parser's testdata does: a comment
//
//	/* ERROR "regexp" */
//
// right after the offending token says that an error whose message
// matches regexp is reported at that token; /* ERROR NEXT "regexp" */
// points at the token after the comment instead (the end of input, say).
// A file can hold many cases, one per statement. Rewrite replaces the
// comments with the errors actually found (the -rewrite flag of the
// script tests).
package errtest

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/streamsql/streamsql/parser"
)

var annotation = regexp.MustCompile(`/\*\s*ERROR\s+(NEXT\s+)?"([^"]*)"\s*\*/`)

// Want is one expected error.
type Want struct {
	Offset int // byte offset of the token the error is reported at
	Rx     *regexp.Regexp
	at     int // offset of the comment, for messages
}

// Has reports whether src has expected-error comments.
func Has(src string) bool { return annotation.MatchString(src) }

// Wants reads the expected-error comments of src.
func Wants(src string) ([]Want, error) {
	toks := parser.Tokens(src)
	var out []Want
	for _, m := range annotation.FindAllStringSubmatchIndex(src, -1) {
		rx, err := regexp.Compile(src[m[4]:m[5]])
		if err != nil {
			return nil, fmt.Errorf("offset %d: bad ERROR regexp: %v", m[0], err)
		}
		w := Want{Offset: -1, Rx: rx, at: m[0]}
		if m[2] >= 0 { // NEXT: the first token after the comment
			for _, t := range toks {
				if t.Start >= m[1] {
					w.Offset = t.Start
					break
				}
			}
		} else { // the last token before the comment
			for _, t := range toks {
				if t.End > m[0] {
					break
				}
				w.Offset = t.Start
			}
		}
		if w.Offset < 0 {
			return nil, fmt.Errorf("offset %d: an ERROR comment needs a token before it", m[0])
		}
		out = append(out, w)
	}
	return out, nil
}

// Check compares the errors found in f's source with its expected-error
// comments and describes every difference: an error not expected there, or
// an expected error not reported.
func Check(f *parser.File, errs []*parser.Error) []string {
	wants, err := Wants(f.Src)
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", f.Name, err)}
	}
	used := make([]bool, len(wants))
	var fails []string
	for _, e := range errs {
		found := false
		for i, w := range wants {
			if !used[i] && w.Offset == e.Pos.Offset && w.Rx.MatchString(e.Msg) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			fails = append(fails, fmt.Sprintf("%s: unexpected error: %s", e.Pos, e.Msg))
		}
	}
	for i, w := range wants {
		if !used[i] {
			fails = append(fails, fmt.Sprintf("%s: no error matching %q here (ERROR comment at %s)",
				f.Position(parser.Pos(w.Offset+1)), w.Rx, f.Position(parser.Pos(w.at+1))))
		}
	}
	return fails
}

// Rewrite returns src with its expected-error comments replaced by one for
// each error in errs (found when parsing or planning src), placed after the
// token each error points at.
func Rewrite(src string, errs []*parser.Error) string {
	type edit struct {
		start, end int
		text       string
	}
	var edits []edit
	for _, m := range annotation.FindAllStringIndex(src, -1) {
		start := m[0]
		for start > 0 && (src[start-1] == ' ' || src[start-1] == '\t') {
			start--
		}
		edits = append(edits, edit{start, m[1], ""})
	}
	toks := parser.Tokens(src)
	for _, e := range errs {
		at, next := -1, false
		for i, t := range toks {
			if t.Start == e.Pos.Offset {
				at = t.End
				if i == len(toks)-1 && i > 0 { // the end of input: after the last token, pointing on
					at, next = toks[i-1].End, true
				}
				break
			}
		}
		if at < 0 {
			continue // not at a token: cannot be written as a comment
		}
		word := "ERROR "
		if next {
			word = "ERROR NEXT "
		}
		edits = append(edits, edit{at, at, " /* " + word + `"` + pattern(e.Msg) + `" */`})
	}
	// Apply from the end; at one offset, removals before insertions so the
	// new comments keep the order of errs.
	sort.SliceStable(edits, func(i, j int) bool {
		if edits[i].start != edits[j].start {
			return edits[i].start > edits[j].start
		}
		return edits[i].end > edits[j].end
	})
	for k := 0; k < len(edits); {
		j := k
		var ins strings.Builder
		for j < len(edits) && edits[j].start == edits[k].start && edits[j].end == edits[j].start {
			ins.WriteString(edits[j].text)
			j++
		}
		if j > k {
			// insertions at one offset were sorted stably in errs order
			src = src[:edits[k].start] + ins.String() + src[edits[k].start:]
			k = j
			continue
		}
		src = src[:edits[k].start] + src[edits[k].end:]
		k++
	}
	return src
}

// pattern is a regexp for msg: its longest opening run of plain
// characters, cut at a word end, so that the comment stays readable.
func pattern(msg string) string {
	const meta = "\\.+*?()|[]{}^$\""
	p := msg
	if i := strings.IndexAny(p, meta); i >= 0 {
		p = p[:i]
	}
	if len(p) > 60 {
		if i := strings.LastIndexByte(p[:60], ' '); i > 0 {
			p = p[:i]
		} else {
			p = p[:60]
		}
	}
	if p = strings.TrimSpace(p); len(p) >= 4 {
		return p
	}
	q := regexp.QuoteMeta(msg)
	q = strings.ReplaceAll(q, `"`, `.`)
	if len(q) > 40 {
		q = q[:40]
		q = strings.TrimRight(q, `\`)
	}
	return q
}
