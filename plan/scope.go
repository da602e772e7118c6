package plan

import (
	"fmt"
	"strings"

	"github.com/streamsql/streamsql/expr"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// relCol is one column of a relation being planned. Quals are the names
// that may qualify it (the alias, and the stream or table name).
type relCol struct {
	Quals  []string
	Name   string
	Type   value.Type
	Hidden bool
	// SetsRowtime marks a select item written `expr AS ROWTIME`: INSERT
	// takes it as the row's time, not as a column value.
	SetsRowtime bool
	// Time says whether the column's values follow time (timecols.go).
	Time colTime
}

// relScope resolves column references against a relation's columns.
// ROWTIME resolves to expr.SlotRowtime unless the relation has a column of
// that name. It records what was referenced, so the planner can tell a key
// that depends on ROWTIME alone.
type relScope struct {
	cols       []relCol
	hasRowtime bool // the relation is a stream (a reference table has no ROWTIME)

	usedRowtime bool
	usedColumns bool // columns that do not follow time
	usedExact   bool // columns equal to ROWTIME (timeExact)
	usedMono    bool // columns that never decrease (timeMono)
	// exactAsRowtime resolves timeExact columns to ROWTIME itself, so a
	// key over them can be evaluated at a bare time bound.
	exactAsRowtime bool
}

func (s *relScope) Replace(parser.Expr) (int, value.Type, bool) { return 0, value.Type{}, false }

func (s *relScope) Column(ref *parser.ColumnRef) (int, value.Type, error) {
	parts := ref.Parts
	pos := parts[0].NamePos
	switch len(parts) {
	case 1:
		return s.lookup(pos, "", parts[0].Name)
	case 2:
		if s.hasQual(parts[0].Name) {
			return s.lookup(parts[1].NamePos, parts[0].Name, parts[1].Name)
		}
		if i := s.find("", parts[0].Name); len(i) == 1 {
			return 0, value.Type{}, &expr.Error{Pos: pos, Msg: fmt.Sprintf(
				"field access %s is not supported yet", ref.Name())}
		}
		return 0, value.Type{}, &expr.Error{Pos: pos, Msg: fmt.Sprintf(
			"unknown stream or alias %s in %s%s", quoteName(parts[0].Name), ref.Name(), s.qualHint(parts[0].Name))}
	}
	return 0, value.Type{}, &expr.Error{Pos: pos, Msg: fmt.Sprintf("field access %s is not supported yet", ref.Name())}
}

func (s *relScope) hasQual(q string) bool {
	for _, c := range s.cols {
		for _, cq := range c.Quals {
			if cq == q {
				return true
			}
		}
	}
	return false
}

func (s *relScope) qualHint(q string) string {
	var quals []string
	seen := map[string]bool{}
	for _, c := range s.cols {
		for _, cq := range c.Quals {
			if !seen[cq] {
				seen[cq] = true
				quals = append(quals, cq)
			}
		}
	}
	if sug := suggestName(q, quals); sug != "" {
		return fmt.Sprintf("; did you mean %s? (quoted names keep their case)", quoteName(sug))
	}
	if len(quals) > 0 {
		qs := make([]string, len(quals))
		for i, q := range quals {
			qs[i] = quoteName(q)
		}
		return "; the FROM clause names " + strings.Join(qs, ", ")
	}
	return ""
}

// find returns the indexes of columns called name (qualified by qual if set).
func (s *relScope) find(qual, name string) []int {
	var out []int
	for i, c := range s.cols {
		if c.Name != name {
			continue
		}
		if qual != "" {
			ok := false
			for _, cq := range c.Quals {
				ok = ok || cq == qual
			}
			if !ok {
				continue
			}
		}
		out = append(out, i)
	}
	return out
}

func (s *relScope) lookup(pos parser.Pos, qual, name string) (int, value.Type, error) {
	idx := s.find(qual, name)
	if name == "ROWTIME" && qual == "" && len(idx) > 1 {
		idx = nil // a join's sides each have a ROWTIME; unqualified is the output row's
	}
	switch {
	case len(idx) == 1:
		c := s.cols[idx[0]]
		switch c.Time {
		case timeExact:
			s.usedExact = true
			if s.exactAsRowtime {
				return expr.SlotRowtime, c.Type, nil
			}
		case timeMono:
			s.usedMono = true
		default:
			s.usedColumns = true
		}
		return idx[0], c.Type, nil
	case len(idx) > 1:
		var quals []string
		for _, i := range idx {
			if len(s.cols[i].Quals) > 0 {
				quals = append(quals, quoteName(s.cols[i].Quals[0])+"."+quoteName(name))
			}
		}
		return 0, value.Type{}, &expr.Error{Pos: pos, Msg: fmt.Sprintf(
			"column %s is ambiguous: qualify it as %s", quoteName(name), strings.Join(quals, " or "))}
	}
	if name == "ROWTIME" {
		if !s.hasRowtime || (qual != "" && !s.qualHasRowtime(qual)) {
			return 0, value.Type{}, &expr.Error{Pos: pos, Msg: "a reference table has no ROWTIME"}
		}
		s.usedRowtime = true
		return expr.SlotRowtime, value.Type{Base: value.TTimestamp, NotNull: true}, nil
	}
	var names []string
	for _, c := range s.cols {
		names = append(names, c.Name)
	}
	msg := fmt.Sprintf("unknown column %s", quoteName(name))
	if qual != "" {
		msg = fmt.Sprintf("unknown column %s in %s", quoteName(name), quoteName(qual))
	}
	if sug := suggestName(name, names); sug != "" {
		msg += fmt.Sprintf("; did you mean %s? (quoted names keep their case, unquoted names are upper-cased)", quoteName(sug))
	}
	return 0, value.Type{}, &expr.Error{Pos: pos, Msg: msg}
}

// qualHasRowtime reports whether qual names a stream (not a reference table).
func (s *relScope) qualHasRowtime(qual string) bool {
	for _, c := range s.cols {
		for _, cq := range c.Quals {
			if cq == qual {
				return !c.fromTable()
			}
		}
	}
	return true
}

// A column of a reference table carries a marker qualifier.
const tableMarker = "\x00table"

func (c relCol) fromTable() bool {
	for _, q := range c.Quals {
		if q == tableMarker {
			return true
		}
	}
	return false
}
