// Package input reads recordings: Kinesis records as JSON Lines (the shape
// the Kinesis API returns), `aws kinesis get-records` output, or plain
// NDJSON payloads with arrival times from a field or a synthetic clock.
// Gzip files are read transparently.
package input

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/streamsql/streamsql/internal/jsonscan"
)

// Record is one Kinesis record.
type Record struct {
	Data           []byte
	Arrival        int64 // ApproximateArrivalTimestamp, ms since the epoch (UTC)
	PartitionKey   string
	SequenceNumber string
	ShardID        string
}

// Options give arrival times to plain NDJSON payload files.
type Options struct {
	ArrivalField string
	Rate         float64   // records per second
	Start        time.Time // zero: 1970-01-01 00:00:00 UTC
}

// ParseTime reads a time as the command line and case files give one:
// RFC 3339, or yyyy-MM-dd[ HH:mm:ss[.SSS]] in UTC.
func ParseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.000", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a time (RFC 3339 or yyyy-MM-dd HH:mm:ss)", s)
}

// start is the synthetic clock's first arrival, in epoch milliseconds.
func (o Options) start() int64 {
	if o.Start.IsZero() {
		return 0 // the epoch, as documented, not Go's year 1
	}
	return o.Start.UnixMilli()
}

// Reader yields records; Next returns io.EOF at the end. A *LineError is
// one bad line: the next call continues after it.
type Reader interface {
	Next() (Record, error)
	Close() error
}

// LineError is a line that could not be read as a record.
type LineError struct {
	File string
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// Open opens a recording; "-" is standard input.
func Open(path string, o Options) (Reader, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return openDir(path, o) // dir.go
	}
	var f *os.File
	if path == "-" {
		f = os.Stdin
	} else {
		var err error
		if f, err = os.Open(path); err != nil {
			return nil, err
		}
	}
	cr := &countingReader{r: f}
	r, err := NewReader(cr, path, o)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.(*reader).closer = f
	r.(*reader).counted = cr
	return r, nil
}

type format int

const (
	kinesisLines format = iota
	getRecords
	payloadLines
)

type reader struct {
	name    string
	br      *bufio.Reader
	closer  io.Closer
	o       Options
	format  format
	line    int
	n       int // records yielded (synthetic clock)
	pending []kinesisRecord
	raws    [][]byte // get-records output the scanner reads: each record's object
	first   []byte   // first line, read during detection
	queue   []Record // records still to hand out from the last line (queue.go)
	long    []byte   // a line longer than the read buffer
	env     envelope // scan.go
	shards  map[string]string
	counted *countingReader // the file's bytes read so far (Open)
	arena   *[]byte         // UseArena
	second  struct {        // the last arrival timestamp's date and time (arrival)
		text [19]byte
		secs int64
		ok   bool
	}
}

// UseArena makes r put the bytes the records it reads next own (payload,
// sequence number, partition key) at the end of *a, growing it as needed,
// instead of in an allocation per record; nil stops that. Such a record is
// valid as long as the caller leaves *a's bytes alone: the engine's
// parallel replay gives each chunk of records an arena and reuses it once
// the chunk's records are through, so a replay allocates (and the garbage
// collector sweeps) nearly nothing per record. False means r cannot: its
// records keep allocations of their own.
func UseArena(r Reader, a *[]byte) bool {
	rd, ok := r.(*reader)
	if ok {
		rd.arena = a
	}
	return ok
}

// countingReader counts the bytes read from a file, for progress: read
// from any goroutine while the reader's own reads it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// BytesRead is how much of the file the reader has read (buffered ahead
// of the records handed out by up to a megabyte; compressed bytes for a
// gzip file), for progress against the file's size; safe from any
// goroutine.
func (r *reader) BytesRead() int64 {
	if r.counted == nil {
		return 0
	}
	return r.counted.n.Load()
}

// kinesisRecord is the Kinesis API's record shape.
type kinesisRecord struct {
	SequenceNumber              string          `json:"SequenceNumber"`
	ApproximateArrivalTimestamp json.RawMessage `json:"ApproximateArrivalTimestamp"`
	Data                        *string         `json:"Data"`
	PartitionKey                string          `json:"PartitionKey"`
	ShardID                     string          `json:"ShardId"`
}

