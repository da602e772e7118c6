// Command examplegen writes the example applications' recordings and
// computes their expected output directly, in plain Go, independently of
// the engine: `streamsql test examples` then checks the engine against it.
//
//	go run ./internal/examplegen -out examples
package main

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

var base = time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)

type record struct {
	arrival time.Time
	data    []byte
	key     string
	shard   int
}

func main() {
	out := flag.String("out", "examples", "folder to write the examples into")
	flag.Parse()
	generate(*out)
}

// generate writes every example's recordings and expected output under out.
func generate(out string) {
	spend(filepath.Join(out, "spend"))
	news(filepath.Join(out, "news"))
	filter(filepath.Join(out, "filter"))
	tickers(filepath.Join(out, "tickers"))
	taxiHotspots(filepath.Join(out, "hotspots"))
	distinctBidders(filepath.Join(out, "distinct-bidders"))
	machineAnomalies(filepath.Join(out, "anomalies"))
	topTickers(filepath.Join(out, "top-tickers"))
	webAnalytics(filepath.Join(out, "web-analytics-cloudformation"))
	iotMonitoring(filepath.Join(out, "iot-monitoring-terraform"))
	storefront(filepath.Join(out, "storefront-cloudformation"))
	cardFraud(filepath.Join(out, "card-fraud-terraform"))
	accessLogs(filepath.Join(out, "access-logs-cloudformation"))
	rides(filepath.Join(out, "rides-describe"))
	fleetTelemetry(filepath.Join(out, "fleet-telemetry-terraform"))
}

// writeRecording writes records in the Kinesis API shape, one per line.
func writeRecording(path string, recs []record) {
	var b strings.Builder
	for i, r := range recs {
		line, _ := json.Marshal(map[string]string{
			"SequenceNumber":              fmt.Sprintf("4959%020d", i+1),
			"ApproximateArrivalTimestamp": r.arrival.UTC().Format("2006-01-02T15:04:05.000Z"),
			"Data":                        base64.StdEncoding.EncodeToString(r.data),
			"PartitionKey":                r.key,
			"ShardId":                     fmt.Sprintf("shardId-%012d", r.shard),
		})
		b.Write(line)
		b.WriteByte('\n')
	}
	must(os.WriteFile(path, []byte(b.String()), 0o644))
}

