// Package sqltest runs window and time tests written as small scripts: the
// input rows of each source stream with their ROWTIMEs, the application
// SQL, and the rows expected on an output stream. The format is described
// in docs/window-tests.md; every file under testdata/windows is one test.
//
//	date 2024-01-01
//	stream SRC (TICKER VARCHAR(4), PRICE DOUBLE)
//	sql
//	  CREATE OR REPLACE STREAM "OUT" (TICKER VARCHAR(4), N BIGINT);
//	  CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT"
//	    SELECT STREAM TICKER, COUNT(*) FROM SRC
//	    GROUP BY TICKER, STEP(SRC.ROWTIME BY INTERVAL '1' MINUTE);
//	input SRC
//	  10:00:01 | AMZN, 10
//	  10:00:30 | AMZN, 11
//	  bound 10:01:00
//	output OUT
//	  10:01:00 | AMZN, 2
package sqltest

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/operators/operatortest"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/plan"
	"github.com/streamsql/streamsql/value"
)

// Script is one parsed test file.
type Script struct {
	File    string
	Date    string
	Sources []source
	Tables  []table
	SQL     string
	SQLLine int
	Events  []event
	Outputs []output
	Errors  int // expected error_stream rows; -1: not checked
	// ErrorRows, when given, are the expected error_stream rows in order,
	// each "ERROR_TIME | PUMP_NAME | ERROR_NAME | DATA_ROW".
	ErrorRows []string
	errorLine int
	Late      int // expected late rows; -1: not checked
	LateEvent int // expected rows late by event time; -1: not checked
	PlanError string
	NoFlush   bool
	lanes     int // plan.Bindings.Lanes (Concurrent), every batch and bound
}

type source struct {
	name string
	cols []plan.Column
	line int
}

type table struct {
	name string
	cols []plan.Column
	rows [][]string
	line int
}

type event struct {
	stream string // "" for a bound on every source
	t      int64
	fields []string
	line   int
}

type output struct {
	stream  string
	ordered bool
	rows    []expectRow
	line    int
}

type expectRow struct {
	t      int64
	fields []string
	line   int
}

