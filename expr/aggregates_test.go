package expr

import (
	"strings"
	"testing"

	"github.com/streamsql/streamsql/value"
	"github.com/streamsql/streamsql/window"
)

// Every accumulator in package window has exactly one name in the table
// (COUNT(*) is COUNT's star form), so an accumulator cannot be added
// without its SQL description.
func TestAggregateTableNamesEveryAccumulator(t *testing.T) {
	named := map[window.AggKind]string{}
	for _, a := range Aggregates() {
		if a.AliasOf != "" {
			if LookupAggregate(a.AliasOf) == nil || LookupAggregate(a.AliasOf).Kind != a.Kind {
				t.Errorf("%s is an alias of %s, which is not the same accumulator", a.Name, a.AliasOf)
			}
			continue
		}
		if prev, dup := named[a.Kind]; dup {
			t.Errorf("%s and %s share an accumulator", prev, a.Name)
		}
		named[a.Kind] = a.Name
		if a.Return == nil || a.Windows == 0 || a.MinArgs < 1 || a.MaxArgs < a.MinArgs || a.Description == "" {
			t.Errorf("%s is incomplete: %+v", a.Name, a)
		}
		if !IsAggregateName(a.Name) {
			t.Errorf("%s is not found by name", a.Name)
		}
	}
	for k := window.AggCount; k <= window.AggExpAvg; k++ {
		if _, ok := named[k]; !ok && k != window.AggCountStar {
			t.Errorf("accumulator %d has no entry", k)
		}
	}
	if got := strings.Join(AggregateNames(Sliding), ", "); got != "COUNT, SUM, AVG, MIN, MAX, FIRST_VALUE, LAST_VALUE, NTH_VALUE, LAG, EXP_AVG, STDDEV_POP, STDDEV_SAMP, VAR_POP, VAR_SAMP, ANY, EVERY" {
		t.Errorf("windowed names: %s", got)
	}
	for _, n := range AggregateNames(Tumbling | Stagger) {
		if n == "LAG" || n == "NTH_VALUE" || n == "EXP_AVG" {
			t.Errorf("%s listed for GROUP BY", n)
		}
	}
}

func TestAggregateResultTypes(t *testing.T) {
	dec := value.Type{Base: value.TDecimal, Precision: 5, Scale: 2}
	notNullInt := value.Integer
	notNullInt.NotNull = true
	for _, c := range []struct {
		name string
		arg  value.Type
		want string // result type, or the error
	}{
		{"COUNT", value.Type{Base: value.TVarchar, Len: 4}, "BIGINT"},
		{"SUM", value.Type{Base: value.TSmallint}, "INTEGER"},
		{"SUM", value.Bigint, "BIGINT"},
		{"AVG", dec, "DECIMAL(19,2)"},
		{"SUM", value.Type{Base: value.TReal}, "DOUBLE"},
		{"SUM", value.Boolean, "needs a numeric argument, not BOOLEAN"},
		{"MIN", notNullInt, "INTEGER"},
		{"LAG", value.Timestamp, "TIMESTAMP"},
		{"STDDEV_SAMP", value.Integer, "DOUBLE"},
		{"EXP_AVG", value.Type{Base: value.TVarchar, Len: 1}, "needs a numeric argument, not VARCHAR(1)"},
		{"EVERY", value.Boolean, "BOOLEAN"},
		{"SOME", value.Integer, "needs a BOOLEAN argument, not INTEGER"},
	} {
		rt, err := LookupAggregate(c.name).Return(c.arg)
		got := rt.String()
		if err != nil {
			got = err.Error()
		}
		if got != c.want || (err == nil && rt.NotNull && c.name != "COUNT") {
			t.Errorf("%s(%s) = %s (not null %v), want %s", c.name, c.arg, got, rt.NotNull, c.want)
		}
	}
}
