// Package discover infers an input schema from sample records, like KDA's
// DiscoverInputSchema: JSON objects (nested objects flattened into JSONPath
// mappings) or delimited text, with KDA's column naming rules.
package discover

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/streamsql/streamsql/app"
)

// Options steer the inference.
type Options struct {
	// Format forces JSON or CSV; "" detects it from the first record.
	Format string
	// Header forces (1) or refuses (-1) a CSV header row; 0 detects it.
	Header int
	// ColumnDelimiter forces the CSV column delimiter; "" detects it
	// among , \t ; and |.
	ColumnDelimiter string
}

// Result is DiscoverInputSchema's response.
type Result struct {
	InputSchema        app.SourceSchema `json:"InputSchema"`
	ParsedInputRecords [][]*string      `json:"ParsedInputRecords"`
	RawInputRecords    []string         `json:"RawInputRecords"`
	// Skipped counts the JSON records that could not be read and were left
	// out of the inference; FirstSkipped describes the first.
	Skipped      int    `json:"-"`
	FirstSkipped string `json:"-"`
}

// ErrUnableToDetect is KDA's UnableToDetectSchemaException.
var ErrUnableToDetect = errors.New("unable to detect a schema")

// Infer infers the schema of the sample records (record payloads).
func Infer(records [][]byte, o Options) (*Result, error) {
	var nonEmpty [][]byte
	for _, r := range records {
		if len(bytes.TrimSpace(r)) > 0 {
			nonEmpty = append(nonEmpty, r)
		}
	}
	if len(nonEmpty) == 0 {
		return nil, fmt.Errorf("%w: no records with data", ErrUnableToDetect)
	}
	format := strings.ToUpper(o.Format)
	if format == "" {
		format = "CSV"
		if mostlyObjects(nonEmpty) {
			format = "JSON"
		}
	}
	if format == "JSON" {
		nonEmpty = splitLines(nonEmpty)
	}
	res := &Result{}
	for _, r := range nonEmpty {
		res.RawInputRecords = append(res.RawInputRecords, string(r))
	}
	switch format {
	case "JSON":
		return res, inferJSON(nonEmpty, res)
	case "CSV":
		return res, inferCSV(nonEmpty, o, res)
	}
	return nil, fmt.Errorf("format %q: want JSON or CSV", o.Format)
}

// mostlyObjects: most records (or, for one record, most of its lines)
// start like a JSON object, so one malformed line does not make the sample
// CSV.
func mostlyObjects(records [][]byte) bool {
	units := records
	if len(records) == 1 {
		units = bytes.Split(records[0], []byte("\n"))
	}
	objects, total := 0, 0
	for _, u := range units {
		u = bytes.TrimSpace(u)
		if len(u) == 0 {
			continue
		}
		total++
		if u[0] == '{' || arrayOfObjects(u) {
			objects++
		}
	}
	if len(records) == 1 && total > 1 && objects*2 <= total {
		// Not JSON Lines: perhaps one JSON document over several lines.
		t := bytes.TrimSpace(records[0])
		return t[0] == '{' && jsonDocs(t)
	}
	return objects*2 > total
}

// arrayOfObjects: the text starts a JSON array whose first element is an
// object (a producer batching rows into one record).
func arrayOfObjects(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 1 && b[0] == '[' && bytes.TrimSpace(b[1:])[0] == '{'
}

// splitLines splits a record that is not valid JSON as a whole but whose
// lines are objects (JSON Lines in one data file) into one record per
// line, so that a malformed line costs only itself.
func splitLines(records [][]byte) [][]byte {
	var out [][]byte
	for _, r := range records {
		if jsonDocs(r) || !bytes.Contains(r, []byte("\n")) {
			out = append(out, r)
			continue
		}
		for _, line := range bytes.Split(r, []byte("\n")) {
			if len(bytes.TrimSpace(line)) > 0 {
				out = append(out, line)
			}
		}
	}
	return out
}

// jsonDocs reports whether b is one or more JSON documents.
func jsonDocs(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	n := 0
	for {
		var v json.RawMessage
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return n > 0
		}
		if err != nil {
			return false
		}
		n++
	}
}

