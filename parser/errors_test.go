package parser_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/streamsql/streamsql/internal/errtest"
	"github.com/streamsql/streamsql/parser"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the ERROR comments of testdata/errors/*.sql to the errors found")

// TestErrorComments parses every testdata/errors/*.sql file: each error
// must be reported at the token an /* ERROR "rx" */ comment follows, with
// a message matching rx, and nothing else.
func TestErrorComments(t *testing.T) {
	files, _ := filepath.Glob("testdata/errors/*.sql")
	if len(files) < 4 {
		t.Fatalf("only %d error files", len(files))
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			src := string(b)
			_, err = parser.ParseScript(path, src)
			var list parser.ErrorList
			if err != nil && !errors.As(err, &list) {
				t.Fatal(err)
			}
			if *rewrite {
				if err := os.WriteFile(path, []byte(errtest.Rewrite(src, list)), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, f := range errtest.Check(parser.NewFile(path, src), list) {
				t.Error(f)
			}
		})
	}
}