// Parse reads a test file.
func Parse(path string) (*Script, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s := &Script{File: path, Errors: 0, Late: -1, LateEvent: -1}
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	errf := func(line int, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", path, line, fmt.Sprintf(format, args...))
	}
	// body returns the indented lines after directive line i.
	body := func(i int) ([]string, []int, int) {
		var out []string
		var nums []int
		j := i + 1
		for ; j < len(lines); j++ {
			l := lines[j]
			if strings.TrimSpace(l) == "" || strings.HasPrefix(strings.TrimSpace(l), "#") {
				continue
			}
			if l[0] != ' ' && l[0] != '\t' {
				break
			}
			out = append(out, strings.TrimSpace(l))
			nums = append(nums, j+1)
		}
		return out, nums, j
	}
	for i := 0; i < len(lines); {
		l := lines[i]
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			i++
			continue
		}
		if l[0] == ' ' || l[0] == '\t' {
			return nil, errf(i+1, "indented line outside a block")
		}
		word, rest, _ := strings.Cut(t, " ")
		rest = strings.TrimSpace(rest)
		switch word {
		case "date":
			s.Date = rest
			i++
		case "stream", "table":
			name, cols, err := parseDecl(rest)
			if err != nil {
				return nil, errf(i+1, "%v", err)
			}
			if word == "stream" {
				s.Sources = append(s.Sources, source{name: name, cols: cols, line: i + 1})
				i++
				continue
			}
			rows, _, next := body(i)
			tb := table{name: name, cols: cols, line: i + 1}
			for _, r := range rows {
				tb.rows = append(tb.rows, splitFields(r))
			}
			s.Tables = append(s.Tables, tb)
			i = next
		case "sql":
			var b strings.Builder
			j := i + 1
			for ; j < len(lines); j++ {
				if lines[j] != "" && lines[j][0] != ' ' && lines[j][0] != '\t' && !strings.HasPrefix(lines[j], "--") {
					break
				}
				b.WriteString(lines[j])
				b.WriteByte('\n')
			}
			s.SQL, s.SQLLine = b.String(), i+2
			i = j
		case "input":
			rows, nums, next := body(i)
			for k, r := range rows {
				if after, ok := strings.CutPrefix(r, "bound "); ok {
					tm, err := s.time(strings.TrimSpace(after))
					if err != nil {
						return nil, errf(nums[k], "%v", err)
					}
					s.Events = append(s.Events, event{stream: "", t: tm, line: nums[k]})
					continue
				}
				tm, fields, err := s.timedRow(r)
				if err != nil {
					return nil, errf(nums[k], "%v", err)
				}
				s.Events = append(s.Events, event{stream: rest, t: tm, fields: fields, line: nums[k]})
			}
			i = next
		case "output", "output-ordered":
			rows, nums, next := body(i)
			o := output{stream: rest, ordered: word == "output-ordered", line: i + 1}
			for k, r := range rows {
				if r == "none" {
					continue
				}
				tm, fields, err := s.timedRow(r)
				if err != nil {
					return nil, errf(nums[k], "%v", err)
				}
				o.rows = append(o.rows, expectRow{t: tm, fields: fields, line: nums[k]})
			}
			s.Outputs = append(s.Outputs, o)
			i = next
		case "errors", "late", "late-events":
			n, err := strconv.Atoi(rest)
			if err != nil {
				return nil, errf(i+1, "%s needs a number", word)
			}
			switch word {
			case "errors":
				s.Errors = n
			case "late":
				s.Late = n
			default:
				s.LateEvent = n
			}
			i++
		case "error-stream":
			rows, nums, next := body(i)
			s.ErrorRows, s.errorLine = []string{}, i+1
			for k, r := range rows {
				if r == "none" {
					continue
				}
				parts := strings.SplitN(r, " | ", 4)
				if len(parts) != 4 {
					return nil, errf(nums[k], "want ERROR_TIME | PUMP_NAME | ERROR_NAME | DATA_ROW")
				}
				tm, err := s.time(strings.TrimSpace(parts[0]))
				if err != nil {
					return nil, errf(nums[k], "%v", err)
				}
				parts[0] = fmtTime(tm)
				s.ErrorRows = append(s.ErrorRows, strings.Join(parts, " | "))
			}
			s.Errors = len(s.ErrorRows)
			i = next
		case "plan-error":
			s.PlanError = rest
			i++
		case "no-flush":
			s.NoFlush = true
			i++
		default:
			return nil, errf(i+1, "unknown directive %q (date, stream, table, sql, input, output, output-ordered, errors, error-stream, late, late-events, plan-error, no-flush)", word)
		}
	}
	if s.SQL == "" {
		return nil, fmt.Errorf("%s: no sql block", path)
	}
	return s, nil
}

// parseDecl reads NAME (COL TYPE, ...).
func parseDecl(s string) (string, []plan.Column, error) {
	open := strings.IndexByte(s, '(')
	if open < 0 || !strings.HasSuffix(s, ")") {
		return "", nil, fmt.Errorf("want NAME (COLUMN TYPE, ...)")
	}
	name := strings.Trim(strings.TrimSpace(s[:open]), `"`)
	var cols []plan.Column
	depth, start := 0, open+1
	inner := s[:len(s)-1]
	for k := open + 1; k <= len(inner); k++ {
		if k < len(inner) {
			switch inner[k] {
			case '(':
				depth++
				continue
			case ')':
				depth--
				continue
			case ',':
				if depth > 0 {
					continue
				}
			default:
				continue
			}
		}
		part := strings.TrimSpace(inner[start:k])
		start = k + 1
		cn, ct, ok := strings.Cut(part, " ")
		if !ok {
			return "", nil, fmt.Errorf("column %q needs a type", part)
		}
		tn, err := parser.ParseType(strings.TrimSpace(ct))
		if err != nil {
			return "", nil, fmt.Errorf("column %s: %v", cn, err)
		}
		t, err := value.ColumnType(tn.Name, tn.Args)
		if err != nil {
			return "", nil, fmt.Errorf("column %s: %v", cn, err)
		}
		cols = append(cols, plan.Column{Name: strings.Trim(cn, `"`), Type: t})
	}
	return name, cols, nil
}

