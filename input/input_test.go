package input

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func readAll(t *testing.T, src string, o Options) ([]Record, []error) {
	t.Helper()
	r, err := NewReader(strings.NewReader(src), "rec.jsonl", o)
	if err != nil {
		t.Fatal(err)
	}
	var recs []Record
	var errs []error
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return recs, errs
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		recs = append(recs, rec)
	}
}

func TestKinesisLines(t *testing.T) {
	src := `{"SequenceNumber":"1","ApproximateArrivalTimestamp":"2026-01-05T10:00:01.250Z","Data":"eyJhIjoxfQ==","PartitionKey":"k","ShardId":"shardId-000000000001"}

{"ApproximateArrivalTimestamp":1700000000.25,"Data":"eA==","PartitionKey":"k2"}
not json
{"ApproximateArrivalTimestamp":1700000001000,"Data":"eQ==","PartitionKey":"k3"}
`
	recs, errs := readAll(t, src, Options{})
	if len(recs) != 3 || len(errs) != 1 {
		t.Fatalf("recs %d errs %v", len(recs), errs)
	}
	if string(recs[0].Data) != `{"a":1}` || recs[0].Arrival != 1767607201250 || recs[0].ShardID != "shardId-000000000001" || recs[0].SequenceNumber != "1" {
		t.Errorf("rec 0: %+v", recs[0])
	}
	if recs[1].Arrival != 1700000000250 || recs[1].ShardID != "shardId-000000000000" {
		t.Errorf("epoch seconds: %+v", recs[1])
	}
	if recs[2].Arrival != 1700000001000 {
		t.Errorf("epoch ms: %+v", recs[2])
	}
	var le *LineError
	if !errors.As(errs[0], &le) || le.Line != 4 || !strings.Contains(errs[0].Error(), "rec.jsonl:4:") {
		t.Errorf("line error: %v", errs[0])
	}
}

func TestGetRecordsOutputAndGzip(t *testing.T) {
	src := `{
    "Records": [
        {"SequenceNumber": "49", "ApproximateArrivalTimestamp": 1700000000.0, "Data": "eA==", "PartitionKey": "a"},
        {"SequenceNumber": "50", "ApproximateArrivalTimestamp": 1700000002.5, "Data": "eQ==", "PartitionKey": "b"}
    ],
    "NextShardIterator": "AAA"
}
`
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(src))
	w.Close()
	recs, errs := readAll(t, gz.String(), Options{})
	if len(errs) > 0 || len(recs) != 2 || recs[1].Arrival != 1700000002500 || string(recs[1].Data) != "y" {
		t.Fatalf("recs %+v errs %v", recs, errs)
	}
}

func TestPayloadLines(t *testing.T) {
	src := "{\"t\":\"2026-01-05 10:00:00.5\",\"v\":1}\n{\"t\":1767607201,\"v\":2}\n"
	recs, errs := readAll(t, src, Options{ArrivalField: "t"})
	if len(errs) > 0 || len(recs) != 2 || recs[0].Arrival != 1767607200500 || recs[1].Arrival != 1767607201000 {
		t.Fatalf("arrival field: %+v %v", recs, errs)
	}
	start := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	recs, _ = readAll(t, "{\"v\":1}\n{\"v\":2}\n{\"v\":3}\n", Options{Rate: 4, Start: start})
	if len(recs) != 3 || recs[2].Arrival != start.UnixMilli()+500 {
		t.Fatalf("rate: %+v", recs)
	}
	if _, err := NewReader(strings.NewReader("{\"v\":1}\n"), "p.ndjson", Options{}); err == nil || !strings.Contains(err.Error(), "--arrival-field") {
		t.Fatalf("no clock: %v", err)
	}
}

func TestWriterRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	in := []Record{{Data: []byte("hello"), Arrival: 1767607200123, PartitionKey: "p", SequenceNumber: "7", ShardID: "shardId-000000000003"}}
	for _, r := range in {
		w.Write(r)
	}
	w.Flush()
	recs, errs := readAll(t, buf.String(), Options{})
	if len(errs) > 0 || len(recs) != 1 || string(recs[0].Data) != "hello" || recs[0].Arrival != in[0].Arrival || recs[0].ShardID != in[0].ShardID {
		t.Fatalf("%+v %v", recs, errs)
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte(`{"ApproximateArrivalTimestamp":1,"Data":"eA=="}`))
	f.Add([]byte(`{"Records":[{"Data":"x"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewReader(bytes.NewReader(b), "f", Options{Rate: 1})
		if err != nil {
			return
		}
		for i := 0; i < 1000; i++ {
			if _, err := r.Next(); errors.Is(err, io.EOF) {
				return
			}
		}
	})
}
