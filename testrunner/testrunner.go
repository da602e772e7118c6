// Package testrunner runs `streamsql test`: folders holding a case.yaml that
// names an application, recordings and the expected output of its streams.
package testrunner

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/input"
)

// Case is one test case folder.
type Case struct {
	Dir          string            `yaml:"-"`
	Description  string            `yaml:"description"`
	App          string            `yaml:"app"`
	Schema       string            `yaml:"schema"`
	Replay       []string          `yaml:"replay"`
	Reference    map[string]string `yaml:"reference"`
	ArrivalField string            `yaml:"arrival_field"`
	Rate         float64           `yaml:"rate"`
	// Start is the synthetic clock's start for rate (default 1970-01-01).
	Start string `yaml:"start"`
	// Unordered compares the rows of each ROWTIME (one window's emission)
	// in any order; FloatTolerance lets numbers differ by that much,
	// relative to the larger (or absolute below 1).
	Unordered      bool    `yaml:"unordered"`
	FloatTolerance float64 `yaml:"float_tolerance"`
	// FileOrder replays records in file order instead of sorting them by
	// arrival time (to reproduce records that reached the reader late).
	FileOrder bool `yaml:"file_order"`
	// Expect maps each checked stream to its expected file. error_stream
	// is always checked: its file, or NoErrors ("none") for no error rows,
	// which is also what a case without an error_stream entry expects.
	Expect map[string]string `yaml:"expect"`
	// For CloudFormation and Terraform definitions: template parameters,
	// resource references, the application to pick, Terraform variables.
	Parameters  map[string]string `yaml:"parameters"`
	Resources   map[string]string `yaml:"resources"`
	Application string            `yaml:"application"`
	Vars        map[string]string `yaml:"vars"`
	VarFiles    []string          `yaml:"var_files"`
}

// Discover finds every folder under root (root included) with a case.yaml.
func Discover(root string) ([]*Case, error) {
	var cases []*Case
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || d.Name() != "case.yaml" {
			return nil
		}
		c, err := ReadCase(filepath.Dir(path))
		if err != nil {
			return err
		}
		cases = append(cases, c)
		return nil
	})
	sort.Slice(cases, func(i, j int) bool { return cases[i].Dir < cases[j].Dir })
	return cases, err
}

// NoErrors, as the expected file of error_stream, says that the case
// produces no error rows.
const NoErrors = "none"

const errorStream = "error_stream"

// Result is the outcome of one case.
type Result struct {
	Case    *Case
	Pass    bool
	Diff    string
	Err     error
	Elapsed time.Duration
	// Rows counts the rows each checked stream gave.
	Rows map[string]int
}

func (c *Case) path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// LoadApp loads the case's application.
func (c *Case) LoadApp() (*app.Application, error) {
	p := c.path(c.App)
	if strings.HasSuffix(p, ".sql") {
		schema := ""
		if c.Schema != "" {
			schema = c.path(c.Schema)
		}
		return app.FromSQL(p, schema)
	}
	o := app.LoadOptions{Parameters: c.Parameters, Resources: c.Resources, App: c.Application, Vars: c.Vars}
	for _, f := range c.VarFiles {
		o.VarFiles = append(o.VarFiles, c.path(f))
	}
	a, _, err := app.LoadWith(p, o)
	return a, err
}

// Options are the engine options that run the case: its application,
// recordings and references, and one buffer per expected stream (ndjson
// with ROWTIME).
func (c *Case) Options() (engine.Options, map[string]*bytes.Buffer, error) {
	a, err := c.LoadApp()
	if err != nil {
		return engine.Options{}, nil, err
	}
	o := engine.Options{App: a, Format: "ndjson", Rowtime: true, ArrivalField: c.ArrivalField, Rate: c.Rate,
		References: map[string]string{}, Writers: map[string]io.Writer{}, Stderr: io.Discard}
	if c.FileOrder {
		o.Reorder = -1
	}
	if c.Start != "" {
		o.Start, _ = input.ParseTime(c.Start) // checked by ReadCase
	}
	for _, rp := range c.Replay {
		stream, file, ok := strings.Cut(rp, "=")
		if !ok {
			stream, file = "", rp
		}
		o.Replays = append(o.Replays, engine.Replay{Stream: stream, Path: c.path(file)})
	}
	for t, f := range c.Reference {
		o.References[t] = c.path(f)
	}
	got := map[string]*bytes.Buffer{errorStream: {}}
	for s := range c.Expect {
		got[s] = &bytes.Buffer{}
	}
	for s, b := range got {
		o.Writers[s] = b
	}
	return o, got, nil
}

