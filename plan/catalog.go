// Package plan turns parsed KDA SQL into an operator graph: a catalog of
// in-application streams and reference tables, a binder that resolves names
// and types with positioned errors, and a planner that wires pumps.
package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// Column is one column of a stream or table. Hidden columns (the metadata
// of source streams) can be named but are not part of SELECT *.
type Column struct {
	Name   string
	Type   value.Type
	Hidden bool
}

// Stream is an in-application stream.
type Stream struct {
	Name    string
	Columns []Column
	Source  bool       // fed by an application input
	Input   int        // index of that input in the application (Source only)
	Def     parser.Pos // CREATE STREAM position (NoPos for sources)
	Query   bool       // the implicit stream of a bare query statement

	// times[i] is how column i follows time over every pump planned so
	// far that inserts into the stream (timecols.go); writers counts them.
	times   []colTime
	writers int
}

// Visible returns the columns SELECT * returns.
func (s *Stream) Visible() []Column {
	var out []Column
	for _, c := range s.Columns {
		if !c.Hidden {
			out = append(out, c)
		}
	}
	return out
}

// Table is a reference table.
type Table struct {
	Name    string
	Columns []Column
}

// Catalog holds the streams and tables a script can name.
type Catalog struct {
	streams map[string]*Stream
	tables  map[string]*Table
	order   []string // stream names in creation order
}

// NewCatalog returns an empty catalog.
func NewCatalog() *Catalog {
	return &Catalog{streams: map[string]*Stream{}, tables: map[string]*Table{}}
}

// clone copies the catalog: its streams (without what pumps recorded in
// them) and tables, for planning a script again from the same start.
func (c *Catalog) clone() *Catalog {
	n := &Catalog{streams: make(map[string]*Stream, len(c.streams)), tables: make(map[string]*Table, len(c.tables)),
		order: append([]string(nil), c.order...)}
	for k, s := range c.streams {
		cp := *s
		cp.times, cp.writers = nil, 0
		n.streams[k] = &cp
	}
	for k, t := range c.tables {
		n.tables[k] = t
	}
	return n
}

// replaceWith makes c hold what o holds.
func (c *Catalog) replaceWith(o *Catalog) {
	c.streams, c.tables, c.order = o.streams, o.tables, o.order
}

// AddSource registers an in-application source stream fed by input.
func (c *Catalog) AddSource(name string, input int, cols []Column) error {
	if _, ok := c.streams[name]; ok {
		return fmt.Errorf("stream %q is defined twice", name)
	}
	c.streams[name] = &Stream{Name: name, Columns: cols, Source: true, Input: input}
	c.order = append(c.order, name)
	return nil
}

// AddTable registers a reference table.
func (c *Catalog) AddTable(name string, cols []Column) error {
	if _, ok := c.tables[name]; ok {
		return fmt.Errorf("reference table %q is defined twice", name)
	}
	c.tables[name] = &Table{Name: name, Columns: cols}
	return nil
}

// Stream looks a stream up by its exact stored name.
func (c *Catalog) Stream(name string) *Stream { return c.streams[name] }

// Table looks a reference table up by its exact stored name.
func (c *Catalog) Table(name string) *Table { return c.tables[name] }

// Streams lists the streams in creation order.
func (c *Catalog) Streams() []*Stream {
	out := make([]*Stream, 0, len(c.order))
	for _, n := range c.order {
		out = append(out, c.streams[n])
	}
	return out
}

// Tables lists the reference tables by name.
func (c *Catalog) Tables() []*Table {
	out := make([]*Table, 0, len(c.tables))
	for _, t := range c.tables {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (c *Catalog) addStream(s *Stream) {
	if _, ok := c.streams[s.Name]; !ok {
		c.order = append(c.order, s.Name)
	}
	c.streams[s.Name] = s
}

// suggestName finds a name that differs from want only in case, for
// messages about quoted names ("Amount" versus AMOUNT).
func suggestName(want string, have []string) string {
	for _, h := range have {
		if strings.EqualFold(h, want) && h != want {
			return h
		}
	}
	return ""
}

// quoteName renders a name as the user would write it in SQL.
func quoteName(name string) string {
	plain := name != ""
	for i, r := range name {
		if !(r >= 'A' && r <= 'Z' || r == '_' || (i > 0 && r >= '0' && r <= '9')) {
			plain = false
			break
		}
	}
	if plain {
		return name
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
