package main

import (
	"strings"
	"testing"
)

func TestFunctionsCommand(t *testing.T) {
	code, out, errOut := runCLI("functions")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.HasPrefix(lines[0], "NAME") || !strings.Contains(lines[0], "SIGNATURE") || !strings.Contains(lines[0], "DESCRIPTION") {
		t.Fatalf("header %q", lines[0])
	}
	var names []string
	for _, l := range lines[1:] {
		names = append(names, strings.Fields(l)[0])
	}
	for i := 1; i < len(names); i++ {
		if names[i-1] > names[i] {
			t.Errorf("not sorted: %s before %s", names[i-1], names[i])
		}
	}
	for _, want := range []string{
		"CHAR_TO_TIMESTAMP(pattern, string)",
		"W3C_LOG_PARSE(string, format)",
		"REGEX_REPLACE(string, regex, replacement [, start [, occurrence]])",
		"CAST(x AS type)",
		"SUBSTRING(s FROM start [FOR len]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if len(names) < 50 {
		t.Errorf("only %d functions listed", len(names))
	}

	code, out, _ = runCLI("functions", "char_to")
	if code != 0 || strings.Count(strings.TrimSpace(out), "\n") != 3 || !strings.Contains(out, "CHAR_TO_TIME(") {
		t.Errorf("prefix filter: exit %d\n%s", code, out)
	}
	if code, _, errOut = runCLI("functions", "NOPE"); code != 2 || !strings.Contains(errOut, "no function matches NOPE") {
		t.Errorf("unknown prefix: exit %d, %q", code, errOut)
	}
	if code, _, errOut = runCLI("help"); code != 0 {
		t.Errorf("help: %d", code)
	}
	if _, out, _ = runCLI("help"); !strings.Contains(out, "streamsql functions") {
		t.Errorf("usage lacks the functions command")
	}
}

// functions lists every kind the engine knows, with signatures: scalar,
// aggregate, analytic (LAG, NTH_VALUE, EXP_AVG) and table functions
// (HOTSPOTS...); descriptions wrap to the width.
func TestFunctionsListsEveryKindAndWraps(t *testing.T) {
	code, out, errOut := runCLI("functions")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range [][]string{
		{"UPPER", "scalar", "UPPER(string)"},
		{"SUM", "aggregate", "SUM(numeric)"},
		{"LAG", "analytic", "LAG(x [, offset [, default]])"},
		{"NTH_VALUE", "analytic", "NTH_VALUE(x, n)"},
		{"EXP_AVG", "analytic", "EXP_AVG(numeric, half-life interval)"},
		{"HOTSPOTS", "table", "TABLE(HOTSPOTS(CURSOR(SELECT STREAM ...), windowSize, scanRadius, minimumNumberOfPointsInAHotspot))"},
		{"RANDOM_CUT_FOREST", "table", "TABLE(RANDOM_CUT_FOREST(CURSOR("},
		{"TOP_K_ITEMS_TUMBLING", "table", "'columnName', K, windowSize"},
		{"GROUP_RANK", "table", "TABLE(GROUP_RANK(CURSOR("},
	} {
		found := false
		for _, l := range strings.Split(out, "\n") {
			f := strings.Fields(l)
			if len(f) > 2 && f[0] == want[0] && f[1] == want[1] && strings.Contains(l, want[2]) {
				found = true
			}
		}
		if !found {
			t.Errorf("no line %v", want)
		}
	}
	code, out, _ = runCLI("functions", "--kind", "table")
	if code != 0 || strings.Count(strings.TrimSpace(out), "\n") != 6 {
		t.Errorf("--kind table: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI("functions", "cast", "--width", "80")
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if code != 0 || len(lines) < 3 {
		t.Fatalf("--width 80: exit %d\n%s", code, out)
	}
	for _, l := range lines {
		if len(l) > 80 {
			t.Errorf("line of %d columns at --width 80: %q", len(l), l)
		}
	}
}
