package observe

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/streamsql/streamsql/plan"
)

// View is a snapshot as the console reads it (/api/snapshot, and each
// server-sent event on /events).
type View struct {
	Final       bool                `json:"final"`
	Watermark   string              `json:"watermark,omitempty"`
	Elapsed     float64             `json:"elapsedSeconds"`
	RecordsIn   int64               `json:"recordsIn"`
	Inputs      []InputView         `json:"inputs"`
	Shards      []ShardView         `json:"shards"`
	Operators   []OperatorStats     `json:"operators"`
	Outputs     []OutputView        `json:"outputs"`
	StreamRows  map[string]int64    `json:"streamRows"`
	Streams     map[string][]string `json:"streams"`
	ErrorCounts map[string]int64    `json:"errorCounts"`
	Errors      []string            `json:"errors"`
	Late        int64               `json:"lateRows"`
}

// InputView is one input's figures.
type InputView struct {
	Name    string `json:"name"`
	Records int64  `json:"records"`
	Bytes   int64  `json:"bytes"`
	Failed  int64  `json:"failed"`
}

// ShardView is one Kinesis shard of an input: read live, or replayed
// (Replay: only the records and bytes mean something).
type ShardView struct {
	Input        string `json:"input"`
	ID           string `json:"id"`
	Replay       bool   `json:"replay,omitempty"`
	Records      int64  `json:"records"`
	Bytes        int64  `json:"bytes"`
	BehindMillis int64  `json:"behindMillis"`
	IterAgeMs    int64  `json:"iteratorAgeMillis"`
	Throttles    int64  `json:"throttles"`
	LastReadAgo  string `json:"lastReadAgo"`
	Open         bool   `json:"open"`
}

// OutputView is one output's delivery state.
type OutputView struct {
	Stream      string `json:"stream"`
	Destination string `json:"destination"`
	Delivered   int64  `json:"delivered"`
	Pending     int64  `json:"pending"`
	Calls       int64  `json:"calls"`
	Failed      int64  `json:"failed"`
	Retried     int64  `json:"retried"`
	Error       string `json:"error,omitempty"`
}

func (h *Hub) view(s *Snapshot) View {
	v := View{Streams: map[string][]string{}, StreamRows: map[string]int64{}, ErrorCounts: map[string]int64{}}
	for _, w := range h.watchedSources() {
		for _, sh := range w.src.Shards() {
			sv := ShardView{Input: w.input, ID: sh.ID, Records: sh.Records, Bytes: sh.Bytes, BehindMillis: sh.MillisBehindLatest, IterAgeMs: sh.IteratorAgeMillis, Throttles: sh.Throttles, Open: sh.Open}
			if !sh.LastRead.IsZero() {
				sv.LastReadAgo = time.Since(sh.LastRead).Round(time.Millisecond).String()
			}
			v.Shards = append(v.Shards, sv)
		}
	}
	if s == nil {
		return v
	}
	st := s.Stats
	v.Final, v.RecordsIn, v.Elapsed, v.Late = s.Final, st.RecordsIn, st.ElapsedTime.Seconds(), st.LateRows
	if s.Watermark > 0 {
		v.Watermark = time.UnixMilli(s.Watermark).UTC().Format("2006-01-02 15:04:05.000")
	}
	for _, in := range st.Inputs {
		v.Inputs = append(v.Inputs, InputView{in.Name, in.Records, in.Bytes, in.Failed})
		for _, sh := range in.Shards {
			v.Shards = append(v.Shards, ShardView{Input: in.Name, ID: sh.ID, Replay: true, Records: sh.Records, Bytes: sh.Bytes})
		}
	}
	v.Operators = s.Operators
	for _, o := range mergeOutputs(s.Outputs) {
		ov := OutputView{Stream: o.Stream, Destination: o.Destination, Delivered: o.Status.Delivered, Pending: o.Status.Pending,
			Calls: o.Status.Calls, Failed: o.Status.Failed, Retried: o.Status.Retried}
		if o.Status.Err != nil {
			ov.Error = o.Status.Err.Error()
		}
		v.Outputs = append(v.Outputs, ov)
	}
	v.StreamRows, v.Streams, v.Errors = st.RowsOut, s.Streams, s.Errors
	if st.Errors != nil {
		v.ErrorCounts = st.Errors
	}
	return v
}

// broadcast sends a snapshot to every open event stream; a slow reader
// misses snapshots instead of holding the engine back.
func (h *Hub) broadcast(s *Snapshot) {
	h.mu.Lock()
	n := len(h.subs)
	h.mu.Unlock()
	if n == 0 {
		return
	}
	data, err := json.Marshal(h.view(s))
	if err != nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.subs {
		select {
		case c <- data:
		default:
		}
	}
}

// serveEvents streams snapshots as server-sent events ("snapshot" events
// carrying a View), starting with the latest.
func (h *Hub) serveEvents(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	c := make(chan []byte, 4)
	h.mu.Lock()
	h.subs[c] = struct{}{}
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.subs, c)
		h.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	first, _ := json.Marshal(h.view(h.Latest()))
	fmt.Fprintf(w, "event: snapshot\ndata: %s\n\n", first)
	fl.Flush()
	keep := time.NewTicker(15 * time.Second)
	defer keep.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case data := <-c:
			fmt.Fprintf(w, "event: snapshot\ndata: %s\n\n", data)
		case <-keep.C:
			fmt.Fprint(w, ": keep-alive\n\n")
		}
		fl.Flush()
	}
}

// GraphView is the application's shape for the console: streams, tables
// and pumps, and which pump reads and writes which stream.
type GraphView struct {
	Streams []StreamView `json:"streams"`
	Tables  []string     `json:"tables"`
	Pumps   []PumpView   `json:"pumps"`
}

// StreamView is one in-application stream.
type StreamView struct {
	Name    string   `json:"name"`
	Source  bool     `json:"source"`
	Input   int      `json:"input"` // the application input feeding a source stream
	Columns []string `json:"columns"`
}

// PumpView is one pump: what it reads and writes, and its operators (by
// their running names, "PUMP/kind").
type PumpView struct {
	Name   string   `json:"name"`
	Reads  []string `json:"reads"`
	Target string   `json:"target"`
	Plan   string   `json:"plan"`
}

func graphView(g *plan.Graph) *GraphView {
	gv := &GraphView{}
	for _, s := range g.Catalog.Streams() {
		sv := StreamView{Name: s.Name, Source: s.Source, Input: s.Input}
		for _, c := range s.Visible() {
			sv.Columns = append(sv.Columns, c.Name+" "+c.Type.String())
		}
		gv.Streams = append(gv.Streams, sv)
	}
	for _, t := range g.Catalog.Tables() {
		gv.Tables = append(gv.Tables, t.Name)
	}
	for _, p := range g.Pumps {
		gv.Pumps = append(gv.Pumps, PumpView{Name: p.Name, Reads: p.Reads, Target: p.Target.Name, Plan: p.Describe()})
	}
	return gv
}
