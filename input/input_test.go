package input

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/input/kpl"
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

// drain reads r as the engine does: a LineError is one bad line, skipped;
// io.EOF or any other error ends the source. It reports a reader that
// does not end within limit calls (one that repeats an error forever, or
// yields records without end) or whose line errors stop moving forward.
func drain(r Reader, limit int) error {
	lastLine := 0
	for i := 0; i < limit; i++ {
		_, err := r.Next()
		var le *LineError
		switch {
		case err == nil:
		case errors.As(err, &le):
			if le.Line != 0 && le.Line <= lastLine {
				return fmt.Errorf("call %d: line error at line %d after one at line %d: %v", i, le.Line, lastLine, err)
			}
			lastLine = max(lastLine, le.Line)
		default:
			return nil // EOF, or an error that ends the source
		}
	}
	return fmt.Errorf("no end after %d calls", limit)
}

// stuck is a reader that repeats one result forever.
type stuck struct{ err error }

func (s stuck) Next() (Record, error) { return Record{Data: []byte("x")}, s.err }
func (stuck) Close() error            { return nil }

func TestDrainCatchesAReaderThatNeverEnds(t *testing.T) {
	for _, r := range []Reader{stuck{&LineError{File: "f", Line: 3, Err: io.ErrUnexpectedEOF}},
		stuck{&LineError{File: "f", Line: 0, Err: io.ErrUnexpectedEOF}}, stuck{}} {
		if err := drain(r, 100); err == nil {
			t.Errorf("%+v: drained", r)
		}
	}
	if err := drain(stuck{io.ErrUnexpectedEOF}, 100); err != nil {
		t.Errorf("a non-line error ends the source: %v", err)
	}
}

// FuzzReader: any bytes either fail at NewReader or read to an end, each
// bad line reported once, in at most a call per byte (plus a few).
func FuzzReader(f *testing.F) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"ApproximateArrivalTimestamp":1,"Data":"eA=="}` + "\n"))
	zw.Close()
	agg := kpl.Aggregate([]kpl.UserRecord{{PartitionKey: "a", Data: []byte(`{"n":1}`)}, {PartitionKey: "b", Data: []byte(`{"n":2}`)}})
	for _, seed := range []struct {
		b    []byte
		mode uint8
	}{
		// Kinesis lines: epoch seconds, ISO time, a bad line, blank lines.
		{[]byte(`{"ApproximateArrivalTimestamp":1,"Data":"eA=="}`), 0},
		{[]byte(`{"SequenceNumber":"1","ApproximateArrivalTimestamp":"2026-01-05T10:00:01.250Z","Data":"eyJhIjoxfQ==","PartitionKey":"k"}` + "\n\nnot json\n" +
			`{"ApproximateArrivalTimestamp":1700000001000,"Data":"!!"}` + "\n"), 0},
		// A GetRecords document, one of its records broken.
		{[]byte(`{"Records":[{"Data":"x"},{"ApproximateArrivalTimestamp":1.5,"Data":"eQ=="}]}`), 0},
		// Plain payloads: a synthetic clock, an arrival field, concatenated documents.
		{[]byte("{\"v\":1}\n{\"v\":2}{\"v\":3}\n"), 0},
		{[]byte("{\"t\":\"2026-01-05 10:00:00.5\",\"v\":1}\n{\"t\":\"later\"}\n{\"t\":1767607201}\n"), 1},
		// gzip, truncated gzip, and a KPL-aggregated record.
		{gz.Bytes(), 0},
		{gz.Bytes()[:gz.Len()/2], 0},
		{[]byte(`{"ApproximateArrivalTimestamp":1,"Data":"` + base64.StdEncoding.EncodeToString(agg) + `"}`), 0},
	} {
		f.Add(seed.b, seed.mode)
	}
	f.Fuzz(func(t *testing.T, b []byte, mode uint8) {
		o := Options{Rate: 1}
		if mode%2 == 1 {
			o = Options{ArrivalField: "t"}
		}
		r, err := NewReader(bytes.NewReader(b), "f", o)
		if err != nil {
			return
		}
		if err := drain(r, 2*len(b)+16); err != nil {
			t.Fatal(err)
		}
	})
}

// TestUseArena: records read with an arena keep their bytes in it (none of
// their own), and the user records of an aggregated record that a later
// Next hands out do not: the caller may reuse the arena by then.
func TestUseArena(t *testing.T) {
	agg := kpl.Aggregate([]kpl.UserRecord{{PartitionKey: "a", Data: []byte(`{"n":1}`)}, {PartitionKey: "b", Data: []byte(`{"n":2}`)},
		{PartitionKey: "c", Data: []byte(`{"n":3}`)}})
	text := `{"SequenceNumber":"101","ApproximateArrivalTimestamp":1,"Data":"eyJhIjoxfQ==","PartitionKey":"k"}` + "\n" +
		`{"SequenceNumber":"102","ApproximateArrivalTimestamp":2,"Data":"` + base64.StdEncoding.EncodeToString(agg) + `"}` + "\n"
	r, err := NewReader(strings.NewReader(text), "f", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var a []byte
	if !UseArena(r, &a) {
		t.Fatal("the reader takes no arena")
	}
	first, err := r.Next()
	if err != nil || string(first.Data) != `{"a":1}` || first.SequenceNumber != "101" || first.PartitionKey != "k" {
		t.Fatalf("%+v %v", first, err)
	}
	user1, err := r.Next()
	if err != nil || string(user1.Data) != `{"n":1}` {
		t.Fatalf("%+v %v", user1, err)
	}
	dec := base64.StdEncoding.DecodedLen
	if got, want := len(a), dec(len("eyJhIjoxfQ=="))+len("101k")+dec(len(base64.StdEncoding.EncodeToString(agg)))+len("102"); got != want {
		t.Errorf("the arena holds %d bytes, want the two records' %d", got, want)
	}
	for i := range a { // the caller reuses the arena
		a[i] = '#'
	}
	a = a[:0]
	for _, want := range []string{`{"n":2}`, `{"n":3}`} {
		rec, err := r.Next()
		if err != nil || string(rec.Data) != want || rec.SequenceNumber != "102" {
			t.Fatalf("a queued user record after the arena's reuse: %+v %v, want %s", rec, err, want)
		}
	}
	UseArena(r, nil)
	if _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("want EOF, got %v", err)
	}
}
