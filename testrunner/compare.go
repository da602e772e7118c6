package testrunner

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
)

// compare checks actual output against the expected file under the case's
// options: rows of one ROWTIME in any order (unordered), numbers within a
// tolerance (float_tolerance). "" when they match.
func (c *Case) compare(want, got string) string {
	if want == got {
		return ""
	}
	w, g := splitLines(want), splitLines(got)
	if !c.Unordered && c.FloatTolerance == 0 {
		return diffLines(w, g, func(a, b string) bool { return a == b })
	}
	if c.Unordered {
		w, g = sortWithinRowtime(w), sortWithinRowtime(g)
	}
	return diffLines(w, g, func(a, b string) bool { return rowsEqual(a, b, c.FloatTolerance) })
}

// sortWithinRowtime sorts each run of rows sharing a ROWTIME: one window's
// rows, which KDA emits in no defined order.
func sortWithinRowtime(lines []string) []string {
	out := append([]string(nil), lines...)
	start := 0
	for i := 1; i <= len(out); i++ {
		if i == len(out) || rowtime(out[i]) != rowtime(out[start]) {
			sort.Strings(out[start:i])
			start = i
		}
	}
	return out
}

func rowtime(line string) string {
	var r struct {
		ROWTIME string `json:"ROWTIME"`
	}
	json.Unmarshal([]byte(line), &r)
	return r.ROWTIME
}

// rowsEqual compares two NDJSON rows field by field, numbers within tol
// (relative to the larger magnitude, absolute below 1).
func rowsEqual(a, b string, tol float64) bool {
	if a == b {
		return true
	}
	var ra, rb map[string]any
	if decode(a, &ra) != nil || decode(b, &rb) != nil || len(ra) != len(rb) {
		return false
	}
	for k, va := range ra {
		vb, ok := rb[k]
		if !ok || !valuesEqual(va, vb, tol) {
			return false
		}
	}
	return true
}

func decode(s string, v any) error {
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	return d.Decode(v)
}

func valuesEqual(a, b any, tol float64) bool {
	na, aNum := a.(json.Number)
	nb, bNum := b.(json.Number)
	if aNum && bNum {
		if na == nb {
			return true
		}
		fa, err1 := na.Float64()
		fb, err2 := nb.Float64()
		if err1 != nil || err2 != nil {
			return false
		}
		return math.Abs(fa-fb) <= tol*math.Max(1, math.Max(math.Abs(fa), math.Abs(fb)))
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}