// column gathers what the samples say about one column.
type column struct {
	path     []string // JSON keys from the root
	array    bool     // the value is an array: mapped whole as text ($.a[0:])
	name     string
	ints     int
	floats   int
	bools    int
	strs     int
	times    int
	complex  int // objects or arrays where a scalar was seen too
	minI     int64
	maxI     int64
	bigInt   bool // an integer beyond int64
	maxLen   int
	nonNulls int
}

var sqlTimestamp = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})?$`)

func (c *column) seeText(s string) {
	c.nonNulls++
	c.strs++
	if n := len([]rune(s)); n > c.maxLen {
		c.maxLen = n
	}
	if sqlTimestamp.MatchString(s) {
		c.times++
	}
}

func (c *column) seeNumber(s string) {
	c.nonNulls++
	if n := len(s); n > c.maxLen {
		c.maxLen = n
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		if c.ints == 0 || i < c.minI {
			c.minI = i
		}
		if c.ints == 0 || i > c.maxI {
			c.maxI = i
		}
		c.ints++
		return
	}
	if isDigits(s) {
		c.bigInt = true
		c.ints++
		return
	}
	c.floats++
}

func isDigits(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// sqlType is the inferred type; intSized picks the smallest integer type
// (JSON numbers) or INTEGER/BIGINT (CSV text).
func (c *column) sqlType(intSized bool) string {
	switch {
	case c.nonNulls == 0:
		return "VARCHAR(4)"
	case c.complex > 0 || c.strs > c.times || (c.strs > 0 && c.strs != c.nonNulls) || (c.bools > 0 && c.bools != c.nonNulls):
		return varchar(c.maxLen)
	case c.times == c.nonNulls:
		return "TIMESTAMP"
	case c.bools == c.nonNulls:
		return "BOOLEAN"
	case c.floats > 0:
		return "REAL"
	case c.bigInt:
		return "DECIMAL(38,0)"
	}
	switch {
	case intSized && c.minI >= math.MinInt8 && c.maxI <= math.MaxInt8:
		return "TINYINT"
	case intSized && c.minI >= math.MinInt16 && c.maxI <= math.MaxInt16:
		return "SMALLINT"
	case c.minI >= math.MinInt32 && c.maxI <= math.MaxInt32:
		return "INTEGER"
	}
	return "BIGINT"
}

// varchar rounds a length up to KDA's buckets: 4, 16, 64, 256, ...
func varchar(n int) string {
	size := 4
	for size < n {
		size *= 4
	}
	return fmt.Sprintf("VARCHAR(%d)", size)
}

// inferJSON flattens every object of every record into columns.
func inferJSON(records [][]byte, res *Result) error {
	var cols []*column
	index := map[string]*column{}
	get := func(path []string, array bool) *column {
		key := strings.Join(path, "\x00")
		if c, ok := index[key]; ok {
			return c
		}
		c := &column{path: append([]string(nil), path...), array: array}
		index[key] = c
		cols = append(cols, c)
		return c
	}
	type row map[*column]*string
	var rows []row
	arrays := 0 // records that are arrays of objects: rows at $[0:]
	for i, r := range records {
		if !jsonDocs(r) {
			// A malformed record is left out and counted, as long as
			// some records are JSON.
			res.Skipped++
			if res.FirstSkipped == "" {
				res.FirstSkipped = fmt.Sprintf("record %d: %.80s", i+1, bytes.TrimSpace(r))
			}
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(r))
		dec.UseNumber()
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return fmt.Errorf("%w: record %d is not JSON: %v", ErrUnableToDetect, i+1, err)
			}
			if d, ok := tok.(json.Delim); ok && d == '[' && arrayOfObjects(r) {
				arrays++
				continue // its elements are read as the objects they are
			}
			if d, ok := tok.(json.Delim); ok && d == ']' {
				continue
			}
			if d, ok := tok.(json.Delim); !ok || d != '{' {
				return fmt.Errorf("%w: record %d holds a JSON value that is not an object", ErrUnableToDetect, i+1)
			}
			cur := row{}
			if err := walkObject(dec, nil, func(path []string, kind byte, text string) {
				c := get(path, kind == '[')
				switch kind {
				case 'n':
					c.seeNumber(text)
				case 's':
					c.seeText(text)
				case 'b':
					c.nonNulls++
					c.bools++
					c.maxLen = max(c.maxLen, len(text))
				case '[', '{':
					c.nonNulls++
					c.complex++
					c.maxLen = max(c.maxLen, len(text))
				case '0':
					return
				}
				t := text
				cur[c] = &t
			}); err != nil {
				return fmt.Errorf("%w: record %d: %v", ErrUnableToDetect, i+1, err)
			}
			rows = append(rows, cur)
		}
	}
	if len(rows) == 0 && res.Skipped > 0 {
		return fmt.Errorf("%w: no record is JSON (the first: %s)", ErrUnableToDetect, res.FirstSkipped)
	}
	if len(cols) == 0 {
		return fmt.Errorf("%w: the objects have no fields", ErrUnableToDetect)
	}
	// A leaf's own key names it; a key seen under two parents takes its
	// parents' keys too (DEVICE_os), so every name is distinct.
	leafs := map[string]int{}
	for _, c := range cols {
		leafs[c.path[len(c.path)-1]]++
	}
	var names []string
	for _, c := range cols {
		n := c.path[len(c.path)-1]
		if leafs[n] > 1 {
			n = strings.Join(c.path, "_")
		}
		names = append(names, n)
	}
	final := Names(names)
	s := &res.InputSchema
	rowPath := "$"
	if arrays > 0 {
		rowPath = "$[0:]" // an object record is one row there too
	}
	s.RecordFormat = app.RecordFormat{RecordFormatType: "JSON", MappingParameters: &app.MappingParameters{JSONMappingParameters: &app.JSONMappingParameters{RecordRowPath: rowPath}}}
	s.RecordEncoding = "UTF-8"
	for i, c := range cols {
		mapping := jsonPath(c.path)
		if c.array {
			mapping += "[0:]"
		}
		s.RecordColumns = append(s.RecordColumns, app.RecordColumn{Name: final[i], Mapping: mapping, SqlType: c.sqlType(true)})
	}
	for _, r := range rows {
		parsed := make([]*string, len(cols))
		for i, c := range cols {
			parsed[i] = r[c]
		}
		res.ParsedInputRecords = append(res.ParsedInputRecords, parsed)
	}
	return nil
}

// walkObject reads the members of an object whose '{' was consumed and
// reports each leaf: kind 'n' number, 's' string, 'b' boolean, '0' null,
// '[' array (text of the whole array). Nested objects are walked.
func walkObject(dec *json.Decoder, path []string, leaf func(path []string, kind byte, text string)) error {
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("expected a key")
		}
		p := append(path[:len(path):len(path)], key)
		tok, err = dec.Token()
		if err != nil {
			return err
		}
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' {
				if err := walkObject(dec, p, leaf); err != nil {
					return err
				}
				continue
			}
			text, err := arrayText(dec)
			if err != nil {
				return err
			}
			leaf(p, '[', text)
		case json.Number:
			leaf(p, 'n', v.String())
		case string:
			leaf(p, 's', v)
		case bool:
			leaf(p, 'b', strconv.FormatBool(v))
		case nil:
			leaf(p, '0', "")
		}
	}
	_, err := dec.Token() // '}'
	return err
}

// arrayText re-serialises an array whose '[' was consumed.
func arrayText(dec *json.Decoder) (string, error) {
	var vals []json.RawMessage
	for dec.More() {
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return "", err
		}
		vals = append(vals, v)
	}
	if _, err := dec.Token(); err != nil {
		return "", err
	}
	b, err := json.Marshal(vals)
	if vals == nil {
		b = []byte("[]")
	}
	return string(b), err
}

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// jsonPath writes a JSONPath for keys: $.a.b, or $['a b'] for other keys.
func jsonPath(keys []string) string {
	var b strings.Builder
	b.WriteString("$")
	for _, k := range keys {
		if plainKey.MatchString(k) {
			b.WriteString("." + k)
		} else {
			b.WriteString("['" + k + "']")
		}
	}
	return b.String()
}

// inferCSV splits the records into rows and columns.
func inferCSV(records [][]byte, o Options, res *Result) error {
	rowDelim := "\n"
	for _, r := range records {
		if bytes.Contains(r, []byte("\r\n")) {
			rowDelim = "\r\n"
			break
		}
	}
	var lines []string
	for _, r := range records {
		for _, l := range strings.Split(string(r), rowDelim) {
			l = strings.TrimRight(l, "\r\n")
			if l != "" {
				lines = append(lines, l)
			}
		}
	}
	colDelim := o.ColumnDelimiter
	if colDelim == "" {
		colDelim = detectDelimiter(lines)
	}
	var rows [][]string
	width := 0
	for _, l := range lines {
		f := strings.Split(l, colDelim)
		rows = append(rows, f)
		width = max(width, len(f))
	}
	header := o.Header > 0
	if o.Header == 0 && len(rows) > 1 {
		header = looksLikeHeader(rows)
	}
	cols := make([]*column, width)
	for i := range cols {
		cols[i] = &column{}
	}
	data := rows
	if header {
		data = rows[1:]
	}
	for _, r := range data {
		for i, v := range r {
			if v == "" {
				continue
			}
			if isNumber(v) {
				cols[i].seeNumber(v)
			} else {
				cols[i].seeText(v)
			}
		}
	}
	names := make([]string, width)
	for i := range names {
		names[i] = fmt.Sprintf("COL%d", i+1)
		if header && i < len(rows[0]) {
			names[i] = rows[0][i]
		}
	}
	if header {
		names = Names(names)
	}
	s := &res.InputSchema
	s.RecordFormat = app.RecordFormat{RecordFormatType: "CSV", MappingParameters: &app.MappingParameters{CSVMappingParameters: &app.CSVMappingParameters{RecordRowDelimiter: rowDelim, RecordColumnDelimiter: colDelim}}}
	s.RecordEncoding = "UTF-8"
	types := make([]string, width)
	for i, c := range cols {
		types[i] = c.sqlType(false)
		s.RecordColumns = append(s.RecordColumns, app.RecordColumn{Name: names[i], SqlType: types[i]})
	}
	// Every row is parsed as data, the header too: a value that does not
	// convert to its column's type is NULL, as in KDA's response.
	for _, r := range rows {
		parsed := make([]*string, width)
		for i := range parsed {
			if i >= len(r) || r[i] == "" {
				continue
			}
			if numeric(types[i]) && !isNumber(r[i]) {
				continue
			}
			v := r[i]
			parsed[i] = &v
		}
		res.ParsedInputRecords = append(res.ParsedInputRecords, parsed)
	}
	return nil
}

func numeric(t string) bool {
	return t == "TINYINT" || t == "SMALLINT" || t == "INTEGER" || t == "BIGINT" || t == "REAL" || strings.HasPrefix(t, "DECIMAL")
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil && !strings.ContainsAny(s, "xXpPiInN_")
}

// detectDelimiter picks the candidate that splits every line into the
// same number (more than one) of fields; comma by default.
func detectDelimiter(lines []string) string {
	for _, d := range []string{",", "\t", ";", "|"} {
		n := strings.Count(lines[0], d)
		if n == 0 {
			continue
		}
		same := true
		for _, l := range lines[1:] {
			if strings.Count(l, d) != n {
				same = false
				break
			}
		}
		if same {
			return d
		}
	}
	return ","
}

// looksLikeHeader: the first row is all text while some column holds
// numbers in every other row.
func looksLikeHeader(rows [][]string) bool {
	for _, v := range rows[0] {
		if v == "" || isNumber(v) {
			return false
		}
	}
	for i := range rows[0] {
		all := true
		for _, r := range rows[1:] {
			if i >= len(r) || !isNumber(r[i]) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// Names applies KDA's column naming rules to source names: a name that is
// a reserved word, starts with a digit, has characters other than letters,
// digits and underscores (which are removed) or is longer than 100
// characters gets a COL_ prefix; a name with nothing usable left becomes
// COL_<n>, n counting such names from 0. Duplicates get _2, _3, ...
func Names(src []string) []string {
	out := make([]string, len(src))
	seen := map[string]int{}
	unusable := 0
	for i, s := range src {
		var b strings.Builder
		for _, r := range s {
			if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' {
				b.WriteRune(r)
			}
		}
		n := b.String()
		switch {
		case n == "":
			n = fmt.Sprintf("COL_%d", unusable)
			unusable++
		case n != s || unicode.IsDigit([]rune(n)[0]) || Reserved[strings.ToUpper(n)]:
			n = "COL_" + n
		case len(n) > 100:
			n = "COL_" + n
		}
		if len(n) > 100 {
			n = n[:100]
		}
		key := strings.ToUpper(n)
		if k := seen[key]; k > 0 {
			seen[key]++
			n = fmt.Sprintf("%s_%d", n, k+1)
		} else {
			seen[key] = 1
		}
		out[i] = n
	}
	return out
}
