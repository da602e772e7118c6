package observe

import (
	"maps"
	"slices"
	"strings"
)

// latest is the run's snapshot: the whole application's, or the parts'
// latest ones as one (h.mu held). The parts' counts add up, their
// operators are listed part after part, the run's time bound is the
// earliest part's, the run is final once every part is, and the latest
// rows of a stream (and of error_stream) are the latest of all parts'.
func (h *Hub) latest() *Snapshot {
	if len(h.snaps) <= 1 {
		for _, s := range h.snaps {
			return s
		}
		return nil
	}
	m := &Snapshot{Streams: map[string][]string{}, Final: true}
	for _, part := range slices.Sorted(maps.Keys(h.snaps)) {
		s := h.snaps[part]
		if s.At.After(m.At) {
			m.At = s.At
		}
		m.Stats.Add(s.Stats)
		m.Operators = append(m.Operators, s.Operators...)
		m.Outputs = append(m.Outputs, s.Outputs...)
		if s.Watermark > 0 && (m.Watermark == 0 || s.Watermark < m.Watermark) {
			m.Watermark = s.Watermark
		}
		m.Final = m.Final && s.Final
		for stream, rows := range s.Streams {
			m.Streams[stream] = append(m.Streams[stream], rows...)
		}
		m.Errors = append(m.Errors, s.Errors...)
	}
	for stream, rows := range m.Streams {
		m.Streams[stream] = lastRows(rows, h.o.Rows)
	}
	m.Errors = lastRows(m.Errors, h.o.Rows)
	return m
}

// lastRows keeps the n latest of rows gathered from several parts, oldest
// first. Every rendered row starts with its ROWTIME in a fixed-width
// layout (ring.render), so the text orders them by time.
func lastRows(rows []string, n int) []string {
	slices.SortStableFunc(rows, func(a, b string) int { return strings.Compare(rowtimeOf(a), rowtimeOf(b)) })
	return rows[max(0, len(rows)-n):]
}

// rowtimeOf is the ROWTIME prefix of a rendered row.
func rowtimeOf(row string) string {
	const prefix = len(`{"ROWTIME":"2006-01-02 15:04:05.000"`)
	return row[:min(prefix, len(row))]
}
