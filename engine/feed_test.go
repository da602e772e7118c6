package engine

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/input"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func spendRecord(shard string, at time.Time, block string) input.Record {
	data := fmt.Sprintf(`{"Block":%q,"Amount":1.00,"Customer":"c"}`, block)
	return input.Record{Data: []byte(data), Arrival: at.UnixMilli(), ShardID: shard}
}

// A live run over two shards: records wait for the slower shard, so each
// lands in the window it arrived in; when one shard goes quiet the other's
// records flow after the idle interval; when both are quiet, the open
// window still closes, IdleTimeout after its end.
func TestFeedOrdersShardsAndClosesWindowsWhenIdle(t *testing.T) {
	a, _, err := app.Load("../examples/spend/app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	p, err := Start(Options{App: a, Format: "ndjson", Writers: map[string]io.Writer{"DESTINATION_SQL_STREAM": &out}, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	at := func(sec float64) time.Time { return base.Add(time.Duration(sec * float64(time.Second))) }
	clk := &clock{t: at(20)}
	f := NewFeed(p, 10*time.Second, clk.now)
	f.Open("s0")
	f.Open("s1")

	// s0 reads ahead; s1 is slow: its 10:00:14 record arrives later.
	f.Batch(ShardRead{Shard: "s0", Records: []input.Record{spendRecord("s0", at(1), "B1"), spendRecord("s0", at(16), "B1")}, MillisBehind: 1000})
	if f.Queued() != 2 {
		t.Fatalf("%d queued, want both s0 records waiting for s1", f.Queued())
	}
	f.Batch(ShardRead{Shard: "s1", Records: []input.Record{spendRecord("s1", at(14), "B2")}})
	// s1 is caught up (progress now-1s = 10:00:19): everything up to it flows.
	if f.Queued() != 0 {
		t.Fatalf("%d still queued", f.Queued())
	}
	got := out.String()
	if !strings.Contains(got, `"Block":"B1","TotalAmount":1.00,"Purchases":1,"WindowStart":"2026-01-05 10:00:00.000"`) ||
		!strings.Contains(got, `"Block":"B2","TotalAmount":1.00,"Purchases":1,"WindowStart":"2026-01-05 10:00:00.000"`) {
		t.Fatalf("first window:\n%s", got)
	}

	// Nothing more arrives. The 10:00:15 window (ending 10:00:30) closes
	// once the wall clock passes 10:00:40 (end + idle interval).
	clk.t = at(39)
	f.Tick()
	if strings.Contains(out.String(), "10:00:15.000") {
		t.Fatalf("window closed too early:\n%s", out.String())
	}
	clk.t = at(41)
	f.Tick()
	if !strings.Contains(out.String(), `"Block":"B1","TotalAmount":1.00,"Purchases":1,"WindowStart":"2026-01-05 10:00:15.000"`) {
		t.Fatalf("the open window did not close after the idle interval:\n%s", out.String())
	}
	st, err := p.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if st.RecordsIn != 3 {
		t.Fatalf("RecordsIn %d", st.RecordsIn)
	}
}
