package observe

import (
	"time"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/sink"
	"github.com/streamsql/streamsql/value"
)

// ring keeps the latest rows of a stream (engine goroutine only); render
// turns them into JSON objects for a snapshot.
type ring struct {
	cols     []sink.Column
	rows     [][]value.Value
	times    []int64
	next     int
	full     bool
	changed  bool
	rendered []string // oldest first; replaced, never modified, once published
}

func newRing(n int, cols []sink.Column) *ring {
	return &ring{cols: cols, rows: make([][]value.Value, n), times: make([]int64, n)}
}

// add copies a row in (its values: the batch is reused after the push).
func (r *ring) add(t int64, row []value.Value) {
	dst := r.rows[r.next][:0]
	r.rows[r.next] = append(dst, row[:min(len(row), len(r.cols))]...)
	r.times[r.next] = t
	r.next++
	if r.next == len(r.rows) {
		r.next, r.full = 0, true
	}
	r.changed = true
}

func (r *ring) render() {
	var out []string
	var buf, row []byte
	emit := func(i int) {
		buf = append(buf[:0], `{"ROWTIME":`...)
		buf = value.AppendJSONString(buf, time.UnixMilli(r.times[i]).UTC().Format("2006-01-02 15:04:05.000"))
		row = sink.AppendRow(row[:0], sink.NDJSON, r.rows[i], r.cols)
		if len(row) > 2 {
			buf = append(buf, ',')
			buf = append(buf, row[1:]...)
		} else {
			buf = append(buf, '}')
		}
		out = append(out, string(buf))
	}
	if r.full {
		for i := r.next; i < len(r.rows); i++ {
			emit(i)
		}
	}
	for i := 0; i < r.next; i++ {
		emit(i)
	}
	r.rendered, r.changed = out, false
}

// tap is an extra reader of one in-application stream: it keeps the
// stream's latest rows (only the last ones of each batch are copied).
type tap struct {
	stream string
	ring   *ring
}

func (t *tap) Push(b *operators.Batch) {
	n := b.Len()
	for i := max(0, n-len(t.ring.rows)); i < n; i++ {
		t.ring.add(b.Times[i], b.Row(i))
	}
}

func (t *tap) Advance(int64) {}
