package plan

import (
	"fmt"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

func (g *Graph) addJoin(table string, j *operators.RefJoin) {
	if g.joins == nil {
		g.joins = map[string][]*operators.RefJoin{}
	}
	g.joins[table] = append(g.joins[table], j)
}

// ReplaceTable swaps a reference table's rows in a built graph: every join
// reading the table gets the new rows and a new index. Call it between
// pushes (from the goroutine that pushes rows), so each row is joined with
// either the old table or the new one, never a mix.
func (g *Graph) ReplaceTable(name string, rows [][]value.Value) error {
	if _, ok := g.tableRows[name]; !ok {
		return fmt.Errorf("no reference table %s", quoteName(name))
	}
	g.tableRows[name] = rows
	for _, j := range g.joins[name] {
		j.Table = rows
		j.Build()
	}
	return nil
}
