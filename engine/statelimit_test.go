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

// --max-state-memory: an hour-long window grouping by a key that never
// repeats grows without bound. Past the limit a warning names the window
// operator and its groups; past HardStateFactor times it the run stops with
// an error saying what to change, instead of being killed by the kernel.
func TestMaxStateMemory(t *testing.T) {
	a, _, err := app.Load("../examples/spend/app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a.ApplicationCodeFile, a.CodePath = "", "keys.sql"
	a.ApplicationCode = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("Customer" VARCHAR(16), "N" BIGINT);
CREATE OR REPLACE PUMP "PER_CUSTOMER" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM "Customer", COUNT(*) FROM "SOURCE_SQL_STREAM_001"
GROUP BY "Customer", STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' HOUR);`
	var rec strings.Builder
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	for i := 0; i < 20000; i++ {
		data := base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf(`{"Block":"B1","Amount":1.00,"Customer":"c%07d"}`, i)))
		fmt.Fprintf(&rec, `{"ApproximateArrivalTimestamp":%q,"Data":%q,"PartitionKey":"k","SequenceNumber":"%d","ShardId":"s0"}`+"\n",
			base.Add(time.Duration(i)*time.Millisecond).Format(time.RFC3339Nano), data, i+1)
	}
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	os.WriteFile(path, []byte(rec.String()), 0o644)
	run := func(limit int64) (string, string, error) {
		var out, errOut bytes.Buffer
		_, err := Run(context.Background(), Options{App: a, Replays: []Replay{{Path: path}}, Format: "ndjson", MaxStateMemory: limit,
			Writers: map[string]io.Writer{"DESTINATION_SQL_STREAM": &out}, Stderr: &errOut})
		return out.String(), errOut.String(), err
	}
	// No bound, and a bound above what the window holds: no word.
	for _, limit := range []int64{0, 1 << 30} {
		out, errOut, err := run(limit)
		if err != nil || strings.Count(out, "\n") != 20000 || strings.Contains(errOut, "max-state-memory") {
			t.Fatalf("limit %d: %v, %d rows, %s", limit, err, strings.Count(out, "\n"), errOut)
		}
	}
	// The window's 20,000 groups take about 2.4 MiB.
	out, errOut, err := run(1 << 10)
	if err == nil || !strings.Contains(err.Error(), "past 1.5 times --max-state-memory 1.0 KiB; stopped before the machine runs out of memory. The largest is PER_CUSTOMER/tumbling with ") ||
		!strings.Contains(err.Error(), "shorten its windows, bound its GROUP BY keys, or raise --max-state-memory") {
		t.Fatalf("hard bound: %v", err)
	}
	if out != "" {
		t.Errorf("rows emitted after the hard bound stopped the run:\n%.300s", out)
	}
	if !strings.Contains(errOut, "warning: operator PER_CUSTOMER/tumbling holds ") || !strings.Contains(errOut, "groups (about") || !strings.Contains(errOut, "past --max-state-memory 1.0 KiB") {
		t.Errorf("warning: %s", errOut)
	}
	// Between the limit and the hard bound: one warning, and the run
	// completes.
	out, errOut, err = run(2 << 20)
	if err != nil || strings.Count(out, "\n") != 20000 || strings.Count(errOut, "warning:") != 1 ||
		!strings.Contains(errOut, "warning: operator PER_CUSTOMER/tumbling holds ") || !strings.Contains(errOut, "past --max-state-memory 2.0 MiB") {
		t.Errorf("2 MiB: %v, %d rows, %s", err, strings.Count(out, "\n"), errOut)
	}
}

func TestParseBytes(t *testing.T) {
	for s, want := range map[string]int64{"4GB": 4e9, "512MiB": 512 << 20, "1.5G": 3 << 29, "100": 100, "off": 0, " 2 kb ": 2000} {
		if got, err := ParseBytes(s); err != nil || got != want {
			t.Errorf("%q: %d %v, want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "x", "-1GB", "4 parsecs"} {
		if _, err := ParseBytes(s); err == nil {
			t.Errorf("%q: no error", s)
		}
	}
}
