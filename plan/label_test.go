package plan

import (
	"strings"
	"testing"
)

// Explain labels are SQL printed by parser.Format: group keys, window
// partitions and sort keys read as written, not as "FN(...)" or "expr".
func TestExplainLabelsPrintSQL(t *testing.T) {
	g, err := planSQL(t, `
CREATE OR REPLACE STREAM "OUT" (T VARCHAR(4), N BIGINT);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT"
  SELECT STREAM SUBSTRING(TICKER_SYMBOL, 1, 2), COUNT(*) FROM "SOURCE_SQL_STREAM_001"
  GROUP BY SUBSTRING(TICKER_SYMBOL, 1, 2), STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);
CREATE OR REPLACE STREAM "W" (T VARCHAR(4), A DOUBLE);
CREATE OR REPLACE PUMP "Q" AS INSERT INTO "W"
  SELECT STREAM TICKER_SYMBOL, AVG(PRICE) OVER (PARTITION BY UPPER(SECTOR) || '-' RANGE INTERVAL '1' MINUTE PRECEDING)
  FROM "SOURCE_SQL_STREAM_001";`)
	if err != nil {
		t.Fatal(err)
	}
	ex := g.Explain()
	for _, want := range []string{
		`groups=(SUBSTRING(TICKER_SYMBOL, 1, 2), STEP(SOURCE_SQL_STREAM_001.ROWTIME BY INTERVAL '10' SECOND))`,
		`windows=[PARTITION BY UPPER(SECTOR) || '-' RANGE INTERVAL '1' MINUTE PRECEDING]`,
	} {
		if !strings.Contains(ex, want) {
			t.Errorf("explain lacks %q:\n%s", want, ex)
		}
	}
	if strings.Contains(ex, "(...)") || strings.Contains(ex, "expr") {
		t.Errorf("explain has a placeholder label:\n%s", ex)
	}
}
