package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/streamsql/streamsql/app"
)

// cmdConvert writes the native application file for any definition Load
// reads, so a user can move off CloudFormation, Terraform or an export.
func cmdConvert(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("convert", "convert FILE --to app.yaml [--code-file app.sql] [flags]", stderr)
	to := fs.String("to", "", "the native file to write (.yaml, .yml or .json); - for stdout")
	codeFile := fs.String("code-file", "", "write the SQL to this `FILE` and reference it (ApplicationCodeFile) instead of inlining it")
	lf := addLoadFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	path, err := oneArg("convert", pos, "application definition")
	if err != nil {
		return err
	}
	if *to == "" {
		return &usageError{"convert: --to FILE is required (for example --to app.yaml)"}
	}
	a, err := loadApp(path, "", lf, stderr)
	if err != nil {
		return err
	}
	asJSON := strings.EqualFold(filepath.Ext(*to), ".json")
	switch {
	case *codeFile != "":
		if err := os.WriteFile(*codeFile, []byte(a.ApplicationCode), 0o644); err != nil {
			return err
		}
		a.ApplicationCodeFile, a.CodePath, a.CodeLine = *codeFile, *codeFile, 1
		if *to != "-" {
			app.RelativeCodeFile(a, *to)
		}
	case *to != "-":
		app.RelativeCodeFile(a, *to)
	}
	b, err := app.Marshal(a, asJSON)
	if err != nil {
		return err
	}
	if *to == "-" {
		_, err = stdout.Write(b)
		return err
	}
	if err := os.WriteFile(*to, b, 0o644); err != nil {
		return err
	}
	// Read the result back: what was written must load as it was read.
	b2, _, err := app.Load(*to)
	if err != nil {
		return fmt.Errorf("convert: the file written does not load back: %w", err)
	}
	if b2.ApplicationCode != a.ApplicationCode && strings.TrimRight(b2.ApplicationCode, "\n") != strings.TrimRight(a.ApplicationCode, "\n") {
		fmt.Fprintf(stderr, "streamsql: warning: %s: trailing blanks were removed from the code's lines\n", *to)
	}
	fmt.Fprintf(stdout, "wrote %s (from the %s %s)\n", *to, a.Format, path)
	return nil
}
