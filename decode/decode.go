// Package decode turns Kinesis record payloads into typed rows, following
// the application's input schema: JSON through JSONPath mappings (compiled
// once into gjson paths) or CSV by position, with KDA's JSON-to-SQL
// conversion rules. A record that cannot be mapped goes to error_stream.
package decode

import (
	"bytes"
	"fmt"
	"strings"
	"unsafe"

	"github.com/tidwall/gjson"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/internal/jsonscan"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

// Column is one input column: name, SQL type and (for JSON) JSONPath.
type Column struct {
	Name    string
	Type    value.Type
	Mapping string
}

// Format is the record format of a schema.
type Format struct {
	Type            string // JSON or CSV
	RecordRowPath   string
	RowDelimiter    string
	ColumnDelimiter string
}

// Schema is a record format and its columns.
type Schema struct {
	Format  Format
	Columns []Column
}

// Meta is the Kinesis metadata of a record.
type Meta struct {
	Arrival                               int64
	PartitionKey, SequenceNumber, ShardID string
}

// MetaColumns follow the declared columns of every source row.
var MetaColumns = []Column{
	{Name: "APPROXIMATE_ARRIVAL_TIME", Type: value.Timestamp},
	{Name: "PARTITION_KEY", Type: value.Type{Base: value.TVarchar, Len: 256}},
	{Name: "SEQUENCE_NUMBER", Type: value.Type{Base: value.TVarchar, Len: 128}},
	{Name: "SHARD_ID", Type: value.Type{Base: value.TVarchar, Len: 64}},
}

// Decoder maps records of one schema.
type Decoder struct {
	s       Schema
	json    bool
	paths   []string // gjson path per column
	flatten int      // column index of the one "[0:]." column that flattens an array, or -1
	arrPath string   // gjson path of that array
	elem    string   // gjson path inside each element
	rowPath string   // gjson path of RecordRowPath ("" = whole record)
	rowArr  bool
	// topLevel maps a top-level key to its column when every mapping is a
	// plain "$.name": the object is then walked once instead of once per column.
	topLevel map[string]int
	seen     []bool // per column, in decodeFlat: the first occurrence of a key wins, as in gjson
	// keys and keyCols are the keys of the last object decodeFlat read, in
	// order, and their columns (-1: none): the guess for the next object
	// (column, scanFlat). The keys are copies: a payload may be reused.
	keys    []string
	keyCols []int
	// Stable says the caller never writes a payload's bytes again (a
	// replay's payload is an allocation of its own): decoded strings then
	// point into the payload instead of into a copy of it.
	Stable bool
	// Reused says the caller reuses a payload's bytes, and its metadata
	// strings', once Decode returns (the parallel replay's arenas): the
	// flat path then reads the payload in place and copies each string a
	// row keeps, not the whole payload.
	Reused bool
	kept   []string // per column in Reused mode: the last string copied, shared while it repeats
}

// New compiles a schema.
func New(s Schema) (*Decoder, error) {
	d := &Decoder{s: s, flatten: -1}
	switch strings.ToUpper(s.Format.Type) {
	case "JSON":
		d.json = true
		rp, arr, err := compilePath(s.Format.RecordRowPath)
		if err != nil {
			return nil, fmt.Errorf("RecordRowPath %q: %v", s.Format.RecordRowPath, err)
		}
		d.rowPath, d.rowArr = rp, arr != ""
		if arr != "" {
			d.rowPath = arr
		}
		for i, c := range s.Columns {
			p, arr, err := compilePath(c.Mapping)
			if err != nil {
				return nil, fmt.Errorf("column %s: mapping %q: %v", c.Name, c.Mapping, err)
			}
			if arr != "" && p != "" {
				if d.flatten >= 0 && arr != d.arrPath {
					return nil, fmt.Errorf("column %s: only one array can be flattened per schema", c.Name)
				}
				d.flatten, d.arrPath = i, arr
			}
			if arr != "" && p == "" {
				p = arr // "$.arr[0:]": the whole array as text
			}
			d.paths = append(d.paths, p)
		}
		// Every column under the flattened array reads from the element.
		if d.flatten >= 0 {
			for i, c := range s.Columns {
				if _, arr, _ := compilePath(c.Mapping); arr == d.arrPath && d.paths[i] != arr {
					d.paths[i] = "\x00" + d.paths[i]
				}
			}
		}
		d.topLevel = topLevelKeys(s.Columns, d)
	case "CSV":
		if s.Format.RowDelimiter == "" {
			d.s.Format.RowDelimiter = "\n"
		}
		if s.Format.ColumnDelimiter == "" {
			d.s.Format.ColumnDelimiter = ","
		}
	default:
		return nil, fmt.Errorf("record format %q is not JSON or CSV", s.Format.Type)
	}
	return d, nil
}

// compilePath turns a KDA JSONPath into a gjson path. A "[0:]" step splits
// the path: arr is the array's path and rest the path inside each element.
func compilePath(p string) (rest, arr string, err error) {
	p = strings.TrimSpace(p)
	if p == "" || p == "$" {
		return "", "", nil
	}
	if !strings.HasPrefix(p, "$") {
		return "", "", fmt.Errorf("a JSONPath starts with $")
	}
	p = p[1:]
	var parts []string
	for len(p) > 0 {
		switch {
		case p[0] == '.':
			p = p[1:]
			n := strings.IndexAny(p, ".[")
			if n < 0 {
				n = len(p)
			}
			if n == 0 {
				return "", "", fmt.Errorf("empty name")
			}
			parts = append(parts, escape(p[:n]))
			p = p[n:]
		case p[0] == '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return "", "", fmt.Errorf("missing ]")
			}
			in := strings.TrimSpace(p[1:end])
			p = p[end+1:]
			switch {
			case in == "0:" || in == "*":
				if arr != "" {
					return "", "", fmt.Errorf("only one level of array can be flattened")
				}
				arr = strings.Join(parts, ".")
				if arr == "" {
					arr = "@this" // $[0:]: the record itself is the array
				}
				parts = nil
			case len(in) > 1 && (in[0] == '\'' || in[0] == '"'):
				parts = append(parts, escape(in[1:len(in)-1]))
			default:
				for _, c := range in {
					if c < '0' || c > '9' {
						return "", "", fmt.Errorf("unsupported index [%s]", in)
					}
				}
				parts = append(parts, in)
			}
		default:
			return "", "", fmt.Errorf("unexpected %q", p[:1])
		}
	}
	return strings.Join(parts, "."), arr, nil
}