// NewReader reads a recording from r; name is used in messages.
func NewReader(r io.Reader, name string, o Options) (Reader, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		br = bufio.NewReaderSize(gz, 1<<20)
	}
	rd := &reader{name: name, br: br, o: o}
	// Detect the format from the first non-blank line.
	for {
		line, err := rd.readLine()
		if len(bytes.TrimSpace(line)) > 0 {
			rd.first = append([]byte(nil), line...)
			break
		}
		if err != nil {
			rd.format = kinesisLines
			return rd, nil
		}
	}
	trimmed := bytes.TrimSpace(rd.first)
	var probe map[string]json.RawMessage
	switch {
	case bytes.HasPrefix(trimmed, []byte("{")) && json.Unmarshal(trimmed, &probe) == nil && probe["Data"] != nil:
		rd.format = kinesisLines
	case bytes.HasPrefix(trimmed, []byte("{")) && (probe == nil || probe["Records"] != nil) && bytes.Contains(trimmed, []byte(`"Records"`)) || (probe == nil && bytes.Equal(trimmed, []byte("{"))):
		rest, err := io.ReadAll(br)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		whole := append(rd.first, rest...)
		if raws, ok := scanRecordsArray(whole); ok { // scan.go
			rd.format, rd.raws, rd.first = getRecords, raws, nil
			break
		}
		var doc struct{ Records []kinesisRecord }
		if err := json.Unmarshal(whole, &doc); err != nil {
			return nil, fmt.Errorf("%s: not a recording: %w", name, err)
		}
		rd.format, rd.pending, rd.first = getRecords, doc.Records, nil
	default:
		if o.ArrivalField == "" && o.Rate <= 0 {
			return nil, fmt.Errorf("%s: the lines are plain payloads without Kinesis metadata; give their arrival times with --arrival-field FIELD or --rate N (records per second)", name)
		}
		rd.format = payloadLines
	}
	return rd, nil
}

// readLine returns the next line, valid until the next call.
func (r *reader) readLine() ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		r.long = append(r.long[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = r.br.ReadSlice('\n')
			r.long = append(r.long, line...)
		}
		line = r.long
	}
	if len(line) > 0 || err == nil {
		r.line++
	}
	return line, err
}

func (r *reader) Close() error {
	if r.closer != nil && r.closer != os.Stdin {
		return r.closer.Close()
	}
	return nil
}

func (r *reader) Next() (Record, error) {
	if rec, ok := r.dequeue(); ok {
		return rec, nil
	}
	if r.format == getRecords {
		var rec Record
		var err error
		switch {
		case len(r.raws) > 0:
			rec, err = r.parseKinesis(r.raws[0])
			r.raws = r.raws[1:]
		case len(r.pending) > 0:
			rec, err = r.pending[0].record()
			r.pending = r.pending[1:]
		default:
			return Record{}, io.EOF
		}
		if err != nil {
			return Record{}, &LineError{File: r.name, Line: 0, Err: err}
		}
		return r.expand(rec), nil
	}
	for {
		var line []byte
		var err error
		if r.first != nil {
			line, r.first = r.first, nil
		} else {
			line, err = r.readLine()
		}
		if err != nil && !errors.Is(err, io.EOF) {
			// A recording that cannot be read to its end (a gzip file cut
			// short: unexpected EOF) fails; its last, partial line is not a
			// record.
			return Record{}, fmt.Errorf("%s: line %d: %w (the recording is cut short or unreadable)", r.name, r.line, err)
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			if err != nil {
				if errors.Is(err, io.EOF) {
					return Record{}, io.EOF
				}
				return Record{}, err
			}
			continue
		}
		valid := false
		if r.format == payloadLines {
			// One valid document is not several; only an invalid line is split.
			if valid = jsonscan.Valid(line); !valid {
				if docs := splitDocuments(line); len(docs) > 1 {
					return r.payloads(docs)
				}
			}
		}
		rec, perr := r.parse(line, valid)
		if perr != nil {
			return Record{}, &LineError{File: r.name, Line: r.line, Err: perr}
		}
		r.n++
		return r.expand(rec), nil
	}
}

