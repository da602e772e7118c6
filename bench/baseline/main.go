// Command baseline is the hand-written program `streamsql run --replay`
// is measured against (scripts/bench-baseline): it reads a recording of
// Kinesis records, decodes each base64 payload, looks up the ticker and
// volume with gjson, and counts and sums per ticker in 60-second tumbling
// windows of arrival time, printing one JSON line per group per window.
package main

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/tidwall/gjson"
)

type group struct{ n, sum int64 }

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	r := bufio.NewReaderSize(f, 1<<20)
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	groups := map[string]*group{}
	var order []string
	win := int64(-1)
	emit := func() {
		end := time.UnixMilli((win + 1) * 60000).UTC().Format("2006-01-02 15:04:05.000")
		for _, k := range order {
			g := groups[k]
			fmt.Fprintf(w, "{\"WINDOW_END\":%q,\"TICKER_SYMBOL\":%q,\"N\":%d,\"VOLUME\":%d}\n", end, k, g.n, g.sum)
		}
		clear(groups)
		order = order[:0]
	}
	var payload []byte
	for {
		line, err := r.ReadSlice('\n')
		if len(line) > 1 {
			env := gjson.GetManyBytes(line, "ApproximateArrivalTimestamp", "Data")
			at, perr := time.Parse(time.RFC3339Nano, env[0].Str)
			if perr != nil {
				log.Fatal(perr)
			}
			payload, perr = base64.StdEncoding.AppendDecode(payload[:0], []byte(env[1].Str))
			if perr != nil {
				log.Fatal(perr)
			}
			if wk := at.UnixMilli() / 60000; wk != win {
				if win >= 0 {
					emit()
				}
				win = wk
			}
			ticker := gjson.GetBytes(payload, "TICKER_SYMBOL")
			g := groups[ticker.Str]
			if g == nil {
				g = &group{}
				groups[ticker.Str] = g
				order = append(order, ticker.Str)
			}
			g.n++
			g.sum += gjson.GetBytes(payload, "VOLUME").Int()
		}
		if err != nil {
			break
		}
	}
	if win >= 0 {
		emit()
	}
}
