package live

import (
	"maps"
	"testing"
	"time"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/engine"
)

// A split lays out by input and in-application stream index: the part of
// _001 and _003 reads streams 0 and 2 of input 0, the part of _002
// stream 1, and no part reads an input it has no stream of.
func TestPartsOwnTheirStreams(t *testing.T) {
	a := &app.Application{ApplicationName: "split", ApplicationCode: `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (K VARCHAR(8));
CREATE OR REPLACE STREAM "MID" (K VARCHAR(8));
CREATE PUMP A AS INSERT INTO "MID" SELECT STREAM K FROM SOURCE_SQL_STREAM_001 UNION ALL SELECT STREAM K FROM SOURCE_SQL_STREAM_003;
CREATE PUMP B AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM K FROM "MID";
CREATE PUMP C AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM K FROM SOURCE_SQL_STREAM_002;`,
		Inputs: []app.Input{{NamePrefix: "SOURCE_SQL_STREAM", InputParallelism: &app.InputParallelism{Count: 3},
			InputSchema: app.SourceSchema{RecordFormat: app.RecordFormat{RecordFormatType: "JSON"},
				RecordColumns: []app.RecordColumn{{Name: "K", Mapping: "$.K", SqlType: "VARCHAR(8)"}}}}}}
	g, err := engine.Plan(a)
	if err != nil {
		t.Fatal(err)
	}
	ps := parts(g, g.Split())
	if len(ps) != 2 {
		t.Fatalf("%d parts", len(ps))
	}
	for i, want := range []struct {
		key  string
		only map[int]bool
	}{{"SOURCE_SQL_STREAM_001", map[int]bool{0: true, 2: true}}, {"SOURCE_SQL_STREAM_002", map[int]bool{1: true}}} {
		pt := ps[i]
		if pt.key != want.key || !maps.Equal(pt.only(0), want.only) || len(pt.only(1)) != 0 || pt.only(1) == nil {
			t.Errorf("part %d: key %s, only(0) %v, only(1) %v", i, pt.key, pt.only(0), pt.only(1))
		}
		if got := pt.storeName("split"); got != "split."+want.key {
			t.Errorf("part %d: store %s", i, got)
		}
	}
	var whole *part
	if whole.only(0) != nil || whole.storeName("split") != "split" {
		t.Error("no part: every shard, the application's checkpoints")
	}
}

func TestSumProgress(t *testing.T) {
	t0 := time.Unix(100, 0)
	got := sumProgress([]Progress{
		{RecordsIn: 3, Delivered: map[string]int64{"OUT": 2}, LagMillis: 5, Checkpoints: 1, LastCheckpoint: t0, Waiting: []string{"w"}},
		{RecordsIn: 4, Delivered: map[string]int64{"OUT": 1, "ERR": 1}, LagMillis: 2, Checkpoints: 2, LastCheckpoint: t0.Add(time.Second), CheckpointTime: time.Millisecond},
		{},
	})
	if got.RecordsIn != 7 || got.Delivered["OUT"] != 3 || got.Delivered["ERR"] != 1 || got.LagMillis != 5 || got.Checkpoints != 3 ||
		!got.LastCheckpoint.Equal(t0.Add(time.Second)) || got.CheckpointTime != time.Millisecond || len(got.Waiting) != 1 {
		t.Errorf("%+v", got)
	}
}

// The counts of a part handed over stay in the instance's figures, its
// lag goes, and a later run of it counts on from them.
func TestPartFiguresAfterHandOver(t *testing.T) {
	f := &partFigures{latest: make([]Progress, 2), ended: make([]Progress, 2)}
	f.update(0, Progress{RecordsIn: 5, Delivered: map[string]int64{"OUT": 2}, LagMillis: 100, Checkpoints: 3})
	f.update(1, Progress{RecordsIn: 7, LagMillis: 40, Waiting: []string{"w"}})
	f.handedOver(0)
	got := f.update(1, Progress{RecordsIn: 8, LagMillis: 30})
	if got.RecordsIn != 13 || got.Delivered["OUT"] != 2 || got.LagMillis != 30 || got.Checkpoints != 3 || len(got.Waiting) != 0 {
		t.Fatalf("after the hand-over: %+v", got)
	}
	got = f.update(0, Progress{RecordsIn: 1, Delivered: map[string]int64{"OUT": 1}, LagMillis: 50, Checkpoints: 1})
	if got.RecordsIn != 14 || got.Delivered["OUT"] != 3 || got.LagMillis != 50 || got.Checkpoints != 4 {
		t.Fatalf("taken back: %+v", got)
	}
}
