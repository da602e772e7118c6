package input

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	fastbase64 "github.com/segmentio/asm/base64"
)

// slowRecord is the encoding/json reading of a line, the definition the
// scanner must agree with.
func slowRecord(line []byte) (Record, error) {
	var kr kinesisRecord
	if err := json.Unmarshal(line, &kr); err != nil {
		return Record{}, err
	}
	return kr.record()
}

var envelopeSeeds = []string{
	`{"SequenceNumber":"1","ApproximateArrivalTimestamp":"2026-01-05T10:00:01.250Z","Data":"eyJhIjoxfQ==","PartitionKey":"k","ShardId":"shardId-000000000001"}`,
	`{"ApproximateArrivalTimestamp":1700000000.25,"Data":"eA==","PartitionKey":"k2"}`,
	`{"ApproximateArrivalTimestamp":1700000001000,"Data":"eQ==","PartitionKey":"k3"}`,
	`{ "Data" : "eA==" , "ApproximateArrivalTimestamp" : "2026-01-05 10:00:01.5" , "EncryptionType": null, "n": -1.5e3 }`,
	`{"data":"eA==","ApproximateArrivalTimestamp":"2026-01-05T10:00:01Z"}`,
	`{"Data":"eA==","ApproximateArrivalTimestamp":"2026-01-05T10:00:01.123456789+05:30","SequenceNumber":null}`,
	`{"Data":"eA==","ApproximateArrivalTimestamp":"2026-02-29T10:00:01Z"}`,
	`{"Data":"eA==","ApproximateArrivalTimestamp":"2024-02-29T23:59:59.999-23:59"}`,
	`{"Data":"eA==","ApproximateArrivalTimestamp":"1969-12-31T23:59:59.999Z"}`,
	`{"Data":"eA==","ApproximateArrivalTimestamp":"0001-01-01T00:00:00Z","ShardId":""}`,
	`{"Data":"e\u0041==","ApproximateArrivalTimestamp":1}`,
	`{"Data":null,"ApproximateArrivalTimestamp":1,"Data":"eA=="}`,
	`{"Data":"eA==","ApproximateArrivalTimestamp":"2026-01-05T10:00:01.250Z","PartitionKey":"a","PartitionKey":"b"}`,
	`{"Data":"eA=","ApproximateArrivalTimestamp":1}`,
	`{"Data":"eA==","ApproximateArrivalTimestamp":1e400}`,
	`{"Data":"eA==","ApproximateArrivalTimestamp":"2026-01-05T24:00:00Z"}`,
	`{"Data":"eA==","ApproximateArrivalTimestamp":"2026-01-05T10:00:00.1234567890Z"}`,
	`{"Data":"eA==","ApproximateArrivalTimestamp":1} x`,
	`{"Data":"eA==","ApproximateArrivalTimestamp":01}`,
	`{"Data":"eA==","ApproximateArrivalTimestamp":-0.5,"X":{"a":[1]}}`,
	`{"Data":"","ApproximateArrivalTimestamp":"9999-12-31T23:59:59.999999999+00:00"}`,
	`{}`,
	`[]`,
}

// FuzzScanEnvelope: every line the single-pass scanner reads gives the
// record encoding/json gives.
func FuzzScanEnvelope(f *testing.F) {
	for _, s := range envelopeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		line = bytes.TrimSpace(line)
		var r reader
		var e envelope
		if !scanEnvelope(line, &e) {
			return
		}
		fast, ok := r.fastRecord(&e)
		if !ok {
			return
		}
		slow, err := slowRecord(line)
		if err != nil {
			t.Fatalf("%s: the scanner read %+v, encoding/json fails: %v", line, fast, err)
		}
		if !sameRecord(fast, slow) {
			t.Fatalf("%s:\nscanner       %+v\nencoding/json %+v", line, fast, slow)
		}
	})
}

func sameRecord(a, b Record) bool {
	return bytes.Equal(a.Data, b.Data) && a.Arrival == b.Arrival && a.PartitionKey == b.PartitionKey &&
		a.SequenceNumber == b.SequenceNumber && a.ShardID == b.ShardID
}

