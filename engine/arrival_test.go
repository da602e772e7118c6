package engine

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/app"
)

// A record whose arrival time is far in the future (or garbage such as
// 1e30) goes to error_stream instead of carrying the records after it
// into its window; a real gap in a recording (the shard goes on from the
// later time) passes.
func TestReplayRejectsStrayArrivalTimes(t *testing.T) {
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	a, _, err := app.Load("../examples/spend/app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// run replays records at the given seconds after base (a string is an
	// arrival time as written), in file order (no reorder slack).
	run := func(arrivals ...any) (string, Stats) {
		var b strings.Builder
		for i, at := range arrivals {
			data := base64.StdEncoding.EncodeToString([]byte(`{"Block":"B1","Amount":1.00,"Customer":"c"}`))
			ts := fmt.Sprint(at)
			if sec, ok := at.(int); ok {
				ts = fmt.Sprintf("%q", base.Add(time.Duration(sec)*time.Second).Format(time.RFC3339Nano))
			}
			fmt.Fprintf(&b, `{"ApproximateArrivalTimestamp":%s,"Data":%q,"PartitionKey":"k","SequenceNumber":"%d","ShardId":"s0"}`+"\n", ts, data, i+1)
		}
		rec := filepath.Join(t.TempDir(), "rec.jsonl")
		os.WriteFile(rec, []byte(b.String()), 0o644)
		var out bytes.Buffer
		st, err := Run(context.Background(), Options{App: a, Replays: []Replay{{Path: rec}}, Format: "ndjson", Reorder: -1,
			Writers: map[string]io.Writer{"DESTINATION_SQL_STREAM": &out}, Stderr: &bytes.Buffer{}})
		if err != nil {
			t.Fatal(err)
		}
		return out.String(), st
	}
	window := func(n int, start string) string {
		return fmt.Sprintf(`"Purchases":%d,"WindowStart":"2026-01-05 %s"`, n, start)
	}
	out, st := run(1, 2, `"2027-06-05T10:00:00Z"`, 3, 16, 17)
	if st.Errors[errArrival] != 1 || !strings.Contains(st.FirstError, `arrival time 2027-06-05 10:00:00.000 is 12383h59m58s ahead of the record before it in shard "s0" (2026-01-05 10:00:02.000), and the next one (2026-01-05 10:00:03.000) comes back before it`) {
		t.Errorf("future stray: %v %s", st.Errors, st.FirstError)
	}
	if !strings.Contains(out, window(3, "10:00:00.000")) || !strings.Contains(out, window(2, "10:00:15.000")) || strings.Contains(out, "2027") {
		t.Errorf("future stray: rows\n%s", out)
	}
	out, st = run(1, 2, 1e30, 3)
	if st.Errors[errArrival] != 1 || !strings.Contains(st.FirstError, "its arrival time is outside the years 1 to 9999") || !strings.Contains(out, window(3, "10:00:00.000")) {
		t.Errorf("1e30: %v %s\n%s", st.Errors, st.FirstError, out)
	}
	// A gap of two hours: the shard goes on from there.
	out, st = run(1, 2, 7200, 7201, 7216)
	if st.ErrorRows != 0 || !strings.Contains(out, window(2, "12:00:00.000")) || !strings.Contains(out, window(1, "12:00:15.000")) {
		t.Errorf("gap: %v %s\n%s", st.Errors, st.FirstError, out)
	}
	// A jump as the recording's last record passes: nothing came after it.
	if _, st = run(1, 2, 9000); st.ErrorRows != 0 {
		t.Errorf("last record: %v", st.Errors)
	}
}
