package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// splitApp is an application with InputParallelism.Count 2 whose SQL
// (in app.sql, so positions count its lines) is sql.
func splitApp(t *testing.T, sql string) string {
	t.Helper()
	dir := writeFiles(t, map[string]string{"app.sql": sql, "app.yaml": `ApplicationName: split
ApplicationCodeFile: app.sql
Inputs:
  - NamePrefix: SOURCE_SQL_STREAM
    InputParallelism: {Count: 2}
    InputSchema:
      RecordFormat: {RecordFormatType: JSON}
      RecordColumns:
        - {Name: K, Mapping: "$.K", SqlType: VARCHAR(8)}
Outputs:
  - {Name: DESTINATION_SQL_STREAM, DestinationSchema: {RecordFormatType: JSON}}
`})
	return filepath.Join(dir, "app.yaml")
}

const splitDest = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (K VARCHAR(8), N BIGINT);
CREATE OR REPLACE STREAM "MID" (K VARCHAR(8));
`

// check and explain say which graphs split across instances, and where
// the input streams of one that does not meet.
func TestCheckAndExplainReportTheSplit(t *testing.T) {
	apart := splitApp(t, splitDest+`CREATE PUMP P1 AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM K, COUNT(*) FROM SOURCE_SQL_STREAM_001 GROUP BY K, STEP(ROWTIME BY INTERVAL '10' SECOND);
CREATE PUMP P2 AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM K, COUNT(*) FROM SOURCE_SQL_STREAM_002 GROUP BY K, STEP(ROWTIME BY INTERVAL '10' SECOND);
`)
	meet := splitApp(t, splitDest+`CREATE PUMP A AS INSERT INTO "MID" SELECT STREAM K FROM SOURCE_SQL_STREAM_001;
CREATE PUMP B AS INSERT INTO "MID" SELECT STREAM K FROM SOURCE_SQL_STREAM_002;
CREATE PUMP C AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM K, COUNT(*) FROM "MID" GROUP BY K, STEP(ROWTIME BY INTERVAL '10' SECOND);
`)
	meetAt := filepath.Join(filepath.Dir(meet), "app.sql") + ":4:1: pump B brings SOURCE_SQL_STREAM_001 together with SOURCE_SQL_STREAM_002"

	code, out, errOut := runCLI("check", apart)
	if code != 0 || !strings.Contains(out, "split: the graph splits into 2 independent parts (instances sharing a --lease each take parts): 1: SOURCE_SQL_STREAM_001; 2: SOURCE_SQL_STREAM_002\n") {
		t.Errorf("check, apart: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI("check", meet)
	if code != 0 || !strings.Contains(out, "split: the graph cannot be split across instances: its input streams meet\nsplit: "+meetAt+"\n") {
		t.Errorf("check, meeting: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI("explain", meet)
	if code != 0 || !strings.Contains(out, "SPLIT the graph cannot be split") || !strings.Contains(out, "SPLIT "+meetAt+"\n") {
		t.Errorf("explain, meeting: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI("explain", "--format", "json", apart)
	var doc struct{ Split []string }
	if err := json.Unmarshal([]byte(out), &doc); code != 0 || err != nil || len(doc.Split) != 1 || !strings.Contains(doc.Split[0], "splits into 2") {
		t.Errorf("explain json, apart: exit %d, %v, split %q\n%s", code, err, doc.Split, errOut)
	}
	// One input stream: nothing to say.
	code, out, _ = runCLI("check", spend+"app.yaml")
	if code != 0 || strings.Contains(out, "split:") {
		t.Errorf("check spend: exit %d\n%s", code, out)
	}
}