// splitFields splits on commas outside single quotes; 'quoted' fields
// keep spaces and commas.
func splitFields(s string) []string {
	var out []string
	var b strings.Builder
	quoted := false
	for k := 0; k < len(s); k++ {
		c := s[k]
		switch {
		case c == '\'' && quoted && k+1 < len(s) && s[k+1] == '\'':
			b.WriteByte('\'')
			k++
		case c == '\'':
			quoted = !quoted
			b.WriteByte(c)
		case c == ',' && !quoted:
			out = append(out, strings.TrimSpace(b.String()))
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	if strings.TrimSpace(b.String()) != "" || len(out) > 0 {
		out = append(out, strings.TrimSpace(b.String()))
	}
	return out
}

// time reads a full timestamp or a time of day on the file's date.
func (s *Script) time(f string) (int64, error) {
	if len(f) <= 12 && strings.Count(f, ":") >= 1 && !strings.Contains(f, "-") {
		if s.Date == "" {
			return 0, fmt.Errorf("time %q needs a date directive (or write the full timestamp)", f)
		}
		f = s.Date + " " + f
	}
	t, ok := value.ParseTimestamp(f)
	if !ok {
		return 0, fmt.Errorf("bad time %q", f)
	}
	return t, nil
}

func (s *Script) timedRow(r string) (int64, []string, error) {
	ts, vals, ok := strings.Cut(r, "|")
	if !ok {
		return 0, nil, fmt.Errorf("want ROWTIME | values")
	}
	t, err := s.time(strings.TrimSpace(ts))
	if err != nil {
		return 0, nil, err
	}
	return t, splitFields(vals), nil
}

// field converts one written value to a column's type.
func (s *Script) field(f string, t value.Type) (value.Value, error) {
	if strings.EqualFold(f, "null") {
		return value.Null, nil
	}
	if len(f) >= 2 && f[0] == '\'' && f[len(f)-1] == '\'' {
		f = strings.ReplaceAll(f[1:len(f)-1], "''", "'")
	} else if t.Base == value.TTimestamp {
		ms, err := s.time(f)
		if err != nil {
			return value.Null, err
		}
		return value.NewTimestamp(ms), nil
	}
	v, err := value.Cast(value.NewString(f), t)
	if err != nil {
		return value.Null, fmt.Errorf("%q is not a %s: %v", f, t, err)
	}
	return v, nil
}

func (s *Script) row(fields []string, cols []plan.Column) ([]value.Value, error) {
	if len(fields) != len(cols) {
		return nil, fmt.Errorf("%d values for %d columns", len(fields), len(cols))
	}
	row := make([]value.Value, len(cols))
	for k, c := range cols {
		v, err := s.field(fields[k], c.Type)
		if err != nil {
			return nil, fmt.Errorf("column %s: %v", c.Name, err)
		}
		row[k] = v
	}
	return row, nil
}

func fmtTime(ms int64) string {
	if ms == operators.EndOfTime {
		return "end"
	}
	return string(value.AppendTimestamp(nil, ms))
}

// plan parses and plans the script's SQL over its sources and tables.
func (s *Script) plan() (*plan.Graph, error) {
	cat := plan.NewCatalog()
	for i, src := range s.Sources {
		if err := cat.AddSource(src.name, i, src.cols); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", s.File, src.line, err)
		}
	}
	for _, tb := range s.Tables {
		if err := cat.AddTable(tb.name, tb.cols); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", s.File, tb.line, err)
		}
	}
	// The SQL's line numbers are the file's.
	script, err := parser.ParseScriptAt(s.File, s.SQL, s.SQLLine)
	if err != nil {
		return nil, err
	}
	return plan.Plan(script, cat)
}

