package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/streamsql/streamsql/expr"
)

// cmdFunctions prints the scalar function and aggregate tables from expr:
// name, signature and description, sorted by name. Names given on the
// command line narrow the list (case-insensitive prefixes).
func cmdFunctions(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("functions", "functions [NAME-PREFIX]...", stderr)
	names, err := parse(fs, args)
	if err != nil {
		return err
	}
	type row struct{ name, sig, desc string }
	var rows []row
	for _, f := range expr.Functions() {
		rows = append(rows, row{f.Name, f.Signature(), f.Description})
	}
	for _, a := range expr.Aggregates() {
		rows = append(rows, row{a.Name, a.Signature(), fmt.Sprintf("%s (%s: %s)", a.Description, kindOf(a), a.Windows)})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].name < rows[j].name })
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tSIGNATURE\tDESCRIPTION")
	n := 0
	for _, r := range rows {
		if !matchesAny(r.name, names) {
			continue
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", r.name, r.sig, r.desc)
		n++
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if n == 0 {
		return &usageError{fmt.Sprintf("no function matches %s", strings.Join(names, ", "))}
	}
	return nil
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
