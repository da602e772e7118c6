package operatortest

import (
	"strings"
	"testing"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

func TestCaptureRecordsEveryContractBreak(t *testing.T) {
	row := []value.Value{value.NewInt(1)}
	batch := func(times ...int64) *operators.Batch {
		b := operators.NewBatch(1, len(times))
		for _, tm := range times {
			b.Append(tm, row)
		}
		return b
	}
	c := NewCapture(nil)
	c.Push(batch(5, 7))
	c.Advance(10)
	c.Push(batch(9))  // below the bound
	c.Push(batch(12)) // fine
	c.Push(batch(11)) // went back
	c.Advance(8)      // bound went back
	c.Push(operators.NewBatch(2, 0))
	c.Advance(operators.EndOfTime)
	c.Push(batch(operators.EndOfTime))
	c.Advance(operators.EndOfTime)
	want := []string{
		"row at 9 below the bound 10",
		"ROWTIME went back: 11 after 12",
		"bound went back: 8 after 10",
		"batch of width 2 after batches of width 1",
		"after the end of input",
		"bound 9223372036854775807 after the end of input",
	}
	if len(c.Broken) != len(want) {
		t.Fatalf("breaks %q, want %d", c.Broken, len(want))
	}
	for i, w := range want {
		if !strings.Contains(c.Broken[i], w) {
			t.Errorf("break %d = %q, want %q", i, c.Broken[i], w)
		}
	}
	if c.Len() != 6 || !c.Ended() {
		t.Fatalf("kept %d rows, ended %v", c.Len(), c.Ended())
	}
}

// recorder is a testing.TB that only records failures.
type recorder struct {
	testing.TB
	msgs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.msgs = append(r.msgs, format)
}

func TestCaptureFailsTheTest(t *testing.T) {
	ft := &recorder{}
	c := NewCapture(ft)
	c.Advance(3)
	c.Push(func() *operators.Batch {
		b := operators.NewBatch(1, 1)
		b.Append(2, []value.Value{value.Null})
		return b
	}())
	if len(ft.msgs) != 1 {
		t.Fatal("a row below the bound did not fail the test")
	}
}