// Run executes the script and returns every mismatch (empty: pass).
func Run(s *Script) []string {
	g, fails := s.check()
	if g == nil {
		return fails
	}
	res, fails := s.execute(g, -1)
	if fails != nil {
		return fails
	}
	for _, o := range s.Outputs {
		fails = append(fails, s.compare(o, res.sinks[o.stream], g)...)
	}
	errs := res.errs
	if s.Errors >= 0 && len(errs.Recs) != s.Errors {
		var lines []string
		for _, r := range errs.Recs {
			lines = append(lines, fmt.Sprintf("  %s %s: %s [%s]", fmtTime(r.Time), r.Name, r.Message, r.DataRow))
		}
		fails = append(fails, fmt.Sprintf("%s: %d error_stream rows, want %d\n%s", s.File, len(errs.Recs), s.Errors, strings.Join(lines, "\n")))
	}
	if s.ErrorRows != nil {
		var got []string
		for _, r := range errs.Recs {
			got = append(got, fmt.Sprintf("%s | %s | %s | %s", fmtTime(r.Time), r.Pump, r.Name, r.DataRow))
		}
		if strings.Join(got, "\n") != strings.Join(s.ErrorRows, "\n") {
			fails = append(fails, fmt.Sprintf("%s:%d: error_stream differs\n got:\n  %s\n want:\n  %s",
				s.File, s.errorLine, strings.Join(got, "\n  "), strings.Join(s.ErrorRows, "\n  ")))
		}
	}
	if s.Late >= 0 && res.late != int64(s.Late) {
		fails = append(fails, fmt.Sprintf("%s: %d late rows, want %d", s.File, res.late, s.Late))
	}
	if s.LateEvent >= 0 && res.lateEvents != int64(s.LateEvent) {
		fails = append(fails, fmt.Sprintf("%s: %d rows late by event time, want %d", s.File, res.lateEvents, s.LateEvent))
	}
	return fails
}

// check plans the script and checks its expected planning errors. A nil
// graph comes with the failures, or with none when the script expects
// errors and got them: then there is nothing to run.
func (s *Script) check() (*plan.Graph, []string) {
	g, err := s.plan()
	if s.Annotated() {
		return nil, s.checkErrors(err)
	}
	if s.PlanError != "" {
		if err == nil {
			return nil, []string{fmt.Sprintf("%s: planning succeeded; want an error containing %q", s.File, s.PlanError)}
		}
		msg := err.Error()
		if d, ok := err.(interface{ Detail() string }); ok {
			msg = d.Detail()
		}
		if !strings.Contains(msg, s.PlanError) {
			return nil, []string{fmt.Sprintf("%s: plan error\n%s\nwant it to contain %q", s.File, msg, s.PlanError)}
		}
		return nil, nil
	}
	if err != nil {
		msg := err.Error()
		if d, ok := err.(interface{ Detail() string }); ok {
			msg = d.Detail()
		}
		return nil, []string{msg}
	}
	return g, nil
}

// RoundTrip runs the script once straight through and again once per event
// k, snapshotting the running graph after event k and restoring the state
// into a graph started from a new plan of the script, which takes the
// remaining events. It returns every difference from the uninterrupted run:
// in the rows, ROWTIMEs and bounds of each output, the error_stream rows
// and the late counts. Scripts that expect planning errors have nothing to
// run.
func RoundTrip(s *Script) []string {
	g, want, fails := s.whole()
	if g == nil {
		return fails
	}
	return s.rerun(g, want, 0, "uninterrupted", "")
}

// Concurrent runs the script with its graph's independent parts on
// separate goroutines for every batch and bound (plan.Bindings.Lanes),
// straight through and restored from a snapshot after each event; every
// run must be the one-goroutine run.
func Concurrent(s *Script) []string {
	g, want, fails := s.whole()
	if g == nil {
		return fails
	}
	defer func() { s.lanes = 0 }()
	for _, lanes := range []int{2, 4} {
		s.lanes = lanes
		if fails := s.rerun(g, want, -1, "one goroutine", fmt.Sprintf("with %d lanes", lanes)); fails != nil {
			return fails
		}
	}
	return nil
}

// whole plans the script and runs it straight through: the plan and the
// run's transcript, or the failures (a nil plan with none: the script
// expects planning errors and has nothing to run).
func (s *Script) whole() (*plan.Graph, string, []string) {
	g, fails := s.check()
	if g == nil {
		return nil, "", fails
	}
	res, fails := s.execute(g, -1)
	if fails != nil {
		return nil, "", fails
	}
	return g, res.transcript(s), nil
}

