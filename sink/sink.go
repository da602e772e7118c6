// Package sink writes in-application streams out: NDJSON (the shape KDA
// delivers to a destination), CSV, or an aligned table for a terminal.
package sink

import (
	"bufio"
	"bytes"
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
	return NewLabeled(f, w, cols, withRowtime, "")
}

// StreamField names the label of a row's stream when several streams share
// one output: STREAM is a reserved word of KDA SQL, so no unquoted column
// can take the name.
const StreamField = "STREAM"

// NewLabeled is New with every row labelled with its stream (when stream is
// not ""): a leading STREAM field in NDJSON, a first field in CSV, a first
// column in a table. Several streams printed to one stdout stay apart.
func NewLabeled(f Format, w io.Writer, cols []Column, withRowtime bool, stream string) operators.Operator {
	bw := bufio.NewWriterSize(w, 64<<10)
	switch f {
	case CSV:
		return &csvWriter{w: bw, cols: cols, rowtime: withRowtime, label: stream}
	case Table:
		return &tableWriter{w: bw, cols: cols, rowtime: withRowtime, label: stream}
	}
	return newJSONWriter(bw, cols, withRowtime, stream)
}

// newJSONWriter lays out the constant parts of a row once: the head
// (`{`, the STREAM label, the start of ROWTIME) and each column's key
// with the comma before it.
func newJSONWriter(w *bufio.Writer, cols []Column, withRowtime bool, stream string) *jsonWriter {
	head := []byte{'{'}
	if stream != "" {
		head = value.AppendJSONString(append(value.AppendJSONString(head, StreamField), ':'), stream)
		if withRowtime || len(cols) > 0 {
			head = append(head, ',')
		}
	}
	if withRowtime {
		head = append(head, `"ROWTIME":"`...)
	}
	keys := make([][]byte, len(cols))
	for i, c := range cols {
		if i > 0 || withRowtime {
			keys[i] = append(keys[i], ',')
		}
		keys[i] = append(value.AppendJSONString(keys[i], c.Name), ':')
	}
	return &jsonWriter{w: w, cols: cols, rowtime: withRowtime, head: head, keys: keys}
}

// jsonWriter writes one JSON object per row.
type jsonWriter struct {
	w       *bufio.Writer
	cols    []Column
	rowtime bool
	head    []byte   // what every row starts with, up to ROWTIME's value
	keys    [][]byte // `"NAME":` with the comma before it
	room    int      // free buffer space wanted before a row: the longest row so far
}

// Push formats the rows straight into the free space of the bufio buffer
// (AvailableBuffer) and hands each filled stretch to Write, which then
// has nothing to copy; it flushes first when a row as long as the longest
// so far might not fit. A longer row grows its own slice, written out
// the same way.
func (j *jsonWriter) Push(b *operators.Batch) {
	buf := j.w.AvailableBuffer()
	for i, n := 0, b.Len(); i < n; i++ {
		if cap(buf)-len(buf) < j.room {
			j.w.Write(buf)
			if j.w.Available() < j.room {
				j.w.Flush()
			}
			buf = j.w.AvailableBuffer()
		}
		start := len(buf)
		row := b.Row(i)
		buf = append(buf, j.head...)
		if j.rowtime {
			buf = value.AppendTimestamp(buf, b.Times[i])
			buf = append(buf, '"')
		}
		for k, c := range j.cols {
			buf = append(buf, j.keys[k]...)
			buf = value.AppendJSON(buf, row[k], c.Type)
		}
		buf = append(buf, '}', '\n')
		j.room = max(j.room, len(buf)-start)
	}
	j.w.Write(buf)
}

func (j *jsonWriter) Advance(int64) { j.w.Flush() }

// csvWriter writes delimited rows without a header, as KDA's CSV destination does.
type csvWriter struct {
	w       *bufio.Writer
	cols    []Column
	rowtime bool
	label   string
	buf     []byte
}

func (c *csvWriter) Push(b *operators.Batch) {
	for i, n := 0, b.Len(); i < n; i++ {
		row := b.Row(i)
		buf := c.buf[:0]
		if c.label != "" {
			buf = appendCSV(buf, value.NewString(c.label), value.Type{Base: value.TVarchar})
			if c.rowtime || len(c.cols) > 0 {
				buf = append(buf, ',')
			}
		}
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
	if !bytes.ContainsAny(buf[start:], ",\"\r\n") {
		return buf
	}
	field := string(buf[start:])
	buf = append(buf[:start], '"')
	buf = append(buf, strings.ReplaceAll(field, `"`, `""`)...)
	return append(buf, '"')
}

// tableWriter prints aligned blocks: rows are held until a bound (or 100
// rows) and printed with widths fitted to what was seen so far. The header
// prints once: widths start from the column types and only grow, so a
// later wider value shifts the rest of its line instead of repeating the
// header.
type tableWriter struct {
	w       *bufio.Writer
	cols    []Column
	rowtime bool
	label   string
	pending [][]string
	widths  []int
	started bool
}

func (t *tableWriter) header() []string {
	var h []string
	if t.label != "" {
		h = append(h, StreamField)
	}
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
		if t.label != "" {
			cells = append(cells, t.label)
		}
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
	if !t.started {
		t.widths = t.initialWidths(h)
	}
	for _, r := range t.pending {
		for i, s := range r {
			t.widths[i] = max(t.widths[i], utf8.RuneCountInString(s))
		}
	}
	widths := t.widths
	if !t.started {
		t.started = true
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

// initialWidths fit the header and the values a column's type allows
// (VARCHAR up to 24 characters, numbers, timestamps), so that most tables
// never need to widen.
func (t *tableWriter) initialWidths(h []string) []int {
	widths := make([]int, len(h))
	for i, s := range h {
		widths[i] = utf8.RuneCountInString(s)
	}
	k := 0
	if t.label != "" {
		widths[0] = max(widths[0], utf8.RuneCountInString(t.label))
		k++
	}
	if t.rowtime {
		widths[k] = max(widths[k], len("2006-01-02 15:04:05.000"))
		k++
	}
	for _, c := range t.cols {
		widths[k] = max(widths[k], typeWidth(c.Type))
		k++
	}
	return widths
}

// typeWidth is how wide a column's values usually print.
func typeWidth(t value.Type) int {
	switch t.Base {
	case value.TTimestamp:
		return len("2006-01-02 15:04:05.000")
	case value.TDate:
		return len("2006-01-02")
	case value.TTime:
		return len("15:04:05.000")
	case value.TBoolean:
		return len("false")
	case value.TVarchar, value.TChar:
		return min(t.Len, 16)
	}
	return 0 // numbers: the header and the values seen
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
