package operators_test

import (
	"fmt"
	"testing"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/operators/operatortest"
	"github.com/streamsql/streamsql/value"
)

// BenchmarkInsertPush: the end of the sliding shape's pump, a batch of
// (VARCHAR, DOUBLE, DOUBLE) rows into a stream of (VARCHAR(16), DOUBLE,
// DOUBLE).
func BenchmarkInsertPush(b *testing.B) {
	rows := operators.NewBatch(3, 1024)
	for i := range 1024 {
		rows.Append(int64(i), []value.Value{value.NewString(fmt.Sprintf("trader-%05d", i)),
			value.NewFloat(float64(i) / 100), value.NewFloat(float64(i) / 300)})
	}
	out := &operatortest.Count{}
	ins := &operators.Insert{Types: []value.Type{{Base: value.TVarchar, Len: 16}, value.Double, value.Double},
		Slots: []int{0, 1, 2}, RowtimeArg: -1, Out: out}
	for b.Loop() {
		ins.Push(rows)
		for i := range rows.Times {
			rows.Times[i] += 1024
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows.Len()), "ns/row")
}