// rerun runs the script again, restored from a snapshot after event k for
// every k from `from` on (-1: straight through first), and returns the
// first run whose transcript is not want (labelled wantLabel; the other
// run gotLabel, or "restored").
func (s *Script) rerun(g *plan.Graph, want string, from int, wantLabel, gotLabel string) []string {
	for k := from; k <= len(s.Events); k++ {
		res, fails := s.execute(g, k)
		if fails != nil {
			return fails
		}
		if got := res.transcript(s); got != want {
			head, label := fmt.Sprintf("restored after event %d of %d", k, len(s.Events)), "restored"
			if k < 0 {
				head = "straight through"
			}
			if gotLabel != "" {
				head, label = gotLabel+", "+head, gotLabel
			}
			return []string{fmt.Sprintf("%s: %s, the run differs:\n--- %s\n%s--- %s\n%s", s.File, head, wantLabel, want, label, got)}
		}
	}
	return nil
}

// result is what one execution of a script delivered.
type result struct {
	sinks            map[string]*operatortest.Capture
	errs             *operatortest.Errors
	late, lateEvents int64
}

// transcript prints a result in full, for comparing two runs.
func (r *result) transcript(s *Script) string {
	var b strings.Builder
	for _, o := range s.Outputs {
		k := r.sinks[o.stream]
		fmt.Fprintf(&b, "output %s\n", o.stream)
		for _, line := range k.Lines() {
			fmt.Fprintf(&b, "  %s\n", line)
		}
		fmt.Fprintf(&b, "  bounds %v\n", k.Bounds)
		for _, e := range k.Broken {
			fmt.Fprintf(&b, "  ! %s\n", e)
		}
	}
	for _, e := range r.errs.Recs {
		fmt.Fprintf(&b, "error %s %s: %s [%s] %s\n", fmtTime(e.Time), e.Name, e.Message, e.DataRow, e.Pump)
	}
	fmt.Fprintf(&b, "late %d, late events %d\n", r.late, r.lateEvents)
	return b.String()
}

// start binds the script's tables and outputs to plan g and starts it.
func (s *Script) start(g *plan.Graph, res *result) (*plan.Running, []string) {
	bind := plan.Bindings{Errors: res.errs, Lanes: s.lanes}
	for _, tb := range s.Tables {
		var rows [][]value.Value
		for _, r := range tb.rows {
			row, err := s.row(r, tb.cols)
			if err != nil {
				return nil, []string{fmt.Sprintf("%s:%d: table %s: %v", s.File, tb.line, tb.name, err)}
			}
			rows = append(rows, row)
		}
		bind.SetTable(tb.name, rows)
	}
	for _, o := range s.Outputs {
		if _, err := g.LookupStream(o.stream); err != nil {
			return nil, []string{fmt.Sprintf("%s:%d: %v", s.File, o.line, err)}
		}
		bind.Attach(o.stream, res.sinks[o.stream])
	}
	r, err := plan.Start(g, bind)
	if err != nil {
		return nil, []string{err.Error()}
	}
	return r, nil
}

// execute feeds the script's events to plan g. After event `split` (< 0:
// never) it snapshots the running graph, plans the script anew, and
// restores the state into a graph started from that plan, which takes the
// rest of the events.
func (s *Script) execute(g *plan.Graph, split int) (*result, []string) {
	res := &result{sinks: map[string]*operatortest.Capture{}, errs: &operatortest.Errors{}}
	for _, o := range s.Outputs {
		res.sinks[o.stream] = operatortest.NewCapture(nil)
	}
	r, fails := s.start(g, res)
	if fails != nil {
		return nil, fails
	}
	cols := map[string][]plan.Column{}
	for _, src := range s.Sources {
		cols[src.name] = src.cols
	}
	// Rows of all sources are delivered in ROWTIME order (file order for
	// equal times); after each, every source's bound moves to its time.
	ev := append([]event(nil), s.Events...)
	sort.SliceStable(ev, func(a, b int) bool { return ev[a].t < ev[b].t })
	for i := 0; i <= len(ev); i++ {
		if i == split {
			if r, fails = s.restart(r, res); fails != nil {
				return nil, fails
			}
		}
		if i == len(ev) {
			break
		}
		e := ev[i]
		if e.stream != "" {
			in := r.Input(e.stream)
			if _, ok := cols[e.stream]; !ok || in == nil {
				return nil, []string{fmt.Sprintf("%s:%d: no source stream %s (declare it with stream)", s.File, e.line, e.stream)}
			}
			row, err := s.row(e.fields, cols[e.stream])
			if err != nil {
				return nil, []string{fmt.Sprintf("%s:%d: %v", s.File, e.line, err)}
			}
			b := operators.NewBatch(len(row), 1)
			b.Append(e.t, row)
			in.Push(b)
		}
		r.Advance(e.t)
	}
	if !s.NoFlush {
		r.Advance(operators.EndOfTime)
	}
	res.late, res.lateEvents = r.Late(), r.LateEvents()
	return res, nil
}