// writeLines writes lines, one a line, to dir/name.
func writeLines(dir, name string, lines []string) {
	must(os.WriteFile(filepath.Join(dir, name), []byte(strings.Join(lines, "\n")+"\n"), 0o644))
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000") }

func jstr(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// rowtimes applies the ROWTIME rule: arrival time, clamped to never go back.
func rowtimes(recs []record) []time.Time {
	out := make([]time.Time, len(recs))
	var last time.Time
	for i, r := range recs {
		t := r.arrival
		if t.Before(last) {
			t = last
		}
		out[i] = t
		last = t
	}
	return out
}

// byMinute walks records through one-minute tumbling windows of their
// ROWTIMEs rts: add(i) takes record i, flush(end) closes the window ending
// at end (the last one after the last record).
func byMinute(rts []time.Time, add func(i int), flush func(end time.Time)) {
	byWindow(rts, time.Minute, add, flush)
}

// byWindow is byMinute for tumbling windows of any size.
func byWindow(rts []time.Time, size time.Duration, add func(i int), flush func(end time.Time)) {
	var win time.Time
	for i, t := range rts {
		w := t.Truncate(size)
		if i > 0 && !w.Equal(win) {
			flush(win.Add(size))
		}
		win = w
		add(i)
	}
	if len(rts) > 0 {
		flush(win.Add(size))
	}
}

// group is one aggregate group within a window, in first-seen order.
type group[K comparable, A any] struct {
	keys  []K
	accum map[K]*A
}

func (g *group[K, A]) get(k K) *A {
	if g.accum == nil {
		g.accum = map[K]*A{}
	}
	a, ok := g.accum[k]
	if !ok {
		a = new(A)
		g.accum[k] = a
		g.keys = append(g.keys, k)
	}
	return a
}

// spend: SUM("Amount") per "Block" in 15-second STEP windows.
func spend(dir string) {
	rng := rand.New(rand.NewPCG(1, 2))
	blocks := []string{"B1", "B2", "B3", "B4"}
	var recs []record
	t := base
	for i := 0; i < 600; i++ {
		t = t.Add(time.Duration(rng.IntN(400)) * time.Millisecond)
		if i == 100 {
			t = t.Truncate(15 * time.Second).Add(15 * time.Second) // a row exactly on a window boundary
		}
		arr := t
		if i%97 == 50 {
			arr = t.Add(-700 * time.Millisecond) // a late arrival: clamped
		}
		cents := 100 + rng.IntN(50000)
		block := blocks[rng.IntN(len(blocks))]
		data := fmt.Sprintf(`{"Block":%q,"Amount":%d.%02d,"Customer":"c%03d"}`, block, cents/100, cents%100, rng.IntN(200))
		recs = append(recs, record{arrival: arr, data: []byte(data), key: block, shard: i % 2})
	}
	must(os.MkdirAll(dir, 0o755))
	writeRecording(filepath.Join(dir, "purchases.jsonl"), recs)

	type acc struct{ cents, n int64 }
	rts := rowtimes(recs)
	var lines []string
	var win time.Time
	var g group[string, acc]
	flush := func() {
		end := win.Add(15 * time.Second)
		for _, k := range g.keys {
			a := g.accum[k]
			lines = append(lines, fmt.Sprintf(`{"ROWTIME":%q,"Block":%s,"TotalAmount":%d.%02d,"Purchases":%d,"WindowStart":%q}`,
				ts(end), jstr(k), a.cents/100, a.cents%100, a.n, ts(win)))
		}
		g = group[string, acc]{}
	}
	for i, r := range recs {
		w := rts[i].Truncate(15 * time.Second)
		if len(g.keys) > 0 && !w.Equal(win) {
			flush()
		}
		win = w
		var rec struct {
			Block  string
			Amount json.Number
		}
		must(json.Unmarshal(r.data, &rec))
		whole, frac, _ := strings.Cut(rec.Amount.String(), ".")
		// strconv, not fmt.Sscan: Sscan reads "08" as a (bad) octal number.
		c, _ := strconv.ParseInt(whole, 10, 64)
		f, _ := strconv.ParseInt((frac + "00")[:2], 10, 64)
		a := g.get(rec.Block)
		a.cents += c*100 + f
		a.n++
	}
	flush()
	must(os.WriteFile(filepath.Join(dir, "expected.ndjson"), []byte(strings.Join(lines, "\n")+"\n"), 0o644))
}

// news: clicks LEFT JOIN users, then per-minute impressions and clicks.
func news(dir string) {
	rng := rand.New(rand.NewPCG(3, 4))
	type user struct {
		gender  string
		segment int
	}
	users := map[string]user{}
	var csv strings.Builder
	for i := 1; i <= 30; i++ {
		id := fmt.Sprintf("u%03d", i)
		u := user{gender: []string{"F", "M"}[rng.IntN(2)], segment: 1 + rng.IntN(4)}
		users[id] = u
		fmt.Fprintf(&csv, "%s,%s,%d\n", id, u.gender, u.segment)
	}
	must(os.MkdirAll(dir, 0o755))
	must(os.WriteFile(filepath.Join(dir, "users.csv"), []byte(csv.String()), 0o644))

	var recs []record
	t := base.Add(20 * time.Second)
	for i := 0; i < 500; i++ {
		t = t.Add(time.Duration(rng.IntN(700)) * time.Millisecond)
		uid := fmt.Sprintf("u%03d", 1+rng.IntN(33)) // u031..u033 are not in the table
		action := "impression"
		if rng.IntN(5) == 0 {
			action = "click"
		}
		art := fmt.Sprintf("a%d", 1+rng.IntN(4))
		data := fmt.Sprintf(`{"USER_ID":%q,"ARTICLE_ID":%q,"ACTION":%q,"DEVICE":{"os":"android"}}`, uid, art, action)
		recs = append(recs, record{arrival: t, data: []byte(data), key: uid, shard: 0})
	}
	writeRecording(filepath.Join(dir, "clicks.jsonl"), recs)

	type key struct {
		gender  string
		segment int
		known   bool
		article string
	}
	type acc struct{ imp, clk int }
	rts := rowtimes(recs)
	var lines []string
	var g group[key, acc]
	flush := func(end time.Time) {
		for _, k := range g.keys {
			a := g.accum[k]
			gender, seg := "null", "null"
			if k.known {
				gender, seg = jstr(k.gender), fmt.Sprint(k.segment)
			}
			lines = append(lines, fmt.Sprintf(`{"ROWTIME":%q,"GENDER":%s,"SEGMENT_ID":%s,"ARTICLE_ID":%s,"IMPRESSIONS":%d,"CLICKS":%d}`,
				ts(end), gender, seg, jstr(k.article), a.imp, a.clk))
		}
		g = group[key, acc]{}
	}
	byMinute(rts, func(i int) {
		var rec struct{ USER_ID, ARTICLE_ID, ACTION string }
		must(json.Unmarshal(recs[i].data, &rec))
		u, known := users[rec.USER_ID]
		a := g.get(key{u.gender, u.segment, known, rec.ARTICLE_ID})
		if rec.ACTION == "impression" {
			a.imp++
		} else {
			a.clk++
		}
	}, flush)
	must(os.WriteFile(filepath.Join(dir, "expected.ndjson"), []byte(strings.Join(lines, "\n")+"\n"), 0o644))
}

var tickers4 = []struct {
	sym, sector string
	price       float64
}{{"AMZN", "TECHNOLOGY", 180}, {"XTC", "HEALTHCARE", 30}, {"NFS", "ENERGY", 70}, {"QXZ", "FINANCIAL", 12},
	{"IBM", "TECHNOLOGY", 140}, {"ASD", "TECHNOLOGY", 40}}

// filter: a continuous filter on the stock-ticker demo stream, with a few
// malformed records that must reach error_stream.
func filter(dir string) {
	rng := rand.New(rand.NewPCG(5, 6))
	var recs []record
	var lines, errs []string
	// errRow is the error_stream row of a record the decoder rejects: the
	// record's bytes in hex, at its ROWTIME, raised outside any pump.
	errRow := func(t time.Time, name, msg, data string) string {
		return fmt.Sprintf(`{"ROWTIME":%[1]q,"ERROR_TIME":%[1]q,"ERROR_LEVEL":"ERROR","ERROR_NAME":%[2]s,"MESSAGE":%[3]s,`+
			`"DATA_ROWTIME":%[1]q,"DATA_ROW":"%[4]x","PUMP_NAME":null}`, ts(t), jstr(name), jstr(msg), data)
	}
	t := base
	for i := 0; i < 400; i++ {
		t = t.Add(time.Duration(50+rng.IntN(200)) * time.Millisecond)
		tk := tickers4[rng.IntN(len(tickers4))]
		price := float64(int((tk.price+rng.Float64()*20-10)*100)) / 100
		change := float64(int(rng.Float64()*400-200)) / 100
		var data string
		switch i {
		case 37:
			data = `{"TICKER_SYMBOL":"AMZN","SECTOR":"TECHNOLOGY","CHANGE":1.5,"PRICE":"not-a-price"}`
			errs = append(errs, errRow(t, "Type conversion error", `PRICE: cannot convert "not-a-price" to DOUBLE`, data))
		case 151:
			data = `{"TICKER_SYMBOL":"AMZN", this is not json`
			errs = append(errs, errRow(t, "Parse error", "invalid JSON record", data))
		default:
			data = fmt.Sprintf(`{"TICKER_SYMBOL":%q,"SECTOR":%q,"CHANGE":%s,"PRICE":%s}`, tk.sym, tk.sector,
				fmtFloat(change), fmtFloat(price))
			if strings.Contains(tk.sector, "TECH") && price > 50 {
				lines = append(lines, fmt.Sprintf(`{"ROWTIME":%q,"TICKER_SYMBOL":%s,"SECTOR":%s,"CHANGE":%s,"PRICE":%s}`,
					ts(t), jstr(tk.sym), jstr(tk.sector), fmtFloat(change), fmtFloat(price)))
			}
		}
		recs = append(recs, record{arrival: t, data: []byte(data), key: tk.sym, shard: i % 4})
	}
	must(os.MkdirAll(dir, 0o755))
	writeRecording(filepath.Join(dir, "ticker.jsonl"), recs)
	must(os.WriteFile(filepath.Join(dir, "expected.ndjson"), []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "expected_errors.ndjson"), []byte(strings.Join(errs, "\n")+"\n"), 0o644))
}

func fmtFloat(f float64) string {
	s := fmt.Sprintf("%.2f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

// tickers: per-ticker counts every 10 seconds, with the legacy
// FLOOR((ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND) bucket.
func tickers(dir string) {
	rng := rand.New(rand.NewPCG(7, 8))
	var recs []record
	t := base
	for i := 0; i < 700; i++ {
		t = t.Add(time.Duration(rng.IntN(250)) * time.Millisecond)
		tk := tickers4[rng.IntN(len(tickers4))]
		data := fmt.Sprintf(`{"TICKER_SYMBOL":%q,"PRICE":%d}`, tk.sym, int(tk.price))
		recs = append(recs, record{arrival: t, data: []byte(data), key: tk.sym, shard: i % 2})
	}
	must(os.MkdirAll(dir, 0o755))
	writeRecording(filepath.Join(dir, "ticks.jsonl"), recs)
	rts := rowtimes(recs)
	var lines []string
	var win time.Time
	var g group[string, int]
	flush := func() {
		for _, k := range g.keys {
			lines = append(lines, fmt.Sprintf(`{"ROWTIME":%q,"TICKER_SYMBOL":%s,"TICKER_COUNT":%d}`,
				ts(win.Add(10*time.Second)), jstr(k), *g.accum[k]))
		}
		g = group[string, int]{}
	}
	for i, r := range recs {
		w := rts[i].Truncate(10 * time.Second)
		if len(g.keys) > 0 && !w.Equal(win) {
			flush()
		}
		win = w
		var rec struct{ TICKER_SYMBOL string }
		must(json.Unmarshal(r.data, &rec))
		*g.get(rec.TICKER_SYMBOL)++
	}
	flush()
	must(os.WriteFile(filepath.Join(dir, "expected.ndjson"), []byte(strings.Join(lines, "\n")+"\n"), 0o644))
}
