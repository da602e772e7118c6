// Package reference loads reference tables: one CSV or JSON object, mapped
// with the application's ReferenceSchema.
package reference

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/streamsql/streamsql/decode"
	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

// Table is a loaded reference table.
type Table struct {
	Name    string
	Columns []decode.Column
	Rows    [][]value.Value
}

// Load reads a whole object. Rows that do not fit the schema go to errs and
// are skipped; the load itself fails only if the object cannot be read.
func Load(name string, r io.Reader, s decode.Schema, errs operators.ErrorSink) (*Table, error) {
	d, err := decode.New(s)
	if err != nil {
		return nil, fmt.Errorf("reference table %s: %w", name, err)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reference table %s: %w", name, err)
	}
	// Spreadsheets save CSV with a UTF-8 byte order mark, which would
	// otherwise become part of the first row's first key.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	return &Table{Name: name, Columns: s.Columns, Rows: d.DecodeTable(data, errs)}, nil
}

// LoadFile loads a table from a local file.
func LoadFile(name, path string, s decode.Schema, errs operators.ErrorSink) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Load(name, f, s, errs)
}
