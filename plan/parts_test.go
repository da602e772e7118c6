package plan

import (
	"fmt"
	"slices"
	"testing"
	"time"

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

// With two lanes the parts of a fork run at once: the first part's reader
// waits until the second part's reader has taken the batch, which one
// goroutine running them in turn would never see.
func TestForkRunsPartsAtOnce(t *testing.T) {
	r, err := Start(mustPlan(t, twoPumps), Bindings{Lanes: 2})
	if err != nil {
		t.Fatal(err)
	}
	f := r.streams["SOURCE_SQL_STREAM_001"].fan
	second := make(chan struct{})
	waited := false
	f.subs[0].op = pushFunc(func() {
		select {
		case <-second:
			waited = true
		case <-time.After(10 * time.Second):
		}
	})
	f.subs[1].op = pushFunc(func() { close(second) })
	in := r.Input("SOURCE_SQL_STREAM_001")
	b := operators.NewBatch(6, 1)
	b.Append(0, make([]value.Value, 6))
	in.Push(b)
	if !waited || r.Forks() != 1 {
		t.Fatalf("the first part did not see the second run (forks %d)", r.Forks())
	}
}

type pushFunc func()

func (f pushFunc) Push(*operators.Batch) { f() }
func (pushFunc) Advance(int64)           {}

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

// BenchmarkFanout pushes batches of rows, on one goroutine and on two
// lanes, through three pumps that do almost nothing (idle: a filter no row
// passes; what forking costs a batch) and through three windows over the
// same source (windows: tumbling, sliding and stagger, as
// bench/shapes/pumps.sql).
func BenchmarkFanout(b *testing.B) {
	shapes := []struct{ name, src string }{{"idle", `
CREATE OR REPLACE STREAM "D1" (TICKER VARCHAR(4));
CREATE OR REPLACE STREAM "D2" (TICKER VARCHAR(4));
CREATE OR REPLACE STREAM "D3" (TICKER VARCHAR(4));
CREATE OR REPLACE PUMP "P1" AS INSERT INTO "D1" SELECT STREAM TICKER_SYMBOL FROM "SOURCE_SQL_STREAM_001" WHERE PRICE < 0;
CREATE OR REPLACE PUMP "P2" AS INSERT INTO "D2" SELECT STREAM TICKER_SYMBOL FROM "SOURCE_SQL_STREAM_001" WHERE PRICE < 0;
CREATE OR REPLACE PUMP "P3" AS INSERT INTO "D3" SELECT STREAM TICKER_SYMBOL FROM "SOURCE_SQL_STREAM_001" WHERE PRICE < 0;`}, {"windows", `
CREATE OR REPLACE STREAM "D1" (TICKER VARCHAR(4), N BIGINT, AMOUNT BIGINT);
CREATE OR REPLACE STREAM "D2" (TICKER VARCHAR(4), PRICE DOUBLE, AVG_PRICE DOUBLE);
CREATE OR REPLACE STREAM "D3" (TICKER VARCHAR(4), N BIGINT, AMOUNT BIGINT);
CREATE OR REPLACE PUMP "P1" AS INSERT INTO "D1" SELECT STREAM TICKER_SYMBOL, COUNT(*), SUM("Amount") FROM "SOURCE_SQL_STREAM_001"
  GROUP BY TICKER_SYMBOL, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND);
CREATE OR REPLACE PUMP "P2" AS INSERT INTO "D2" SELECT STREAM TICKER_SYMBOL, PRICE, AVG(PRICE) OVER W FROM "SOURCE_SQL_STREAM_001"
  WINDOW W AS (PARTITION BY TICKER_SYMBOL RANGE INTERVAL '1' MINUTE PRECEDING);
CREATE OR REPLACE PUMP "P3" AS INSERT INTO "D3" SELECT STREAM TICKER_SYMBOL, COUNT(*), SUM("Amount") FROM "SOURCE_SQL_STREAM_001"
  WINDOWED BY STAGGER (PARTITION BY TICKER_SYMBOL RANGE INTERVAL '1' MINUTE);`}}
	tickers := make([]value.Value, 1000)
	for i := range tickers {
		tickers[i] = value.NewString(fmt.Sprintf("T%03d", i))
	}
	for _, sh := range shapes {
		script, err := parser.ParseScript("app.sql", sh.src)
		if err != nil {
			b.Fatal(err)
		}
		g, err := Plan(script, testCatalog())
		if err != nil {
			b.Fatal(err)
		}
		for _, rows := range []int{64, 1024} {
			for _, lanes := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/rows-%d/lanes-%d", sh.name, rows, lanes), func(b *testing.B) {
					r, err := Start(g, Bindings{Lanes: lanes})
					if err != nil {
						b.Fatal(err)
					}
					in := r.Input("SOURCE_SQL_STREAM_001")
					batch := operators.NewBatch(6, rows)
					for i := range rows {
						batch.Append(0, []value.Value{tickers[i%len(tickers)], value.NewString("S"), value.NewFloat(0), value.NewFloat(float64(i % 97)), value.NewInt(1), value.Null})
					}
					b.ResetTimer()
					for i := range b.N {
						for k := range batch.Times {
							batch.Times[k] = int64(i*rows + k) // a row a millisecond
						}
						in.Push(batch)
						r.Advance(int64(i*rows + rows - 1))
					}
					b.ReportMetric(float64(r.Forks())/float64(b.N), "forks/batch")
				})
			}
		}
	}
}
