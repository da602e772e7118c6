package engine

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/input"
)

// benchApp is a ticker stream of ~200-byte JSON records.
func benchApp(code string) *app.Application {
	col := func(name, typ string) app.RecordColumn {
		return app.RecordColumn{Name: name, Mapping: "$." + name, SqlType: typ}
	}
	return &app.Application{
		ApplicationName: "bench",
		ApplicationCode: code,
		Inputs: []app.Input{{
			NamePrefix: "SOURCE_SQL_STREAM",
			InputSchema: app.SourceSchema{
				RecordFormat: app.RecordFormat{RecordFormatType: "JSON"},
				RecordColumns: []app.RecordColumn{
					col("TICKER_SYMBOL", "VARCHAR(8)"), col("SECTOR", "VARCHAR(16)"), col("CHANGE", "DOUBLE"),
					col("PRICE", "DOUBLE"), col("VOLUME", "BIGINT"), col("EXCHANGE", "VARCHAR(8)"), col("TRADER", "VARCHAR(16)"),
				},
			},
		}},
	}
}

// benchRecords makes n records, one per millisecond, 100 tickers and 10,000
// traders.
func benchRecords(n int) []input.Record {
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC).UnixMilli()
	sectors := []string{"TECHNOLOGY", "ENERGY", "HEALTHCARE", "FINANCIAL"}
	recs := make([]input.Record, n)
	for i := range recs {
		data := fmt.Sprintf(`{"TICKER_SYMBOL":"T%03d","SECTOR":%q,"CHANGE":%.2f,"PRICE":%.2f,"VOLUME":%d,"EXCHANGE":"NASDAQ","TRADER":"trader-%05d","NOTE":"recorded for the streamsql benchmark"}`,
			i%100, sectors[i%4], float64(i%400-200)/100, 50+float64(i%10000)/100, 1000+i%5000, i%10000)
		recs[i] = input.Record{Data: []byte(data), Arrival: base + int64(i), ShardID: "shardId-000000000000"}
	}
	return recs
}

func runBench(b *testing.B, code, out string) {
	recs := benchRecords(1 << 16)
	size := 0
	for _, r := range recs {
		size += len(r.Data)
	}
	p, err := Start(Options{App: benchApp(code), Writers: map[string]io.Writer{out: io.Discard}, Format: "ndjson", Stderr: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	span := int64(len(recs))
	b.SetBytes(int64(size / len(recs)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := recs[i%len(recs)]
		r.Arrival += int64(i/len(recs)) * span
		p.Push(0, -1, r)
	}
	st, err := p.Finish()
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	if st.ErrorRows != 0 {
		b.Fatalf("%d error rows", st.ErrorRows)
	}
}

// tumblingSQL: COUNT(*) and SUM per ticker in 10-second tumbling windows.
const tumblingSQL = `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER_SYMBOL VARCHAR(8), N BIGINT, VOLUME BIGINT);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM TICKER_SYMBOL, COUNT(*), SUM(VOLUME)
  FROM "SOURCE_SQL_STREAM_001"
  GROUP BY TICKER_SYMBOL, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);`

// slidingSQL: AVG over a one-minute sliding window per trader.
const slidingSQL = `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TRADER VARCHAR(16), PRICE DOUBLE, AVG_PRICE DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM TRADER, PRICE, AVG(PRICE) OVER W
  FROM "SOURCE_SQL_STREAM_001"
  WINDOW W AS (PARTITION BY TRADER RANGE INTERVAL '1' MINUTE PRECEDING);`

// BenchmarkDecodeFilterProject: JSON decode, WHERE, projection, NDJSON out.
func BenchmarkDecodeFilterProject(b *testing.B) {
	runBench(b, `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER_SYMBOL VARCHAR(8), PRICE DOUBLE, CHANGE_PCT DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM TICKER_SYMBOL, PRICE, CHANGE / PRICE * 100
  FROM "SOURCE_SQL_STREAM_001"
  WHERE SECTOR = 'TECHNOLOGY' AND PRICE > 60;`, "DESTINATION_SQL_STREAM")
}

// BenchmarkDecodeTumblingCountSum: JSON decode, then COUNT(*) and SUM per
// ticker in 10-second tumbling windows.
func BenchmarkDecodeTumblingCountSum(b *testing.B) {
	runBench(b, tumblingSQL, "DESTINATION_SQL_STREAM")
}

// BenchmarkDecodeSlidingAvg: JSON decode, then AVG over a one-minute
// sliding window partitioned by a key with 10,000 values; one output row
// per record, written as NDJSON.
func BenchmarkDecodeSlidingAvg(b *testing.B) {
	runBench(b, slidingSQL, "DESTINATION_SQL_STREAM")
}

// BenchmarkDecodeStagger: JSON decode, then a one-minute stagger window
// per trader (10,000 partitions).
func BenchmarkDecodeStagger(b *testing.B) {
	runBench(b, `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TRADER VARCHAR(16), N BIGINT, VOLUME BIGINT);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM TRADER, COUNT(*), SUM(VOLUME)
  FROM "SOURCE_SQL_STREAM_001"
  WINDOWED BY STAGGER (PARTITION BY TRADER RANGE INTERVAL '1' MINUTE);`, "DESTINATION_SQL_STREAM")
}
