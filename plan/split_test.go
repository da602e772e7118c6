package plan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/parser"
	"github.com/streamsql/streamsql/value"
)

// splitCatalog has n input streams SOURCE_SQL_STREAM_001.. of one input
// (InputParallelism.Count n) and a reference table.
func splitCatalog(n int) *Catalog {
	c := NewCatalog()
	for k := 1; k <= n; k++ {
		c.AddSource(fmt.Sprintf("SOURCE_SQL_STREAM_%03d", k), 0, []Column{
			{Name: "K", Type: value.Type{Base: value.TVarchar, Len: 8}},
			{Name: "V", Type: value.Type{Base: value.TInteger}},
		})
	}
	c.AddTable("REF", []Column{{Name: "K", Type: value.Type{Base: value.TVarchar, Len: 8}}, {Name: "NAME", Type: value.Type{Base: value.TVarchar, Len: 8}}})
	return c
}

const splitStreams = `CREATE OR REPLACE STREAM "DEST" (K VARCHAR(8), N BIGINT);
CREATE OR REPLACE STREAM "MID" (K VARCHAR(8), V INTEGER);
CREATE OR REPLACE STREAM "MID2" (K VARCHAR(8), V INTEGER);
`

func TestSplitGroupsInputStreams(t *testing.T) {
	tests := []struct {
		name  string
		n     int
		src   string
		parts string   // parts as "A,B|C"
		meets []string // Meet.String()
	}{
		{"two chains into one written-only destination", 2, splitStreams + `
CREATE PUMP P1 AS INSERT INTO "DEST" SELECT STREAM K, COUNT(*) FROM SOURCE_SQL_STREAM_001 GROUP BY K, STEP(ROWTIME BY INTERVAL '10' SECOND);
CREATE PUMP P2 AS INSERT INTO "DEST" SELECT STREAM K, COUNT(*) FROM SOURCE_SQL_STREAM_002 GROUP BY K, STEP(ROWTIME BY INTERVAL '10' SECOND);`,
			"SOURCE_SQL_STREAM_001|SOURCE_SQL_STREAM_002", nil},
		{"chains through their own streams, both joining the reference table", 2, splitStreams + `
CREATE PUMP A1 AS INSERT INTO "MID" SELECT STREAM S.K, S.V FROM SOURCE_SQL_STREAM_001 AS S JOIN REF AS R ON S.K = R.K;
CREATE PUMP A2 AS INSERT INTO "DEST" SELECT STREAM K, COUNT(*) FROM "MID" GROUP BY K, STEP(ROWTIME BY INTERVAL '10' SECOND);
CREATE PUMP B1 AS INSERT INTO "MID2" SELECT STREAM S.K, S.V FROM SOURCE_SQL_STREAM_002 AS S JOIN REF AS R ON S.K = R.K;
CREATE PUMP B2 AS INSERT INTO "DEST" SELECT STREAM K, COUNT(*) FROM "MID2" GROUP BY K, STEP(ROWTIME BY INTERVAL '10' SECOND);`,
			"SOURCE_SQL_STREAM_001|SOURCE_SQL_STREAM_002", nil},
		{"a stream both write and a pump reads", 2, splitStreams + `
CREATE PUMP A AS INSERT INTO "MID" SELECT STREAM K, V FROM SOURCE_SQL_STREAM_001;
CREATE PUMP B AS INSERT INTO "MID" SELECT STREAM K, V FROM SOURCE_SQL_STREAM_002;
CREATE PUMP C AS INSERT INTO "DEST" SELECT STREAM K, COUNT(*) FROM "MID" GROUP BY K, STEP(ROWTIME BY INTERVAL '10' SECOND);`,
			"SOURCE_SQL_STREAM_001,SOURCE_SQL_STREAM_002",
			[]string{`app.sql:6:1: pump B brings SOURCE_SQL_STREAM_001 together with SOURCE_SQL_STREAM_002`}},
		{"a stream join", 2, splitStreams + `
CREATE PUMP J AS INSERT INTO "MID" SELECT STREAM A.K, B.V FROM SOURCE_SQL_STREAM_001 OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS A
  JOIN SOURCE_SQL_STREAM_002 AS B ON A.K = B.K;`,
			"SOURCE_SQL_STREAM_001,SOURCE_SQL_STREAM_002",
			[]string{`app.sql:5:1: pump J brings SOURCE_SQL_STREAM_001 together with SOURCE_SQL_STREAM_002`}},
		{"a union of two, the third apart", 3, splitStreams + `
CREATE PUMP U AS INSERT INTO "MID" SELECT STREAM K, V FROM SOURCE_SQL_STREAM_001 UNION ALL SELECT STREAM K, V FROM SOURCE_SQL_STREAM_003;
CREATE PUMP W AS INSERT INTO "DEST" SELECT STREAM K, COUNT(*) FROM "MID" GROUP BY K, STEP(ROWTIME BY INTERVAL '10' SECOND);
CREATE PUMP X AS INSERT INTO "DEST" SELECT STREAM K, COUNT(*) FROM SOURCE_SQL_STREAM_002 GROUP BY K, STEP(ROWTIME BY INTERVAL '10' SECOND);`,
			"SOURCE_SQL_STREAM_001,SOURCE_SQL_STREAM_003|SOURCE_SQL_STREAM_002",
			[]string{`app.sql:5:1: pump U brings SOURCE_SQL_STREAM_001 together with SOURCE_SQL_STREAM_003`}},
		{"meeting two steps down", 3, splitStreams + `
CREATE PUMP A AS INSERT INTO "MID" SELECT STREAM K, V FROM SOURCE_SQL_STREAM_001;
CREATE PUMP B AS INSERT INTO "MID2" SELECT STREAM K, V FROM SOURCE_SQL_STREAM_002;
CREATE PUMP C AS INSERT INTO "MID2" SELECT STREAM K, V FROM SOURCE_SQL_STREAM_003;
CREATE PUMP D AS INSERT INTO "DEST" SELECT STREAM M.K, N.V FROM "MID" OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS M
  JOIN "MID2" AS N ON M.K = N.K;`,
			"SOURCE_SQL_STREAM_001,SOURCE_SQL_STREAM_002,SOURCE_SQL_STREAM_003",
			[]string{`app.sql:7:1: pump C brings SOURCE_SQL_STREAM_002 together with SOURCE_SQL_STREAM_003`,
				`app.sql:8:1: pump D brings SOURCE_SQL_STREAM_001 together with SOURCE_SQL_STREAM_002, SOURCE_SQL_STREAM_003`}},
		{"an input stream no pump reads is a part of its own", 2, splitStreams + `
CREATE PUMP A AS INSERT INTO "DEST" SELECT STREAM K, COUNT(*) FROM SOURCE_SQL_STREAM_001 GROUP BY K, STEP(ROWTIME BY INTERVAL '10' SECOND);`,
			"SOURCE_SQL_STREAM_001|SOURCE_SQL_STREAM_002", nil},
		{"bare queries go to their own streams", 2, `SELECT STREAM K FROM SOURCE_SQL_STREAM_001;
SELECT STREAM K FROM SOURCE_SQL_STREAM_002;`,
			"SOURCE_SQL_STREAM_001|SOURCE_SQL_STREAM_002", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			script, err := parser.ParseScript("app.sql", tc.src)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			g, err := Plan(script, splitCatalog(tc.n))
			if err != nil {
				t.Fatalf("plan: %v", err)
			}
			sp := g.Split()
			var parts []string
			for _, p := range sp.Parts {
				parts = append(parts, strings.Join(p, ","))
			}
			if got := strings.Join(parts, "|"); got != tc.parts {
				t.Errorf("parts %s, want %s", got, tc.parts)
			}
			var meets []string
			for _, m := range sp.Meets {
				meets = append(meets, m.String())
			}
			if strings.Join(meets, "\n") != strings.Join(tc.meets, "\n") {
				t.Errorf("meets:\n%s\nwant:\n%s", strings.Join(meets, "\n"), strings.Join(tc.meets, "\n"))
			}
			if sp.Splittable() != strings.Contains(tc.parts, "|") {
				t.Errorf("Splittable %v for parts %s", sp.Splittable(), tc.parts)
			}
			rep := sp.Report()
			if len(rep) != 1+len(tc.meets) || strings.Contains(rep[0], "cannot") == sp.Splittable() {
				t.Errorf("report %q", rep)
			}
		})
	}
}

func TestSplitReportsNothingForOneInputStream(t *testing.T) {
	script, err := parser.ParseScript("app.sql", `SELECT STREAM K FROM SOURCE_SQL_STREAM_001;`)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Plan(script, splitCatalog(1))
	if err != nil {
		t.Fatal(err)
	}
	if sp := g.Split(); sp.Splittable() || sp.Report() != nil || len(sp.Parts) != 1 || sp.Parts[0][0] != "SOURCE_SQL_STREAM_001" {
		t.Errorf("one input stream: %+v, report %q", sp, sp.Report())
	}
}