// TestScanEnvelopeAgrees runs the seeds and a grid of timestamps through
// both paths, and checks the usual line takes the scanner.
func TestScanEnvelopeAgrees(t *testing.T) {
	var lines []string
	lines = append(lines, envelopeSeeds...)
	for _, ts := range []string{"2026-01-05T10:00:01.250Z", "2026-01-05 10:00:01", "2026-01-05T10:00:01", "2026-01-05T10:00:01.5+01:00",
		"2026-13-05T10:00:01Z", "2026-04-31T10:00:01Z", "1900-02-29T00:00:00Z", "2000-02-29T00:00:00Z", "2026-01-05T10:00:60Z",
		"2026-01-05 10:00:01Z", "2026-01-05T10:00:01.Z", "2026-01-05T10:00:01+24:00", "2026-01-05t10:00:01Z", "-001-01-05T10:00:01Z"} {
		lines = append(lines, fmt.Sprintf(`{"Data":"eA==","ApproximateArrivalTimestamp":%q}`, ts))
	}
	fast := 0
	for _, l := range lines {
		var r reader
		var e envelope
		slow, err := slowRecord([]byte(l))
		if !scanEnvelope([]byte(l), &e) {
			continue
		}
		rec, ok := r.fastRecord(&e)
		if !ok {
			continue
		}
		fast++
		if err != nil || !sameRecord(rec, slow) {
			t.Errorf("%s:\nscanner       %+v\nencoding/json %+v %v", l, rec, slow, err)
		}
	}
	if fast < 15 {
		t.Errorf("only %d of %d lines took the scanner", fast, len(lines))
	}
	var r reader
	var e envelope
	if !scanEnvelope([]byte(envelopeSeeds[0]), &e) {
		t.Fatal("the recording shape does not take the scanner")
	}
	if _, ok := r.fastRecord(&e); !ok {
		t.Fatal("the recording shape does not take the fast path")
	}
}

// TestReaderDataSurvives: records handed out earlier keep their payloads
// while later lines are read (a record's bytes are its own).
func TestReaderDataSurvives(t *testing.T) {
	var src strings.Builder
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&src, `{"ApproximateArrivalTimestamp":%d,"Data":"%s","ShardId":"shardId-%d"}`+"\n", 1700000000000+i,
			b64(fmt.Sprintf(`{"i":%d,"pad":"%s"}`, i, strings.Repeat("x", i%300))), i%3)
	}
	recs, errs := readAll(t, src.String(), Options{})
	if len(errs) > 0 || len(recs) != 5000 {
		t.Fatalf("%d records, errors %v", len(recs), errs)
	}
	for i, r := range recs {
		if want := fmt.Sprintf(`{"i":%d,"pad":"%s"}`, i, strings.Repeat("x", i%300)); string(r.Data) != want || cap(r.Data) != len(r.Data) {
			t.Fatalf("record %d: %q", i, r.Data)
		}
	}
	if recs[0].ShardID != recs[3].ShardID || recs[0].ShardID != "shardId-0" {
		t.Errorf("shards %q %q", recs[0].ShardID, recs[3].ShardID)
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// FuzzParseTimestamp: the timestamp fast path gives parseArrival's time
// for every string it reads.
func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{"2026-01-05T10:00:01.250Z", "2026-01-05 10:00:01", "2024-02-29T23:59:59.999999999-23:59", "0000-03-01T00:00:00Z", "1969-12-31T23:59:59.5+00:30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ms, ok := parseTimestamp([]byte(s))
		if !ok {
			return
		}
		raw, _ := json.Marshal(s)
		want, err := parseArrivalSlow(raw)
		if got, gerr := parseArrival(raw); got != want || (gerr == nil) != (err == nil) {
			t.Fatalf("%q: parseArrival %d %v, without fast paths %d %v", s, got, gerr, want, err)
		}
		if err != nil || want != ms {
			t.Fatalf("%q: fast path %d, parseArrival %d %v", s, ms, want, err)
		}
	})
}

