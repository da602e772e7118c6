// Package sink writes in-application streams out: NDJSON (the shape KDA
// delivers to a destination), CSV, or an aligned table for a terminal.
package sink

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

// Column is one output column.
type Column struct {
	Name string
	Type value.Type
}

// Format is an output format.
type Format int

const (
	Table Format = iota
	NDJSON
	CSV
)

// ParseFormat reads table, ndjson (or json) and csv.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "table":
		return Table, nil
	case "ndjson", "json":
		return NDJSON, nil
	case "csv":
		return CSV, nil
	}
	return 0, fmt.Errorf("unknown format %q: use table, ndjson or csv", s)
}

// New returns an operator writing rows of cols to w. Only the first
// len(cols) values of each row are written (source streams carry hidden
// metadata columns after them).
func New(f Format, w io.Writer, cols []Column, withRowtime bool) operators.Operator {
	bw := bufio.NewWriterSize(w, 64<<10)
	switch f {
	case CSV:
		return &csvWriter{w: bw, cols: cols, rowtime: withRowtime}
	case Table:
		return &tableWriter{w: bw, cols: cols, rowtime: withRowtime}
	}
	return &jsonWriter{w: bw, cols: cols, rowtime: withRowtime, keys: jsonKeys(cols)}
}

func jsonKeys(cols []Column) [][]byte {
	keys := make([][]byte, len(cols))
	for i, c := range cols {
		keys[i] = append(value.AppendJSONString(nil, c.Name), ':')
	}
	return keys
}

// jsonWriter writes one JSON object per row.
type jsonWriter struct {
	w       *bufio.Writer
	cols    []Column
	keys    [][]byte
	rowtime bool
	buf     []byte
}

func (j *jsonWriter) Push(b *operators.Batch) {
	for i, n := 0, b.Len(); i < n; i++ {
		row := b.Row(i)
		buf := append(j.buf[:0], '{')
		if j.rowtime {
			buf = append(buf, `"ROWTIME":"`...)
			buf = value.AppendTimestamp(buf, b.Times[i])
			buf = append(buf, '"')
			if len(j.cols) > 0 {
				buf = append(buf, ',')
			}
		}
		for k, c := range j.cols {
			if k > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, j.keys[k]...)
			buf = value.AppendJSON(buf, row[k], c.Type)
		}
		buf = append(buf, '}', '\n')
		j.w.Write(buf)
		j.buf = buf
	}
}

func (j *jsonWriter) Advance(int64) { j.w.Flush() }

// csvWriter writes delimited rows without a header, as KDA's CSV destination does.
type csvWriter struct {
	w       *bufio.Writer
	cols    []Column
	rowtime bool
	buf     []byte
}

func (c *csvWriter) Push(b *operators.Batch) {
	for i, n := 0, b.Len(); i < n; i++ {
		row := b.Row(i)
		buf := c.buf[:0]
		if c.rowtime {
			buf = value.AppendTimestamp(buf, b.Times[i])
			if len(c.cols) > 0 {
				buf = append(buf, ',')
			}
		}
		for k, col := range c.cols {
			if k > 0 {
				buf = append(buf, ',')
			}
			buf = appendCSV(buf, row[k], col.Type)
		}
		buf = append(buf, '\n')
		c.w.Write(buf)
		c.buf = buf
	}
}

func (c *csvWriter) Advance(int64) { c.w.Flush() }

// appendCSV quotes a field (RFC 4180) when it holds a delimiter, quote or newline.
func appendCSV(buf []byte, v value.Value, t value.Type) []byte {
	start := len(buf)
	buf = value.AppendText(buf, v, t)
	field := string(buf[start:])
	if !strings.ContainsAny(field, ",\"\r\n") {
		return buf
	}
	buf = append(buf[:start], '"')
	buf = append(buf, strings.ReplaceAll(field, `"`, `""`)...)
	return append(buf, '"')
}

// tableWriter prints aligned blocks: rows are held until a bound (or 100
// rows) and printed with widths fitted to the block; the header repeats
// when the widths change.
type tableWriter struct {
	w       *bufio.Writer
	cols    []Column
	rowtime bool
	pending [][]string
	widths  []int
	started bool
}

