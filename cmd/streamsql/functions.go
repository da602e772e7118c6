package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/streamsql/streamsql/expr"
)

// cmdFunctions prints the scalar function table from expr's registry:
// name, signature and description, sorted by name. Names given on the
// command line narrow the list (case-insensitive prefixes).
func cmdFunctions(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("functions", "functions [NAME-PREFIX]...", stderr)
	names, err := parse(fs, args)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tSIGNATURE\tDESCRIPTION")
	n := 0
	for _, f := range expr.Functions() {
		if !matchesAny(f.Name, names) {
			continue
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", f.Name, f.Signature(), f.Description)
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
