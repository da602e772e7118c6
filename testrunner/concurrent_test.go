package testrunner

import (
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/plan"
)

// TestConcurrentPumpsIdentical runs every example and case with its pumps
// on one goroutine, then with the pumps that share no state forced onto
// separate goroutines for every batch and bound (engine.PumpsConcurrent)
// at GOMAXPROCS 1, 2 and 4, in batches of the default size and of 7
// records: every expected stream and error_stream must be the same bytes,
// and so must the transcript of every call into every in-application
// stream's readers and the error sink, in order (so streams written to one
// destination interleave the same way).
func TestConcurrentPumpsIdentical(t *testing.T) {
	cases := allCases(t)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	forked := 0
	for _, c := range cases {
		for _, batch := range []int{0, 7} {
			runtime.GOMAXPROCS(1)
			want, forks, err := runTranscript(c, batch, engine.PumpsSequential)
			if err != nil {
				t.Fatalf("%s: %v", c.Dir, err)
			}
			if forks != 0 {
				t.Fatalf("%s: %d forks with the pumps sequential", c.Dir, forks)
			}
			for _, procs := range []int{1, 2, 4} {
				runtime.GOMAXPROCS(procs)
				got, forks, err := runTranscript(c, batch, engine.PumpsConcurrent)
				if err != nil {
					t.Fatalf("%s: %v", c.Dir, err)
				}
				if forks > 0 {
					forked++
				}
				if got != want {
					t.Errorf("%s, batch %d, GOMAXPROCS %d: concurrent pumps give other output\n%s", c.Dir, batch, procs, Diff(want, got))
				}
			}
		}
	}
	// Several examples have independent pumps (web-analytics has six in
	// four parts): the comparison above must have covered them.
	if forked < 3*2*3 {
		t.Fatalf("only %d runs ran pumps at once", forked)
	}
}

// runTranscript runs case c and returns its expected streams, its
// error_stream and the transcript of calls seen by a reader of every
// stream, with the number of forks the graph made.
func runTranscript(c *Case, batch int, mode engine.PumpMode) (string, int64, error) {
	o, got, err := c.Options()
	if err != nil {
		return "", 0, err
	}
	o.BatchRecords = batch
	o.Pumps = mode
	tr := &transcript{}
	o.Observer = tr
	p, err := engine.Start(o)
	if err != nil {
		return "", 0, err
	}
	rp, err := p.OpenReplays()
	if err != nil {
		return "", 0, err
	}
	defer rp.Close()
	for {
		if _, ok := rp.PushNext(p); !ok {
			break
		}
	}
	st, err := p.Finish()
	if err != nil {
		return "", 0, err
	}
	forks := p.Running().Forks()
	var b strings.Builder
	for _, s := range slices.Sorted(maps.Keys(got)) {
		fmt.Fprintf(&b, "== %s\n%s", s, got[s])
	}
	fmt.Fprintf(&b, "== stats %d %d %q %d %d\n== transcript\n", st.RecordsIn, st.ErrorRows, st.FirstError, st.LateRows, st.LateEventRows)
	b.WriteString(tr.String())
	return b.String(), forks, nil
}

// transcript is an observer that writes down every call into the readers
// it attaches to every stream, and every error row, in the order made.
type transcript struct{ strings.Builder }

func (tr *transcript) Taps(g *plan.Graph) map[string]operators.Operator {
	taps := map[string]operators.Operator{}
	for _, s := range g.Catalog.Streams() {
		taps[s.Name] = &tap{tr: tr, name: s.Name}
	}
	return taps
}

func (tr *transcript) Observe(*engine.Pipeline, bool) {}

func (tr *transcript) Error(e operators.ErrorRecord) {
	fmt.Fprintf(tr, "error %d %s %s %q %q\n", e.Time, e.Name, e.Pump, e.Message, e.DataRow)
}

type tap struct {
	tr   *transcript
	name string
}

func (t *tap) Push(b *operators.Batch) {
	fmt.Fprintf(t.tr, "push %s %d\n", t.name, b.Len())
	for i := range b.Len() {
		fmt.Fprintf(t.tr, "  %d %s\n", b.Times[i], operators.RowText(nil, b.Row(i)))
	}
}

func (t *tap) Advance(ts int64) { fmt.Fprintf(t.tr, "advance %s %d\n", t.name, ts) }