func (t *tableWriter) header() []string {
	var h []string
	if t.rowtime {
		h = append(h, "ROWTIME")
	}
	for _, c := range t.cols {
		h = append(h, c.Name)
	}
	return h
}

func (t *tableWriter) Push(b *operators.Batch) {
	for i, n := 0, b.Len(); i < n; i++ {
		row := b.Row(i)
		var cells []string
		if t.rowtime {
			cells = append(cells, value.FormatTimestamp(b.Times[i]))
		}
		for k, c := range t.cols {
			if row[k].K == value.KNull {
				cells = append(cells, "NULL")
			} else {
				cells = append(cells, value.Text(row[k], c.Type))
			}
		}
		t.pending = append(t.pending, cells)
		if len(t.pending) >= 100 {
			t.print()
		}
	}
}

func (t *tableWriter) Advance(int64) {
	t.print()
	t.w.Flush()
}

func (t *tableWriter) print() {
	if len(t.pending) == 0 {
		return
	}
	h := t.header()
	widths := make([]int, len(h))
	for i, s := range h {
		widths[i] = max(utf8.RuneCountInString(s), t.width(i))
	}
	for _, r := range t.pending {
		for i, s := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(s))
		}
	}
	changed := !t.started
	for i := range widths {
		if i >= len(t.widths) || widths[i] != t.widths[i] {
			changed = true
		}
	}
	t.widths, t.started = widths, true
	if changed {
		t.line(h)
		var rule []string
		for _, w := range widths {
			rule = append(rule, strings.Repeat("-", w))
		}
		t.line(rule)
	}
	for _, r := range t.pending {
		t.line(r)
	}
	t.pending = t.pending[:0]
}

func (t *tableWriter) width(i int) int {
	if i < len(t.widths) {
		return t.widths[i]
	}
	return 0
}

func (t *tableWriter) line(cells []string) {
	for i, s := range cells {
		if i > 0 {
			t.w.WriteString("  ")
		}
		t.w.WriteString(s)
		if i < len(cells)-1 {
			t.w.WriteString(strings.Repeat(" ", t.widths[i]-utf8.RuneCountInString(s)))
		}
	}
	t.w.WriteByte('\n')
}

// ErrorStreamColumns are the columns of error_stream.
var ErrorStreamColumns = []Column{
	{"ERROR_TIME", value.Timestamp},
	{"ERROR_LEVEL", value.Type{Base: value.TVarchar, Len: 10}},
	{"ERROR_NAME", value.Type{Base: value.TVarchar, Len: 32}},
	{"MESSAGE", value.Type{Base: value.TVarchar, Len: 4096}},
	{"DATA_ROWTIME", value.Timestamp},
	{"DATA_ROW", value.Type{Base: value.TVarchar, Len: 49152}},
	{"PUMP_NAME", value.Type{Base: value.TVarchar, Len: 128}},
}

// errorStream formats error records as error_stream rows.
type errorStream struct {
	op    operators.Operator
	batch *operators.Batch
}

// NewErrorStream writes error records in format f.
func NewErrorStream(f Format, w io.Writer, withRowtime bool) operators.ErrorSink {
	return &errorStream{op: New(f, w, ErrorStreamColumns, withRowtime), batch: operators.NewBatch(len(ErrorStreamColumns), 1)}
}

func (e *errorStream) Error(r operators.ErrorRecord) {
	e.batch.Reset()
	e.batch.Append(r.Time, ErrorRow(r))
	e.op.Push(e.batch)
	e.op.Advance(r.Time)
}

// ErrorRow is an error record as a row of ErrorStreamColumns.
func ErrorRow(r operators.ErrorRecord) []value.Value {
	text := func(s string) value.Value {
		if s == "" {
			return value.Null
		}
		return value.NewString(s)
	}
	return []value.Value{value.NewTimestamp(r.Time), text(r.Level), text(r.Name), text(r.Message),
		value.NewTimestamp(r.DataRowtime), text(hex.EncodeToString(r.DataRow)), text(r.Pump)}
}