// parse reads one line (or document); valid says jsonscan.Valid(line) holds.
func (r *reader) parse(line []byte, valid bool) (Record, error) {
	if r.format == payloadLines {
		rec := Record{Data: append([]byte(nil), line...)}
		if r.o.ArrivalField != "" {
			if raw, isString, ok := topLevelField(line, r.o.ArrivalField, valid); ok { // scan.go
				if ms, ok := arrivalOf(raw, isString); ok {
					rec.Arrival = ms
					return rec, nil
				}
			}
			var obj map[string]json.RawMessage
			if err := json.Unmarshal(line, &obj); err != nil {
				return Record{}, fmt.Errorf("not a JSON object: %v", err)
			}
			raw, ok := obj[r.o.ArrivalField]
			if !ok {
				return Record{}, fmt.Errorf("no field %q for the arrival time", r.o.ArrivalField)
			}
			ms, err := parseArrival(raw)
			if err != nil {
				return Record{}, err
			}
			rec.Arrival = ms
		} else {
			rec.Arrival = r.o.start() + int64(math.Round(float64(r.n)*1000/r.o.Rate))
		}
		return rec, nil
	}
	return r.parseKinesis(line)
}

// parseKinesis reads one Kinesis record object: the scanner's way when it
// can, else encoding/json's.
func (r *reader) parseKinesis(line []byte) (Record, error) {
	if scanEnvelope(line, &r.env) {
		if rec, ok := r.fastRecord(&r.env); ok {
			return rec, nil
		}
	}
	var kr kinesisRecord
	if err := json.Unmarshal(line, &kr); err != nil {
		return Record{}, fmt.Errorf("not a Kinesis record: %v", err)
	}
	return kr.record()
}

func (kr kinesisRecord) record() (Record, error) {
	if kr.Data == nil {
		return Record{}, errors.New("record has no Data")
	}
	data, err := base64.StdEncoding.DecodeString(*kr.Data)
	if err != nil {
		return Record{}, fmt.Errorf("Data is not base64: %v", err)
	}
	if kr.ApproximateArrivalTimestamp == nil {
		return Record{}, errors.New("record has no ApproximateArrivalTimestamp")
	}
	ms, err := parseArrival(kr.ApproximateArrivalTimestamp)
	if err != nil {
		return Record{}, err
	}
	shard := kr.ShardID
	if shard == "" {
		shard = "shardId-000000000000"
	}
	return Record{Data: data, Arrival: ms, PartitionKey: kr.PartitionKey, SequenceNumber: kr.SequenceNumber, ShardID: shard}, nil
}

// parseArrival reads a timestamp string (RFC 3339 or yyyy-MM-dd HH:mm:ss)
// or an epoch number: seconds (possibly fractional) below 1e11, else ms.
func parseArrival(raw json.RawMessage) (int64, error) {
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		if ms, ok := parseTimestamp(raw[1 : n-1]); ok { // scan.go
			return ms, nil
		}
	} else if n > 0 && (raw[0] == '-' || '0' <= raw[0] && raw[0] <= '9') && scanNumber(raw, 0) == n {
		if ms, ok := arrivalOf(raw, false); ok {
			return ms, nil
		}
	}
	return parseArrivalSlow(raw)
}

// parseArrivalSlow is parseArrival without the fast paths: their
// definition (FuzzParseTimestamp).
func parseArrivalSlow(raw json.RawMessage) (int64, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UnixMilli(), nil
			}
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return epoch(f), nil
		}
		return 0, fmt.Errorf("cannot read arrival time %q", s)
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return 0, fmt.Errorf("cannot read arrival time %s", raw)
	}
	return epoch(f), nil
}

func epoch(f float64) int64 {
	if math.Abs(f) < 1e11 {
		return int64(math.Round(f * 1000))
	}
	return int64(math.Round(f))
}

// Writer writes records in the canonical recording shape.
type Writer struct {
	w   *bufio.Writer
	buf []byte
}

// NewWriter writes a recording to w; call Flush at the end.
func NewWriter(w io.Writer) *Writer { return &Writer{w: bufio.NewWriter(w)} }

// Write appends one record line.
func (w *Writer) Write(r Record) error {
	line, err := json.Marshal(struct {
		SequenceNumber              string `json:"SequenceNumber,omitempty"`
		ApproximateArrivalTimestamp string `json:"ApproximateArrivalTimestamp"`
		Data                        []byte `json:"Data"`
		PartitionKey                string `json:"PartitionKey"`
		ShardID                     string `json:"ShardId,omitempty"`
	}{r.SequenceNumber, time.UnixMilli(r.Arrival).UTC().Format("2006-01-02T15:04:05.000Z"), r.Data, r.PartitionKey, r.ShardID})
	if err != nil {
		return err
	}
	w.w.Write(line)
	return w.w.WriteByte('\n')
}

// Flush writes buffered lines out.
func (w *Writer) Flush() error { return w.w.Flush() }
