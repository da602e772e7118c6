package plan

import "testing"

// Every table function the planner knows is described, and nothing else.
func TestTableFunctionDocs(t *testing.T) {
	docs := map[string]bool{}
	for _, d := range TableFunctions() {
		if d.Args == "" || d.Returns == "" || d.Description == "" {
			t.Errorf("%s: incomplete %+v", d.Name, d)
		}
		docs[d.Name] = true
	}
	want := map[string]bool{"GROUP_RANK": true}
	for name := range tableFunctions {
		want[name] = true
	}
	for name := range want {
		if !docs[name] {
			t.Errorf("%s is not described", name)
		}
	}
	for name := range docs {
		if !want[name] {
			t.Errorf("%s is described but not planned", name)
		}
	}
}