// An escaped quote in Data must not end the scanner's string: the line is
// not JSON, whatever a later Data says.
func TestScanEnvelopeEscapedQuoteInData(t *testing.T) {
	var e envelope
	if scanEnvelope([]byte(`{"Data":"x\","Data":"eA==","ApproximateArrivalTimestamp":1}`), &e) {
		t.Fatal("the scanner read a line encoding/json rejects")
	}
}

func TestScanEnvelopeDuplicateData(t *testing.T) {
	var e envelope
	if scanEnvelope([]byte("{\"Data\":\"x\x01\",\"Data\":\"eA==\",\"ApproximateArrivalTimestamp\":1}"), &e) {
		t.Fatal("the scanner read a line encoding/json rejects")
	}
}

// slowPayloadArrival is the encoding/json reading of an NDJSON payload's
// arrival field.
func slowPayloadArrival(line []byte, field string) (int64, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(line, &obj); err != nil {
		return 0, err
	}
	raw, ok := obj[field]
	if !ok {
		return 0, fmt.Errorf("no field")
	}
	return parseArrivalSlow(raw)
}

// FuzzPayloadArrival: the top-level field scan finds the arrival time
// encoding/json finds, wherever it takes a line.
func FuzzPayloadArrival(f *testing.F) {
	for _, s := range []string{`{"ts":"2026-01-05T10:00:01.250Z","a":1}`, `{"a":{"ts":1},"ts":1700000000.5}`, `{"ts":1,"ts":"2026-01-05 10:00:01"}`,
		`{"x":"a\"b","ts":"2026-01-05T10:00:01Z","y":[1,{"ts":2}]}`, `{"t\u0073":1,"ts":2}`, `[{"ts":1}]`, `{"ts":"2026-01-05T10:00:01Z"}{"ts":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		raw, isString, ok := topLevelField(line, "ts", false)
		if !ok {
			return
		}
		ms, ok := arrivalOf(raw, isString)
		if !ok {
			return
		}
		want, err := slowPayloadArrival(line, "ts")
		if err != nil || want != ms {
			t.Fatalf("%s: scan %d, encoding/json %d %v", line, ms, want, err)
		}
	})
}

// FuzzParseArrival: parseArrival with its fast paths reads every JSON
// value as parseArrivalSlow does (same time, same success).
func FuzzParseArrival(f *testing.F) {
	for _, s := range []string{`"2026-01-05T10:00:01.250Z"`, `1700000000.25`, `1700000001000`, `-0.5e3`, `1e400`, `"1700000000"`, `null`, `"2026-01-05 10:00:01"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) {
			return
		}
		got, gerr := parseArrival(raw)
		want, err := parseArrivalSlow(raw)
		if got != want || (gerr == nil) != (err == nil) {
			t.Fatalf("%s: parseArrival %d %v, without fast paths %d %v", raw, got, gerr, want, err)
		}
	})
}

