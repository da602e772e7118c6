package plan

import (
	"testing"

	"github.com/streamsql/streamsql/value"
)

// ReplaceTable reaches the joins of a built graph, and only known tables.
func TestReplaceTableUnknown(t *testing.T) {
	g := &Running{tables: map[string][][]value.Value{"users": nil}}
	if err := g.ReplaceTable("nope", nil); err == nil {
		t.Fatal("unknown table accepted")
	}
	if err := g.ReplaceTable("users", [][]value.Value{{value.NewString("u1")}}); err != nil || len(g.tables["users"]) != 1 {
		t.Fatal(err)
	}
}
