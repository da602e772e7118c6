package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/mitchellh/go-wordwrap"
	"golang.org/x/term"

	"github.com/streamsql/streamsql/expr"
	"github.com/streamsql/streamsql/plan"
)

// function is one line of the listing.
type function struct{ name, kind, sig, desc string }

// allFunctions gathers every function the engine knows from the tables
// that drive it: expr's scalar and aggregate tables and plan's table
// functions.
func allFunctions() []function {
	var out []function
	for _, f := range expr.Functions() {
		out = append(out, function{f.Name, "scalar", f.Signature(), f.Description})
	}
	for _, a := range expr.Aggregates() {
		out = append(out, function{a.Name, kindOf(a), a.Signature(), fmt.Sprintf("%s (windows: %s)", a.Description, a.Windows)})
	}
	for _, t := range plan.TableFunctions() {
		out = append(out, function{t.Name, "table", "TABLE(" + t.Name + t.Args + ")", t.Description + "; rows: " + t.Returns})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// cmdFunctions prints every function: name, kind (scalar, aggregate,
// analytic, table), signature and description, sorted by name, the
// description wrapped to the terminal. Names given on the command line
// narrow the list (case-insensitive prefixes).
func cmdFunctions(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("functions", "functions [NAME-PREFIX]... [--kind K] [--width N]", stderr)
	kind := fs.String("kind", "", "only this kind: scalar, aggregate, analytic or table")
	width := fs.Int("width", 0, "wrap descriptions to this many columns (default: the terminal's width, or $COLUMNS; 0 on a pipe: no wrapping)")
	names, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch *kind {
	case "", "scalar", "aggregate", "analytic", "table":
	default:
		return &usageError{fmt.Sprintf("functions: --kind %q: want scalar, aggregate, analytic or table", *kind)}
	}
	var rows []function
	for _, f := range allFunctions() {
		if matchesAny(f.name, names) && (*kind == "" || f.kind == *kind) {
			rows = append(rows, f)
		}
	}
	if len(rows) == 0 {
		return &usageError{fmt.Sprintf("no function matches %s", strings.Join(append(names, *kind), " "))}
	}
	w := *width
	if w == 0 {
		w = terminalWidth(stdout)
	}
	printFunctions(stdout, rows, w)
	return nil
}

// printFunctions aligns the columns; the description wraps within width
// (0: never), on lines of its own below the signature when too little room
// is left beside it.
func printFunctions(out io.Writer, rows []function, width int) {
	head := function{"NAME", "KIND", "SIGNATURE", "DESCRIPTION"}
	wn, wk, ws := len(head.name), len(head.kind), len(head.sig)
	for _, r := range rows {
		wn, wk, ws = max(wn, len(r.name)), max(wk, len(r.kind)), max(ws, len(r.sig))
	}
	ws = min(ws, 60) // a longer signature takes its own line (on a pipe: overflows its column)
	indent := wn + wk + ws + 6
	if width <= 0 {
		// One line per function, for grep.
		for _, r := range append([]function{head}, rows...) {
			fmt.Fprintf(out, "%-*s  %-*s  %-*s  %s\n", wn, r.name, wk, r.kind, ws, r.sig, r.desc)
		}
		return
	}
	room := width - indent
	below := width > 0 && room < 30
	for _, r := range append([]function{head}, rows...) {
		line := fmt.Sprintf("%-*s  %-*s  ", wn, r.name, wk, r.kind)
		if len(r.sig) > ws {
			fmt.Fprintf(out, "%s%s\n", line, r.sig)
			line = strings.Repeat(" ", wn+wk+4) + fmt.Sprintf("%-*s  ", ws, "")
		} else {
			line += fmt.Sprintf("%-*s  ", ws, r.sig)
		}
		switch {
		case below:
			fmt.Fprintln(out, strings.TrimRight(line, " "))
			for _, l := range strings.Split(wordwrap.WrapString(r.desc, uint(max(width-4, 20))), "\n") {
				fmt.Fprintln(out, "    "+l)
			}
		default:
			for i, l := range strings.Split(wordwrap.WrapString(r.desc, uint(room)), "\n") {
				if i > 0 {
					line = strings.Repeat(" ", indent)
				}
				fmt.Fprintln(out, line+l)
			}
		}
	}
}

// terminalWidth is the width of the terminal stdout writes to, else
// $COLUMNS, else 0 (no wrapping, one line per function for grep).
func terminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			return cols
		}
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 0
}

func matchesAny(name string, prefixes []string) bool {
	if len(prefixes) == 0 {
		return true
	}
	for _, p := range prefixes {
		if strings.HasPrefix(name, strings.ToUpper(p)) {
			return true
		}
	}
	return false
}

func kindOf(a *expr.Aggregate) string {
	if a.Windows == expr.Sliding {
		return "analytic"
	}
	return "aggregate"
}
