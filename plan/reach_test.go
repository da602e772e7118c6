package plan

import (
	"strings"
	"testing"

	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// Each part of a split graph reaches its own pumps' operators and the
// fan-ins of the streams its rows flow into; a stream that pumps of both
// parts write (DEST) is in each, and a part reaches nothing of the other.
func TestReachedListsAPartsOperators(t *testing.T) {
	script, err := parser.ParseScript("app.sql", splitStreams+`
CREATE PUMP A1 AS INSERT INTO "MID" SELECT STREAM S.K, S.V FROM SOURCE_SQL_STREAM_001 AS S JOIN REF AS R ON S.K = R.K;
CREATE PUMP A2 AS INSERT INTO "DEST" SELECT STREAM K, COUNT(*) FROM "MID" GROUP BY K, STEP(ROWTIME BY INTERVAL '10' SECOND);
CREATE PUMP B1 AS INSERT INTO "DEST" SELECT STREAM K, COUNT(*) FROM SOURCE_SQL_STREAM_002 GROUP BY K, STEP(ROWTIME BY INTERVAL '10' SECOND);`)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Plan(script, splitCatalog(2))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Start(g, Bindings{Tables: map[string][][]value.Value{"REF": nil}})
	if err != nil {
		t.Fatal(err)
	}
	names := func(sources ...string) string {
		var out []string
		for _, n := range r.Reached(sources) {
			out = append(out, n.Name())
		}
		return strings.Join(out, " ")
	}
	if got, want := names("SOURCE_SQL_STREAM_001"), "SOURCE_SQL_STREAM_001/stream DEST/stream MID/stream A1/refjoin A1/select A1/insert A2/tumbling A2/select A2/insert"; got != want {
		t.Errorf("part 1 reaches\n%s\nwant\n%s", got, want)
	}
	if got, want := names("SOURCE_SQL_STREAM_002"), "SOURCE_SQL_STREAM_002/stream DEST/stream B1/tumbling B1/select B1/insert"; got != want {
		t.Errorf("part 2 reaches\n%s\nwant\n%s", got, want)
	}
	if got, all := len(r.Reached([]string{"SOURCE_SQL_STREAM_001", "SOURCE_SQL_STREAM_002"})), len(r.Operators()); got != all-1 {
		t.Errorf("both parts reach %d operators of %d; want all but MID2's fan-in (no pump writes or reads it)", got, all)
	}
}
