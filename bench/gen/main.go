// Command gen writes a benchmark recording: Kinesis records as JSON Lines
// (base64 payloads of about 190 bytes, two shards interleaved, arrival
// times in order), the shape `streamsql record` writes; with -ndjson, the
// payloads themselves with the arrival time in a field.
package main

import (
	"bufio"
	"encoding/base64"
	"flag"
	"fmt"
	"log"
	"os"
	"strconv"
	"time"
)

func main() {
	n := flag.Int("n", 1000000, "records")
	tickers := flag.Int("tickers", 100, "distinct TICKER_SYMBOL values (the GROUP BY key)")
	stepUS := flag.Int("step-us", 1000, "microseconds between arrivals")
	out := flag.String("o", "-", "output file")
	ndjson := flag.Bool("ndjson", false, "write plain payload lines with the arrival time in field ts (for --arrival-field ts)")
	flag.Parse()
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		w = bufio.NewWriterSize(f, 1<<20)
	}
	sectors := []string{"TECHNOLOGY", "ENERGY", "HEALTHCARE", "FINANCIAL"}
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	var payload, line []byte
	for i := 0; i < *n; i++ {
		t := i % *tickers
		payload = fmt.Appendf(payload[:0], `{"TICKER_SYMBOL":"T%03d","SECTOR":%q,"CHANGE":%.2f,"PRICE":%.2f,"VOLUME":%d,"EXCHANGE":"NASDAQ","TRADER":"trader-%05d","NOTE":"recorded for the streamsql benchmark"}`,
			t, sectors[i%4], float64(i%400-200)/100, 50+float64((i*7919)%10000)/100, 1000+i%5000, (i*31)%10000)
		at := base.Add(time.Duration(i*(*stepUS)) * time.Microsecond)
		if *ndjson {
			line = append(append(line[:0], payload[:len(payload)-1]...), `,"ts":"`...)
			line = append(at.UTC().AppendFormat(line, "2006-01-02T15:04:05.000Z"), "\"}\n"...)
			w.Write(line)
			continue
		}
		line = append(line[:0], `{"SequenceNumber":"4959000000000000000`...)
		line = strconv.AppendInt(line, int64(10000000+i), 10)
		line = append(line, `","ApproximateArrivalTimestamp":"`...)
		line = at.UTC().AppendFormat(line, "2006-01-02T15:04:05.000Z")
		line = append(line, `","Data":"`...)
		line = base64.StdEncoding.AppendEncode(line, payload)
		line = fmt.Appendf(line, `","PartitionKey":"T%03d","ShardId":"shardId-00000000000%d"}`+"\n", t, i%2)
		w.Write(line)
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
}
