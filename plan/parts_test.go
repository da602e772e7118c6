package plan

import (
	"fmt"
	"slices"
	"testing"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// Pumps are in one part when they share an in-application stream other
// than a source: one writes what another reads, or both write it.
func TestPartition(t *testing.T) {
	g := mustPlan(t, `
CREATE OR REPLACE STREAM "S1" (TICKER VARCHAR(4), PRICE DOUBLE);
CREATE OR REPLACE STREAM "DEST1" (TICKER VARCHAR(4), PRICE DOUBLE);
CREATE OR REPLACE STREAM "DEST2" (TICKER VARCHAR(4), PRICE DOUBLE);
CREATE OR REPLACE STREAM "DEST3" (TICKER VARCHAR(4), PRICE DOUBLE);
CREATE OR REPLACE PUMP "A" AS INSERT INTO "S1" SELECT STREAM TICKER_SYMBOL, PRICE FROM "SOURCE_SQL_STREAM_001";
CREATE OR REPLACE PUMP "C" AS INSERT INTO "DEST2" SELECT STREAM TICKER_SYMBOL, PRICE FROM "SOURCE_SQL_STREAM_001" WHERE PRICE > 1;
CREATE OR REPLACE PUMP "B" AS INSERT INTO "DEST1" SELECT STREAM TICKER, PRICE FROM "S1";
CREATE OR REPLACE PUMP "E" AS INSERT INTO "DEST3" SELECT STREAM TICKER_SYMBOL, PRICE FROM "SOURCE_SQL_STREAM_001";
CREATE OR REPLACE PUMP "D" AS INSERT INTO "DEST2" SELECT STREAM TICKER_SYMBOL, PRICE FROM "SOURCE_SQL_STREAM_001" WHERE PRICE <= 1;
`)
	pumps, streams, n := g.partition()
	if want := []int{0, 1, 0, 2, 1}; !slices.Equal(pumps, want) || n != 3 {
		t.Errorf("parts of A, C, B, E, D: %v (%d parts), want %v (3)", pumps, n, want)
	}
	want := map[string]int{"S1": 0, "DEST1": 0, "DEST2": 1, "DEST3": 2}
	if fmt.Sprint(streams) != fmt.Sprint(want) {
		t.Errorf("parts of the streams: %v, want %v", streams, want)
	}
}

// A panic in a part running on another goroutine is raised again on the
// caller's, and the graph's parts record nothing afterwards.
func TestForkRaisesPanics(t *testing.T) {
	g := mustPlan(t, twoPumps)
	r, err := Start(g, Bindings{Lanes: 2})
	if err != nil {
		t.Fatal(err)
	}
	n := r.streams["SOURCE_SQL_STREAM_001"]
	n.fan.subs[1].op = panicker{}
	defer func() {
		if p := recover(); p != "boom" {
			t.Fatalf("recovered %v, want boom", p)
		}
		for _, pt := range n.fan.parts {
			if pt.cur != nil {
				t.Fatal("a part still records")
			}
		}
	}()
	feedTickers(r, 3, 0)
	t.Fatal("no panic")
}

type panicker struct{}

func (panicker) Push(*operators.Batch) { panic("boom") }
func (panicker) Advance(int64)         { panic("boom") }

const twoPumps = `
CREATE OR REPLACE STREAM "DEST1" (TICKER VARCHAR(4), N BIGINT);
CREATE OR REPLACE STREAM "DEST2" (TICKER VARCHAR(4), PRICE DOUBLE);
CREATE OR REPLACE PUMP "P1" AS INSERT INTO "DEST1"
  SELECT STREAM TICKER_SYMBOL, COUNT(*) FROM "SOURCE_SQL_STREAM_001"
  GROUP BY TICKER_SYMBOL, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' MINUTE);
CREATE OR REPLACE PUMP "P2" AS INSERT INTO "DEST2"
  SELECT STREAM TICKER_SYMBOL, PRICE FROM "SOURCE_SQL_STREAM_001" WHERE PRICE > 1;`

// BenchmarkFanout pushes batches through pumps that do almost nothing
// (a filter no row passes): what forking costs a batch, against running
// the pumps on one goroutine.
func BenchmarkFanout(b *testing.B) {
	src := `
CREATE OR REPLACE STREAM "D1" (TICKER VARCHAR(4));
CREATE OR REPLACE STREAM "D2" (TICKER VARCHAR(4));
CREATE OR REPLACE STREAM "D3" (TICKER VARCHAR(4));
CREATE OR REPLACE PUMP "P1" AS INSERT INTO "D1" SELECT STREAM TICKER_SYMBOL FROM "SOURCE_SQL_STREAM_001" WHERE PRICE < 0;
CREATE OR REPLACE PUMP "P2" AS INSERT INTO "D2" SELECT STREAM TICKER_SYMBOL FROM "SOURCE_SQL_STREAM_001" WHERE PRICE < 0;
CREATE OR REPLACE PUMP "P3" AS INSERT INTO "D3" SELECT STREAM TICKER_SYMBOL FROM "SOURCE_SQL_STREAM_001" WHERE PRICE < 0;`
	script, err := parser.ParseScript("app.sql", src)
	if err != nil {
		b.Fatal(err)
	}
	g, err := Plan(script, testCatalog())
	if err != nil {
		b.Fatal(err)
	}
	for _, rows := range []int{64, 1024} {
		for _, lanes := range []int{1, 2} {
			b.Run(fmt.Sprintf("rows-%d/lanes-%d", rows, lanes), func(b *testing.B) {
				r, err := Start(g, Bindings{Lanes: lanes})
				if err != nil {
					b.Fatal(err)
				}
				in := r.Input("SOURCE_SQL_STREAM_001")
				batch := operators.NewBatch(6, rows)
				for i := range rows {
					batch.Append(0, []value.Value{value.NewString("A"), value.NewString("S"), value.NewFloat(0), value.NewFloat(float64(i)), value.NewInt(1), value.Null})
				}
				b.ResetTimer()
				for i := range b.N {
					for k := range batch.Times {
						batch.Times[k] = int64(i)
					}
					in.Push(batch)
					r.Advance(int64(i))
				}
				b.ReportMetric(float64(r.Forks())/float64(b.N), "forks/batch")
			})
		}
	}
}
