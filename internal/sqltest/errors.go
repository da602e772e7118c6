package sqltest

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/streamsql/streamsql/internal/errtest"
	"github.com/streamsql/streamsql/parser"
)

// Annotated reports whether the script's SQL carries /* ERROR "rx" */
// comments: then it is an error test, and parsing or planning must report
// exactly those errors, each at the token its comment follows.
func (s *Script) Annotated() bool { return errtest.Has(s.SQL) }

// FoundErrors parses and plans the script and returns the errors found.
func (s *Script) FoundErrors() (parser.ErrorList, error) {
	_, err := s.plan()
	return errorList(err)
}

func errorList(err error) (parser.ErrorList, error) {
	var list parser.ErrorList
	if err != nil && !errors.As(err, &list) {
		return nil, err
	}
	return list, nil
}

func (s *Script) checkErrors(err error) []string {
	list, err := errorList(err)
	if err != nil {
		return []string{err.Error()}
	}
	return errtest.Check(parser.NewFileAt(s.File, s.SQL, s.SQLLine), list)
}

// Rewrite replaces the ERROR comments of the script's file with the errors
// its SQL gives now (go test ./internal/sqltest -rewrite).
func (s *Script) Rewrite() error {
	list, err := s.FoundErrors()
	if err != nil {
		return err
	}
	b, err := os.ReadFile(s.File)
	if err != nil {
		return err
	}
	text := string(b)
	start := 0
	for line := 1; line < s.SQLLine; line++ {
		i := strings.IndexByte(text[start:], '\n')
		if i < 0 {
			return fmt.Errorf("%s: no line %d", s.File, s.SQLLine)
		}
		start += i + 1
	}
	if !strings.HasPrefix(text[start:], s.SQL) {
		return fmt.Errorf("%s: the sql block is not where it was read (CR line ends?)", s.File)
	}
	out := text[:start] + errtest.Rewrite(s.SQL, list) + text[start+len(s.SQL):]
	return os.WriteFile(s.File, []byte(out), 0o644)
}
