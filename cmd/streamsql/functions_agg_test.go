package main

import (
	"strings"
	"testing"
)

// The aggregate table is listed with the scalar functions: signature,
// description and the windows each runs in.
func TestFunctionsListsAggregates(t *testing.T) {
	code, out, errOut := runCLI("functions", "lag", "sum", "some")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"LAG(x [, offset [, default]]) [IGNORE NULLS] OVER w",
		"(windows: OVER)",
		"SUM(numeric)",
		"(windows: GROUP BY, OVER, WINDOWED BY STAGGER)",
		"SOME(boolean)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