// RunCase runs a case and compares every expected stream; update rewrites
// the expected files instead.
func RunCase(ctx context.Context, c *Case, update bool) Result {
	start := time.Now()
	r := Result{Case: c}
	o, got, err := c.Options()
	if err != nil {
		r.Err = err
		return r
	}
	if _, err := engine.Run(ctx, o); err != nil {
		r.Err = err
		r.Elapsed = time.Since(start)
		return r
	}
	r.Pass = true
	r.Rows = map[string]int{}
	for name, b := range got {
		r.Rows[name] = bytes.Count(b.Bytes(), []byte("\n"))
	}
	streams := make([]string, 0, len(c.Expect))
	for s := range c.Expect {
		streams = append(streams, s)
	}
	sort.Strings(streams)
	var diffs []string
	if f, ok := c.Expect[errorStream]; !ok || f == NoErrors {
		if n := strings.Count(got[errorStream].String(), "\n"); n > 0 {
			r.Pass = false
			diffs = append(diffs, fmt.Sprintf("stream error_stream (expected none): %d error rows\n%s"+
				"  (give expect.error_stream a file to check them)\n", n, Diff("", got[errorStream].String())))
		}
	}
	for _, s := range streams {
		if s == errorStream && c.Expect[s] == NoErrors {
			continue
		}
		file := c.path(c.Expect[s])
		if update {
			if err := os.WriteFile(file, got[s].Bytes(), 0o644); err != nil {
				r.Err = err
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			r.Err = err
			r.Pass = false
			continue
		}
		if d := c.compare(string(want), got[s].String()); d != "" {
			r.Pass = false
			diffs = append(diffs, fmt.Sprintf("stream %s (%s):\n%s", s, c.Expect[s], d))
		}
	}
	r.Diff = strings.Join(diffs, "\n")
	r.Elapsed = time.Since(start)
	return r
}

// Diff compares expected and actual output line by line and describes the
// differences (at most 40 lines); "" when they are equal.
func Diff(want, got string) string {
	if want == got {
		return ""
	}
	return diffLines(splitLines(want), splitLines(got), func(a, b string) bool { return a == b })
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// diffLines describes the lines where eq fails (at most 40), "" for none.
func diffLines(w, g []string, eq func(a, b string) bool) string {
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 40; i++ {
		var wl, gl string
		hw, hg := i < len(w), i < len(g)
		if hw {
			wl = w[i]
		}
		if hg {
			gl = g[i]
		}
		if hw && hg && eq(wl, gl) {
			continue
		}
		if hw {
			fmt.Fprintf(&b, "  line %d -expected %s\n", i+1, wl)
			shown++
		}
		if hg {
			fmt.Fprintf(&b, "  line %d +actual   %s\n", i+1, gl)
			shown++
		}
	}
	if shown == 0 && len(w) == len(g) {
		return ""
	}
	fmt.Fprintf(&b, "  (%d expected lines, %d actual)\n", len(w), len(g))
	return b.String()
}

// RunOptions steer Run.
type RunOptions struct {
	// Update rewrites the expected files with the actual output.
	Update bool
	// Match, when set, keeps the cases whose folder it matches.
	Match *regexp.Regexp
	// Verbose prints every case (with its description and the rows of each
	// checked stream), not only the failures.
	Verbose bool
	// JUnit, when set, receives a JUnit XML report for CI systems.
	JUnit io.Writer
}

// Run runs every case under the roots (each a folder searched for
// case.yaml), printing the failures (every case with Verbose) and a closing
// "N passed, M failed" line.
func Run(ctx context.Context, roots []string, w io.Writer, o RunOptions) (passed, failed int, err error) {
	var cases []*Case
	for _, root := range roots {
		found, err := Discover(root)
		if err != nil {
			return 0, 0, err
		}
		if len(found) == 0 {
			return 0, 0, fmt.Errorf("no case.yaml under %s", root)
		}
		for _, c := range found {
			if o.Match == nil || o.Match.MatchString(filepath.ToSlash(c.Dir)) {
				cases = append(cases, c)
			}
		}
	}
	if len(cases) == 0 {
		return 0, 0, fmt.Errorf("no case matches -run %s", o.Match)
	}
	var results []Result
	for _, c := range cases {
		r := RunCase(ctx, c, o.Update)
		results = append(results, r)
		el := r.Elapsed.Round(time.Millisecond)
		switch {
		case r.Err != nil:
			failed++
			fmt.Fprintf(w, "FAIL %s (%v)\n     %v\n", c.Dir, el, r.Err)
		case !r.Pass:
			failed++
			fmt.Fprintf(w, "FAIL %s (%v)\n%s", c.Dir, el, r.Diff)
		default:
			passed++
			if o.Update {
				fmt.Fprintf(w, "updated %s (%v)\n", c.Dir, el)
			} else if o.Verbose {
				fmt.Fprintf(w, "ok   %s (%v)\n", c.Dir, el)
			}
		}
		if o.Verbose {
			if c.Description != "" {
				fmt.Fprintf(w, "     %s\n", c.Description)
			}
			for _, s := range slices.Sorted(maps.Keys(r.Rows)) {
				fmt.Fprintf(w, "     %s: %d rows\n", s, r.Rows[s])
			}
		}
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", passed, failed)
	if o.JUnit != nil {
		if err := writeJUnit(o.JUnit, results); err != nil {
			return passed, failed, err
		}
	}
	return passed, failed, nil
}
