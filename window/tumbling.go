package window

import (
	"fmt"

	"github.com/streamsql/streamsql/eval"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

// TumblingConfig describes a streaming GROUP BY.
type TumblingConfig struct {
	// Keys are the group key expressions, in GROUP BY order.
	Keys []eval.Func
	// TimeKey is the index in Keys of the monotonic (window) key.
	TimeKey int
	// KeyAt evaluates the time key for a bare ROWTIME bound; nil when the
	// key is not a function of ROWTIME (MONOTONIC(col)).
	KeyAt func(t int64) value.Value
	// WindowEnd is the ROWTIME of the rows emitted for window k; nil when
	// KeyAt is nil (the closing row's or bound's ROWTIME is used).
	WindowEnd func(k value.Value) int64
	Aggs      []AggSpec
	Errors    operators.ErrorSink
	Pump      string
	// EventKeys are the indexes in Keys of event-time buckets (a TIMESTAMP
	// key computed from columns, as in GROUP BY STEP(ROWTIME ...),
	// FLOOR(EVENT_TIME TO MINUTE)). A row whose event-time bucket is at or
	// before one already emitted is still aggregated, as KDA does (it
	// makes an extra row in a later window), and counted by LateEvents.
	EventKeys []int
}

// Tumbling is the operator: rows in, one row per group per window out.
type Tumbling struct {
	cfg  TumblingConfig
	out  *operators.Emitter
	ctx  eval.Ctx
	wins []*win // open windows in key order
	// closed is the key of the last window emitted (for late rows).
	closed    value.Value
	hasClosed bool
	late      int64
	lateEvent int64
	// maxEvent is the greatest event-time bucket emitted, per EventKeys.
	maxEvent []value.Value
	lastTime int64
	keyBuf   []byte
	keyVals  []value.Value
	argVals  []value.Value
}

// win is one open window: its groups in first-seen order (groups.go).
type win struct {
	key value.Value
	*groups
}

// NewTumbling creates the operator feeding out.
func NewTumbling(cfg TumblingConfig, out operators.Operator) operators.Operator {
	return &Tumbling{
		cfg: cfg, out: operators.NewEmitter(out, len(cfg.Keys)+len(cfg.Aggs)),
		keyVals: make([]value.Value, len(cfg.Keys)),
		argVals: make([]value.Value, len(cfg.Aggs)),
	}
}

// Late counts rows that arrived for a window already emitted.
func (t *Tumbling) Late() int64 { return t.late }

// LateEvents counts rows whose event-time bucket had already been emitted.
func (t *Tumbling) LateEvents() int64 { return t.lateEvent }

func (t *Tumbling) checkEventLate() {
	for i, k := range t.cfg.EventKeys {
		if i >= len(t.maxEvent) || t.maxEvent[i].K == value.KNull {
			continue
		}
		if c, ok := value.Compare(t.keyVals[k], t.maxEvent[i]); ok && c <= 0 {
			t.lateEvent++
			return
		}
	}
}

// Push aggregates a batch.
func (t *Tumbling) Push(b *operators.Batch) {
	c := &t.ctx
	for i, n := 0, b.Len(); i < n; i++ {
		row := b.Row(i)
		tm := b.Times[i]
		t.lastTime = tm
		c.Rowtime = tm
		c.Err = nil
		for k, f := range t.cfg.Keys {
			t.keyVals[k] = f(c, row)
		}
		for k := range t.cfg.Aggs {
			if a := t.cfg.Aggs[k].Arg; a != nil {
				t.argVals[k] = a(c, row)
			}
		}
		if c.Err != nil {
			t.fail(c.Err, tm, row)
			continue
		}
		tk := t.keyVals[t.cfg.TimeKey]
		if t.hasClosed {
			if cmp, ok := value.Compare(tk, t.closed); ok && cmp <= 0 {
				t.late++
				t.fail(eval.Errorf("Late row", fmt.Sprintf("the row's window (%s) was already emitted", value.Text(tk, value.Type{}))), tm, row)
				continue
			}
		}
		// A row with a greater time key closes the windows before it.
		for len(t.wins) > 0 {
			if cmp, ok := value.Compare(t.wins[0].key, tk); ok && cmp < 0 {
				t.emit(t.wins[0], tm)
				t.wins = t.wins[1:]
				continue
			}
			break
		}
		if len(t.cfg.EventKeys) > 0 {
			t.checkEventLate()
		}
		w := t.window(tk)
		t.keyBuf = groupKey(t.keyBuf, t.keyVals)
		g := w.find(t.keyBuf, t.keyVals, t.cfg.TimeKey)
		for k := range t.cfg.Aggs {
			w.accs[k].add(g, &t.cfg.Aggs[k], t.argVals[k])
		}
	}
	if t.cfg.KeyAt != nil && b.Len() > 0 {
		t.closeBefore(b.Times[b.Len()-1])
	}
	t.out.Flush()
}

// window finds or opens the window for time key tk.
func (t *Tumbling) window(tk value.Value) *win {
	for _, w := range t.wins {
		if value.Identical(w.key, tk) {
			return w
		}
	}
	w := &win{key: tk, groups: newGroups(len(t.cfg.Keys), t.cfg.Aggs)}
	t.wins = append(t.wins, w)
	return w
}

// closeBefore emits every window whose key is below the key at bound tm.
func (t *Tumbling) closeBefore(tm int64) {
	if len(t.wins) == 0 {
		return
	}
	at := t.cfg.KeyAt(tm)
	for len(t.wins) > 0 {
		if cmp, ok := value.Compare(t.wins[0].key, at); ok && cmp < 0 {
			t.emit(t.wins[0], tm)
			t.wins = t.wins[1:]
			continue
		}
		break
	}
}

// Advance closes what the bound allows, then forwards it.
func (t *Tumbling) Advance(tm int64) {
	if tm != operators.EndOfTime && tm > t.lastTime {
		// Windows still open at the end come out no earlier than the
		// last bound forwarded.
		t.lastTime = tm
	}
	if tm == operators.EndOfTime {
		for _, w := range t.wins {
			t.emit(w, t.lastTime)
		}
		t.wins = nil
	} else if t.cfg.KeyAt != nil {
		t.closeBefore(tm)
	}
	t.out.Advance(tm)
}

// emit appends a closed window's groups to the output batch.
func (t *Tumbling) emit(w *win, closing int64) {
	rt := closing
	if t.cfg.WindowEnd != nil {
		rt = t.cfg.WindowEnd(w.key)
	}
	if len(t.cfg.EventKeys) > 0 && t.maxEvent == nil {
		t.maxEvent = make([]value.Value, len(t.cfg.EventKeys))
	}
	nk := len(t.cfg.Keys)
	for g := 0; g < w.n; g++ {
		n := t.out.Len()
		row := t.out.Grow(rt)
		keys := row[:nk]
		w.keyRow(g, w.key, t.cfg.TimeKey, keys)
		for i, k := range t.cfg.EventKeys {
			if c, ok := value.Compare(keys[k], t.maxEvent[i]); t.maxEvent[i].K == value.KNull || (ok && c > 0) {
				t.maxEvent[i] = keys[k]
			}
		}
		var err error
		for k := range t.cfg.Aggs {
			a := w.accs[k].get(g)
			if row[nk+k], err = a.result(&t.cfg.Aggs[k]); err != nil {
				break
			}
		}
		if err != nil {
			keys = append([]value.Value(nil), keys...)
			t.out.Truncate(n)
			t.fail(err, rt, keys)
		}
		if t.out.Len() >= emitChunk {
			t.out.Flush() // a window of a million groups goes out in chunks
		}
	}
	t.closed, t.hasClosed = w.key, true
}

func (t *Tumbling) fail(err error, tm int64, row []value.Value) {
	operators.ReportRow(t.cfg.Errors, err, tm, row, t.cfg.Pump)
}

// emitChunk is how many rows of a closing window are pushed at once, so a
// window of a million groups does not become one batch of a million rows.
const emitChunk = 1024