// TestGetRecordsScanAgrees: get-records output read record by record by
// the scanner gives what decoding the whole document gives, and documents
// the scanner declines still read as before.
func TestGetRecordsScanAgrees(t *testing.T) {
	rec := func(i int, extra string) string {
		return fmt.Sprintf(`{"SequenceNumber":"%d","ApproximateArrivalTimestamp":%d.5,"Data":%q,"PartitionKey":"k%d"%s}`, i, 1700000000+i, b64(fmt.Sprintf(`{"i":%d}`, i)), i, extra)
	}
	docs := []struct {
		doc  string
		fast bool
	}{
		{`{"Records":[` + rec(1, "") + `,` + rec(2, `,"EncryptionType":"NONE"`) + "],\n" + `"NextShardIterator":"AAA","MillisBehindLatest":0}`, true},
		{"{\n  \"Records\": [\n    " + rec(1, "") + ",\n    " + rec(2, "") + "\n  ]\n}\n", true},
		{`{"Records":[]}`, true},
		{`{"Records":[` + rec(1, "") + `,{"ApproximateArrivalTimestamp":1,"Data":"!!"}]}`, true},
		{"{\n" + `"records":[` + rec(3, "") + `]}`, false},
		{`{"Records":[` + rec(1, "") + `],"Records":[` + rec(4, "") + `]}`, false},
		{`{"Records":[` + rec(1, `,"Nested":{"a":[1]}`) + `]}`, false},
		{`{"Records":null}`, false},
	}
	for _, d := range docs {
		if _, ok := scanRecordsArray([]byte(d.doc)); ok != d.fast {
			t.Errorf("%s: scanner takes it: %v, want %v", d.doc, ok, d.fast)
		}
		var whole struct{ Records []kinesisRecord }
		if err := json.Unmarshal([]byte(d.doc), &whole); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, kr := range whole.Records {
			r, err := kr.record()
			want = append(want, fmt.Sprintf("%q %d %q %q %q %v", r.Data, r.Arrival, r.PartitionKey, r.SequenceNumber, r.ShardID, err != nil))
		}
		recs, errs := readAll(t, d.doc, Options{})
		var got []string
		for _, r := range recs {
			got = append(got, fmt.Sprintf("%q %d %q %q %q %v", r.Data, r.Arrival, r.PartitionKey, r.SequenceNumber, r.ShardID, false))
		}
		for range errs {
			got = append(got, "error")
		}
		for i := range want {
			if strings.HasSuffix(want[i], "true") {
				want[i] = "error"
			}
		}
		sort.Strings(got)
		sort.Strings(want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s:\ngot  %v\nwant %v", d.doc, got, want)
		}
	}
}

// FuzzPayloadBase64: the envelope scanner's base64 decoder (segmentio/asm,
// AVX2 blocks then encoding/base64) never accepts what encoding/base64
// rejects, and gives the same bytes; where it fails the slow path decides
// with encoding/base64 alone.
func FuzzPayloadBase64(f *testing.F) {
	for _, s := range []string{"eyJhIjoxfQ==", strings.Repeat("QUJD", 20), strings.Repeat("QUJD", 12) + "QQ==",
		strings.Repeat("QUJD", 12) + "QQ=", strings.Repeat("QU!D", 12), strings.Repeat("QUJD", 11) + "QUJ\nD", strings.Repeat("/+9z", 16) + "=",
		strings.Repeat("A", 45), strings.Repeat("QUJD", 8) + "====" + strings.Repeat("QUJD", 8)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := base64.StdEncoding.DecodedLen(len(s))
		got := make([]byte, n)
		m, err := fastbase64.StdEncoding.Decode(got, []byte(s))
		if err != nil {
			return
		}
		want, werr := base64.StdEncoding.DecodeString(s)
		if werr != nil || !bytes.Equal(got[:m], want) {
			t.Fatalf("%q: fast %q, encoding/base64 %q %v", s, got[:m], want, werr)
		}
	})
}

// FuzzArrivalSecond: the reader's arrival, which reads a timestamp's date
// and time once a second, gives what arrivalOf gives for each of a run of
// timestamps.
func FuzzArrivalSecond(f *testing.F) {
	f.Add("2026-01-05T10:00:01.250Z", "2026-01-05T10:00:01.999Z", "2026-01-05T10:00:02Z")
	f.Add("2026-01-05 10:00:01.5", "2026-01-05T10:00:01.5+01:00", "2026-01-05 10:00:01.5Z")
	f.Add("2026-02-30T10:00:01Z", "2026-02-30T10:00:01.1Z", "2026-01-05T10:00:01")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		r := &reader{}
		for _, s := range []string{a, b, c, a} {
			got, gok := r.arrival([]byte(s), true)
			want, wok := arrivalOf([]byte(s), true)
			if got != want || gok != wok {
				t.Fatalf("%q after %q %q: %d %v, arrivalOf %d %v", s, a, b, got, gok, want, wok)
			}
		}
	})
}