func escape(name string) string {
	var b strings.Builder
	for _, c := range name {
		if strings.ContainsRune(`.*?|#@\`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Width is the number of values in a decoded source row.
func (d *Decoder) Width() int { return len(d.s.Columns) + len(MetaColumns) }

// Decode appends the rows of one record to out and returns how many.
func (d *Decoder) Decode(rowtime int64, data []byte, meta Meta, out *operators.Batch, errs operators.ErrorSink) int {
	before := out.Len()
	emit := func(fill func(row []value.Value) error, raw []byte) {
		n := out.Len()
		row := out.Grow(rowtime)
		if err := fill(row); err != nil {
			out.Truncate(n)
			report(errs, rowtime, eval.ErrConversion, err.Error(), raw)
			return
		}
		d.setMeta(row, meta)
	}
	if d.topLevel != nil && d.decodeFlat(rowtime, data, meta, out, errs) {
		return out.Len() - before
	}
	if d.json {
		d.eachJSONRow(rowtime, data, errs, func(obj gjson.Result, elem gjson.Result, hasElem bool) {
			emit(func(row []value.Value) error { return d.fillJSON(row, obj, elem, hasElem) }, data)
		})
	} else {
		d.eachCSVRow(data, func(line string) {
			emit(func(row []value.Value) error { return d.fillCSV(row, line) }, []byte(line))
		})
	}
	return out.Len() - before
}

// DecodeTable maps a whole reference object into rows of the declared columns.
func (d *Decoder) DecodeTable(data []byte, errs operators.ErrorSink) [][]value.Value {
	var rows [][]value.Value
	width := len(d.s.Columns)
	add := func(fill func(row []value.Value) error, raw []byte) {
		row := make([]value.Value, width)
		if err := fill(row); err != nil {
			report(errs, 0, eval.ErrConversion, err.Error(), raw)
			return
		}
		rows = append(rows, row)
	}
	if d.json {
		d.eachJSONRow(0, data, errs, func(obj, elem gjson.Result, hasElem bool) {
			add(func(row []value.Value) error { return d.fillJSON(row, obj, elem, hasElem) }, []byte(obj.Raw))
		})
		return rows
	}
	d.eachCSVRow(data, func(line string) {
		add(func(row []value.Value) error { return d.fillCSV(row, line) }, []byte(line))
	})
	return rows
}

// decodeFlat is the single-pass path for one object of top-level fields;
// false means the record needs the general path.
func (d *Decoder) decodeFlat(rowtime int64, data []byte, meta Meta, out *operators.Batch, errs operators.ErrorSink) bool {
	var s string
	if d.Stable || d.Reused {
		s = unsafe.String(unsafe.SliceData(data), len(data))
	} else {
		s = string(data)
	}
	n := out.Len()
	row := out.Grow(rowtime)
	if len(d.seen) != len(d.s.Columns) {
		d.seen = make([]bool, len(d.s.Columns))
	}
	clear(d.seen)
	var ferr error
	pos := 0
	ok, valid := scanFlat(s, d.keys, func(key string, v gjson.Result) bool {
		i := d.column(pos, key)
		pos++
		if i < 0 || d.seen[i] || ferr != nil {
			return true // keep scanning: malformed JSON outranks a conversion error
		}
		d.seen[i] = true
		c := &d.s.Columns[i]
		if v.Type == gjson.Number && readsFloat(c.Type) {
			v.Num = parseFloat(v.Raw)
		}
		if row[i], ferr = fromJSON(v, c.Type); ferr != nil {
			ferr = fmt.Errorf("%s: %v", c.Name, ferr)
		} else if d.Reused {
			d.keep(i, &row[i])
		}
		return true
	})
	switch {
	case !ok:
		out.Truncate(n)
		return false
	case !valid:
		out.Truncate(n)
		report(errs, rowtime, eval.ErrParse, "invalid JSON record", data)
	case ferr != nil:
		out.Truncate(n)
		report(errs, rowtime, eval.ErrConversion, ferr.Error(), data)
	default:
		d.setMeta(row, meta)
	}
	return true
}

// column is the column a top-level key maps to (-1 for none), the key
// being the pos-th of its object. Records of a stream mostly list their
// keys in one order, so the key met at pos in the last record is tried
// before the map.
func (d *Decoder) column(pos int, key string) int {
	if pos < len(d.keys) && d.keys[pos] == key {
		return d.keyCols[pos]
	}
	i, hit := d.topLevel[key]
	if !hit {
		i = -1
	}
	key = strings.Clone(key) // the payload's bytes may be reused (Reused)
	switch {
	case pos < len(d.keys):
		d.keys[pos], d.keyCols[pos] = key, i
	case pos == len(d.keys) && pos < 64:
		d.keys, d.keyCols = append(d.keys, key), append(d.keyCols, i)
	}
	return i
}

// setMeta fills in a row's metadata columns.
func (d *Decoder) setMeta(row []value.Value, meta Meta) {
	m := row[len(d.s.Columns):]
	m[0] = value.NewTimestamp(meta.Arrival)
	pk, seq := meta.PartitionKey, meta.SequenceNumber
	if d.Reused {
		pk, seq = strings.Clone(pk), strings.Clone(seq)
	}
	m[1], m[2], m[3] = text(pk), text(seq), text(meta.ShardID)
}

// keep gives a decoded value of column i bytes of its own (Reused mode),
// the last copy's when the value repeats.
func (d *Decoder) keep(i int, v *value.Value) {
	if v.S == "" {
		return
	}
	if len(d.kept) != len(d.s.Columns) {
		d.kept = make([]string, len(d.s.Columns))
	}
	if v.S != d.kept[i] {
		d.kept[i] = strings.Clone(v.S)
	}
	v.S = d.kept[i]
}

func text(s string) value.Value {
	if s == "" {
		return value.Null
	}
	return value.NewString(s)
}

func report(errs operators.ErrorSink, t int64, name, msg string, raw []byte) {
	if errs != nil {
		errs.Error(operators.ErrorRecord{Time: t, Level: "ERROR", Name: name, Message: msg, DataRowtime: t,
			DataRow: append([]byte(nil), raw...)})
	}
}

// eachJSONRow calls f for every row of a record: every JSON document in it,
// every element of the RecordRowPath array, every element of a flattened
// column array.
func (d *Decoder) eachJSONRow(t int64, data []byte, errs operators.ErrorSink, f func(obj, elem gjson.Result, hasElem bool)) {
	rest := data
	for {
		i := 0
		for i < len(rest) && (rest[i] == ' ' || rest[i] == '\n' || rest[i] == '\r' || rest[i] == '\t') {
			i++
		}
		rest = rest[i:]
		if len(rest) == 0 {
			return
		}
		// One valid document is the common case: a single validation pass.
		// Several concatenated documents are invalid as a whole, so only
		// then is the first one's end looked for.
		n, valid := len(rest), jsonscan.Valid(rest)
		if !valid {
			n = docEnd(rest)
			valid = n > 0 && n < len(rest) && jsonscan.Valid(rest[:n])
		}
		if !valid {
			report(errs, t, eval.ErrParse, "invalid JSON record", data)
			return
		}
		doc := gjson.ParseBytes(rest[:n])
		rest = rest[n:]
		var objs []gjson.Result
		switch {
		case d.rowPath == "":
			objs = []gjson.Result{doc}
		case d.rowArr:
			objs = doc.Get(d.rowPath).Array()
		default:
			objs = []gjson.Result{doc.Get(d.rowPath)}
		}
		for _, obj := range objs {
			if d.flatten < 0 {
				f(obj, gjson.Result{}, false)
				continue
			}
			elems := obj.Get(d.arrPath).Array()
			if len(elems) == 0 {
				f(obj, gjson.Result{}, true) // one all-NULL row for an empty array
				continue
			}
			for _, e := range elems {
				f(obj, e, true)
			}
		}
	}
}

// topLevelKeys returns the key-to-column map when every column maps a
// distinct top-level field, else nil.
func topLevelKeys(cols []Column, d *Decoder) map[string]int {
	if d.flatten >= 0 || d.rowPath != "" {
		return nil
	}
	m := make(map[string]int, len(cols))
	for i, c := range cols {
		name := strings.TrimPrefix(strings.TrimSpace(c.Mapping), "$.")
		if name == "" || strings.ContainsAny(name, ".[]*?|#@\\$") || !strings.HasPrefix(strings.TrimSpace(c.Mapping), "$.") {
			return nil
		}
		if _, dup := m[name]; dup {
			return nil
		}
		m[name] = i
	}
	return m
}

func (d *Decoder) fillJSON(row []value.Value, obj, elem gjson.Result, hasElem bool) error {
	if d.topLevel != nil && obj.IsObject() {
		var err error
		obj.ForEach(func(k, v gjson.Result) bool {
			i, ok := d.topLevel[k.Str]
			if !ok {
				return true
			}
			c := &d.s.Columns[i]
			if row[i], err = fromJSON(v, c.Type); err != nil {
				err = fmt.Errorf("%s: %v", c.Name, err)
				return false
			}
			return true
		})
		return err
	}
	for i, c := range d.s.Columns {
		p := d.paths[i]
		var r gjson.Result
		switch {
		case strings.HasPrefix(p, "\x00"):
			if hasElem && elem.Exists() {
				if p == "\x00" {
					r = elem
				} else {
					r = elem.Get(p[1:])
				}
			}
		case p == "":
			r = obj
		default:
			r = obj.Get(p)
		}
		v, err := fromJSON(r, c.Type)
		if err != nil {
			return fmt.Errorf("%s: %v", c.Name, err)
		}
		row[i] = v
	}
	return nil
}

// eachCSVRow splits a record into rows; a trailing delimiter adds no row.
func (d *Decoder) eachCSVRow(data []byte, f func(line string)) {
	s := string(data)
	for _, line := range strings.Split(s, d.s.Format.RowDelimiter) {
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			continue
		}
		f(line)
	}
}

func (d *Decoder) fillCSV(row []value.Value, line string) error {
	fields := strings.Split(line, d.s.Format.ColumnDelimiter)
	if len(fields) < len(d.s.Columns) {
		return fmt.Errorf("%d fields, the schema has %d columns", len(fields), len(d.s.Columns))
	}
	for i, c := range d.s.Columns {
		f := fields[i]
		if f == "" && !c.Type.IsString() {
			row[i] = value.Null
			continue
		}
		v, err := fromString(f, c.Type)
		if err != nil {
			return fmt.Errorf("%s: %v", c.Name, err)
		}
		row[i] = v
	}
	return nil
}

// docEnd finds the end of the first JSON document in b, so a record holding
// several concatenated documents yields several rows. 0 means no end found.
func docEnd(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	if b[0] != '{' && b[0] != '[' {
		for i, c := range b {
			if c == ' ' || c == '\n' || c == '\r' || c == '\t' {
				return i
			}
		}
		return len(b)
	}
	// Jump between the bytes that matter instead of looking at every one.
	depth := 0
	for i := 0; i < len(b); {
		k := bytes.IndexAny(b[i:], `"{}[]`)
		if k < 0 {
			return 0
		}
		i += k
		switch b[i] {
		case '"':
			i++
			for {
				q := bytes.IndexByte(b[i:], '"')
				if q < 0 {
					return 0
				}
				i += q
				// An escaped quote has an odd run of backslashes before it.
				bs := 0
				for j := i - 1; j >= 0 && b[j] == '\\'; j-- {
					bs++
				}
				i++
				if bs%2 == 0 {
					break
				}
			}
			continue
		case '{', '[':
			depth++
		default:
			depth--
			if depth == 0 {
				return i + 1
			}
		}
		i++
	}
	return 0
}
