package engine

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/streamsql/streamsql/operators"
)

// stateGuard watches the operators' state against --max-state-memory:
// past the limit it warns, once per operator, naming the operator and its
// groups; past the hard bound (HardStateFactor times the limit) it stops
// the run with an error before the kernel kills the process.
//
// An operator's StateSize may walk its groups, so checks are spaced: after
// a check that took d, the next comes no sooner than 100·d later (at most
// 1% of the run), and the first comes at once.
type stateGuard struct {
	limit  int64 // bytes; <= 0: off
	warned map[string]bool
	next   time.Time
	err    error
	warn   func(string)
}

// HardStateFactor is how far past --max-state-memory operator state may
// grow before the run stops.
const HardStateFactor = 1.5

func newStateGuard(limit int64, warn func(string)) *stateGuard {
	return &stateGuard{limit: limit, warned: map[string]bool{}, warn: warn}
}

func (g *stateGuard) check(ops []operators.Node) {
	if g == nil || g.limit <= 0 || g.err != nil || time.Now().Before(g.next) {
		return
	}
	start := time.Now()
	var total operators.StateSize
	var top operators.Node
	var topSize operators.StateSize
	for _, n := range ops {
		s := n.StateSize()
		total = total.Add(s)
		if top == nil || s.Bytes > topSize.Bytes {
			top, topSize = n, s
		}
		if s.Bytes > g.limit && !g.warned[n.Name()] {
			g.warned[n.Name()], g.warned[""] = true, true
			g.warn(fmt.Sprintf("operator %s holds %s, past --max-state-memory %s", n.Name(), describeState(s), FormatBytes(g.limit)))
		}
	}
	switch {
	case top == nil:
	case float64(total.Bytes) > HardStateFactor*float64(g.limit):
		g.err = fmt.Errorf("operator state reached %s, past %g times --max-state-memory %s; stopped before the machine runs out of memory. The largest is %s with %s: shorten its windows, bound its GROUP BY keys, or raise --max-state-memory",
			FormatBytes(total.Bytes), HardStateFactor, FormatBytes(g.limit), top.Name(), describeState(topSize))
	case total.Bytes > g.limit && !g.warned[""]:
		g.warned[""] = true
		g.warn(fmt.Sprintf("operator state holds %s in all, past --max-state-memory %s; the largest is %s with %s", FormatBytes(total.Bytes), FormatBytes(g.limit), top.Name(), describeState(topSize)))
	}
	g.next = time.Now().Add(100 * time.Since(start))
}

// checkNow checks at once, whenever the last check was.
func (g *stateGuard) checkNow(ops []operators.Node) {
	if g != nil {
		g.next = time.Time{}
		g.check(ops)
	}
}

func describeState(s operators.StateSize) string {
	out := fmt.Sprintf("%d groups", s.Groups)
	if s.Rows > 0 {
		out += fmt.Sprintf(", %d rows", s.Rows)
	}
	return out + " (about " + FormatBytes(s.Bytes) + ")"
}

// FormatBytes writes a size in the largest binary unit that keeps it at
// least 1 (1.5 GiB).
func FormatBytes(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f, i := float64(n), 0
	for f >= 1024 && i < len(units)-1 {
		f, i = f/1024, i+1
	}
	if i == 0 {
		return fmt.Sprintf("%d B", n)
	}
	return strconv.FormatFloat(f, 'f', 1, 64) + " " + units[i]
}

// ParseBytes reads a size: a number with an optional unit, decimal (KB,
// MB, GB, TB) or binary (KiB, MiB, GiB, TiB); "0" or "off" disables.
func ParseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if strings.EqualFold(t, "off") {
		return 0, nil
	}
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.TrimSpace(t[i:])
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("%q is not a size such as 4GB or 512MiB", s)
	}
	mult := map[string]float64{"": 1, "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
		"KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30, "TIB": 1 << 40, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
	m, ok := mult[strings.ToUpper(unit)]
	if !ok {
		return 0, fmt.Errorf("%q: unknown unit %q (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)", s, unit)
	}
	return int64(f * m), nil
}

// DefaultMaxStateMemory is half the machine's memory (MemTotal in
// /proc/meminfo), or 0 (no bound) where that cannot be read.
func DefaultMaxStateMemory() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) >= 2 && fields[0] == "MemTotal:" {
			if kb, err := strconv.ParseInt(fields[1], 10, 64); err == nil {
				return kb * 1024 / 2
			}
		}
	}
	return 0
}
