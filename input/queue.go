package input

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"

	"github.com/streamsql/streamsql/input/kpl"
)

// dequeue hands out a record left from the last line.
func (r *reader) dequeue() (Record, bool) {
	if len(r.queue) == 0 {
		return Record{}, false
	}
	rec := r.queue[0]
	r.queue = r.queue[1:]
	return rec, true
}

// expand turns a KPL-aggregated record into its user records (the first
// returned, the rest queued), as the live source does, so a replay of
// captured raw records feeds the same rows as the live run. Other records
// come back as they are.
func (r *reader) expand(rec Record) Record {
	users, ok, err := kpl.Deaggregate(rec.Data)
	if !ok || err != nil || len(users) == 0 {
		return rec
	}
	for _, u := range users[1:] {
		q := rec
		q.Data, q.PartitionKey = u.Data, u.PartitionKey
		if r.arena != nil {
			// A later Next hands it out, maybe once the arena it was
			// read into is reused (UseArena).
			q.Data, q.SequenceNumber = bytes.Clone(q.Data), strings.Clone(q.SequenceNumber)
		}
		r.queue = append(r.queue, q)
	}
	rec.Data, rec.PartitionKey = users[0].Data, users[0].PartitionKey
	return rec
}

// splitDocuments splits a line holding several JSON documents one after
// another ({"a":1}{"a":2}, the way Firehose concatenates records into an
// S3 object when they carry no newline). A line that is one document, or
// not JSON, comes back whole.
func splitDocuments(line []byte) [][]byte {
	if len(line) == 0 || (line[0] != '{' && line[0] != '[') {
		return [][]byte{line}
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	var docs [][]byte
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if err == io.EOF {
			break
		}
		if err != nil {
			return [][]byte{line}
		}
		docs = append(docs, append([]byte(nil), raw...))
	}
	if len(docs) == 0 {
		return [][]byte{line}
	}
	return docs
}

// payloads gives each document of a line its arrival time, as separate
// records: the first is returned, the rest queued. A document that fails
// (no arrival field) is a LineError; the others still come.
func (r *reader) payloads(docs [][]byte) (Record, error) {
	var first error
	var out []Record
	for _, d := range docs {
		rec, err := r.parse(d, true) // a document json.Decoder read whole
		if err != nil {
			if first == nil {
				first = &LineError{File: r.name, Line: r.line, Err: err}
			}
			continue
		}
		r.n++
		out = append(out, rec)
	}
	if len(out) == 0 {
		return Record{}, first
	}
	r.queue = append(r.queue, out[1:]...)
	if first != nil {
		// Report the bad document now; the good ones follow from the queue.
		r.queue = append([]Record{out[0]}, r.queue...)
		return Record{}, first
	}
	return out[0], nil
}