// restart snapshots r and restores the state into a graph of a new plan
// of the script, delivering to the same outputs. The restored graph must
// snapshot to the same bytes.
func (s *Script) restart(r *plan.Running, res *result) (*plan.Running, []string) {
	var state bytes.Buffer
	if err := r.Snapshot(&state); err != nil {
		return nil, []string{fmt.Sprintf("%s: snapshot: %v", s.File, err)}
	}
	g, err := s.plan()
	if err != nil {
		return nil, []string{err.Error()}
	}
	r2, fails := s.start(g, res)
	if fails != nil {
		return nil, fails
	}
	taken := append([]byte(nil), state.Bytes()...)
	if err := r2.Restore(&state); err != nil {
		return nil, []string{fmt.Sprintf("%s: restore: %v", s.File, err)}
	}
	var again bytes.Buffer
	if err := r2.Snapshot(&again); err != nil {
		return nil, []string{fmt.Sprintf("%s: snapshot after restore: %v", s.File, err)}
	}
	if !bytes.Equal(taken, again.Bytes()) {
		return nil, []string{fmt.Sprintf("%s: the restored graph snapshots to other bytes than the snapshot it was restored from", s.File)}
	}
	return r2, nil
}

// compare checks one output stream. Rows with equal ROWTIME may come in
// any order unless the block is output-ordered.
func (s *Script) compare(o output, k *operatortest.Capture, g *plan.Graph) []string {
	var fails []string
	fails = append(fails, k.Broken...)
	st := g.Catalog.Stream(o.stream)
	vis := st.Columns
	var got, want []string
	for i, r := range k.Rows {
		var parts []string
		for c, v := range r {
			parts = append(parts, value.Text(v, vis[c].Type))
		}
		got = append(got, fmtTime(k.Times[i])+" | "+strings.Join(parts, ", "))
	}
	for _, r := range o.rows {
		row, err := s.row(r.fields, vis)
		if err != nil {
			return append(fails, fmt.Sprintf("%s:%d: %v", s.File, r.line, err))
		}
		var parts []string
		for c, v := range row {
			parts = append(parts, value.Text(v, vis[c].Type))
		}
		want = append(want, fmtTime(r.t)+" | "+strings.Join(parts, ", "))
	}
	if !o.ordered {
		sort.Strings(got)
		sort.Strings(want)
	}
	if !equalRows(got, want) {
		fails = append(fails, fmt.Sprintf("%s:%d: output %s differs\n got (%d rows):\n  %s\n want (%d rows):\n  %s",
			s.File, o.line, o.stream, len(got), strings.Join(got, "\n  "), len(want), strings.Join(want, "\n  ")))
	}
	return fails
}

// equalRows compares row texts, allowing float fields to differ in the
// last digits.
func equalRows(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] == b[i] {
			continue
		}
		fa, fb := strings.Split(a[i], ", "), strings.Split(b[i], ", ")
		if len(fa) != len(fb) {
			return false
		}
		for j := range fa {
			if fa[j] == fb[j] {
				continue
			}
			x, e1 := strconv.ParseFloat(fa[j], 64)
			y, e2 := strconv.ParseFloat(fb[j], 64)
			if e1 != nil || e2 != nil || math.Abs(x-y) > 1e-9*math.Max(1, math.Abs(y)) {
				return false
			}
		}
	}
	return true
}
