package input

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/input/kpl"
)

// Firehose objects: JSON documents concatenated without newlines, or one
// per line, gzip or not, in a folder laid out as `aws s3 sync` leaves it.
func TestFirehoseObjectsFolder(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte, gz bool) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if gz {
			var b bytes.Buffer
			w := gzip.NewWriter(&b)
			w.Write(data)
			w.Close()
			data = b.Bytes()
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("2026/01/05/10/news-1-2026-01-05-10-00-00-a", []byte(`{"T":"2026-01-05 10:00:01","N":1}{"T":"2026-01-05 10:00:02","N":2}`), false)
	write("2026/01/05/10/news-1-2026-01-05-10-05-00-b.gz", []byte("{\"T\":\"2026-01-05 10:05:01\",\"N\":3}\n{\"T\":\"2026-01-05 10:05:02\",\"N\":4}\n"), true)
	write("2026/01/05/11/news-1-2026-01-05-11-00-00-c", []byte(`{"T":"2026-01-05 11:00:00","N":5}`), false)
	write(".hidden", []byte("junk"), false)
	r, err := Open(dir, Options{ArrivalField: "T"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got []string
	var arrivals []int64
	for {
		rec, err := r.Next()
		if err != nil {
			break
		}
		got = append(got, string(rec.Data))
		arrivals = append(arrivals, rec.Arrival)
	}
	if len(got) != 5 || !strings.Contains(got[1], `"N":2`) || !strings.Contains(got[4], `"N":5`) {
		t.Fatalf("records %q", got)
	}
	want := time.Date(2026, 1, 5, 10, 0, 2, 0, time.UTC).UnixMilli()
	if arrivals[1] != want {
		t.Fatalf("arrival %d, want %d", arrivals[1], want)
	}
}

// Concatenated documents on a synthetic clock: each one its own tick.
func TestConcatenatedWithRate(t *testing.T) {
	recs, errs := readAll(t, `{"a":1}{"a":2} {"a":3}`+"\n"+`{"a":4}`+"\n", Options{Rate: 10, Start: time.Unix(0, 0)})
	if len(errs) != 0 || len(recs) != 4 {
		t.Fatalf("%d records, errors %v", len(recs), errs)
	}
	if recs[2].Arrival != 200 || recs[3].Arrival != 300 || string(recs[2].Data) != `{"a":3}` {
		t.Fatalf("%+v", recs)
	}
}

// A KPL-aggregated record in a recording (as `aws kinesis get-records`
// prints it) is replayed as its user records, as the live source reads it.
func TestAggregatedInGetRecordsOutput(t *testing.T) {
	agg := kpl.Aggregate([]kpl.UserRecord{{PartitionKey: "a", Data: []byte(`{"n":1}`)}, {PartitionKey: "b", Data: []byte(`{"n":2}`)}})
	var b strings.Builder
	w := NewWriter(&b)
	w.Write(Record{Data: agg, Arrival: 1000, PartitionKey: "outer", SequenceNumber: "7", ShardID: "shardId-000000000000"})
	w.Write(Record{Data: []byte(`{"n":3}`), Arrival: 2000, PartitionKey: "c"})
	w.Flush()
	recs, errs := readAll(t, b.String(), Options{})
	if len(errs) != 0 || len(recs) != 3 || string(recs[1].Data) != `{"n":2}` || recs[1].PartitionKey != "b" || recs[1].SequenceNumber != "7" || recs[1].Arrival != 1000 {
		t.Fatalf("%+v %v", recs, errs)
	}
	doc := `{"Records":[{"SequenceNumber":"9","ApproximateArrivalTimestamp":1.5,"Data":"` + base64.StdEncoding.EncodeToString(agg) + `","PartitionKey":"o"}],"NextShardIterator":"x","MillisBehindLatest":0}`
	recs, errs = readAll(t, doc, Options{})
	if len(errs) != 0 || len(recs) != 2 || recs[0].PartitionKey != "a" || recs[1].Arrival != 1500 {
		t.Fatalf("get-records: %+v %v", recs, errs)
	}
}
