package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A positional INSERT repeating an alias is accepted; check warns, with
// the position of the second item.
func TestCheckWarnsRepeatedAlias(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.sql")
	sql := "CREATE STREAM S (SPEED INTEGER);\n" +
		"CREATE STREAM OUT_S (LO INTEGER, HI INTEGER);\n" +
		"CREATE PUMP P AS INSERT INTO OUT_S SELECT STREAM MIN(SPEED) AS m, MAX(SPEED) AS m FROM S\n" +
		"  GROUP BY STEP(S.ROWTIME BY INTERVAL '1' MINUTE);\n"
	if err := os.WriteFile(path, []byte(sql), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI("check", path)
	want := "warning: " + path + `:3:67: the select list names column M twice`
	if code != 0 || !strings.Contains(out, want) {
		t.Fatalf("exit %d, stdout %q, stderr %q; want a warning %q", code, out, errOut, want)
	}
}
