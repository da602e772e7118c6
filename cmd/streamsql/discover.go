package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/discover"
	"github.com/streamsql/streamsql/input"
)

// cmdDiscover infers an input schema from a recording, a get-records
// sample piped on stdin, or a data file (like an S3 object), and prints the
// Inputs block ready to paste into an application file.
func cmdDiscover(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("discover", "discover RECORDING|DATAFILE|- [flags]", stderr)
	format := fs.String("format", "", "record format JSON or CSV (default: detected)")
	header := fs.Bool("header", false, "CSV: the first row is a header (default: detected)")
	noHeader := fs.Bool("no-header", false, "CSV: the first row is data; columns are named COL1, COL2, ...")
	delim := fs.String("delimiter", "", "CSV column delimiter (default: detected among , tab ; |)")
	limit := fs.Int("limit", 1000, "read at most this many records")
	prefix := fs.String("prefix", "SOURCE_SQL_STREAM", "NamePrefix of the Inputs block")
	output := fs.String("output", "yaml", "yaml: the Inputs block; json: DiscoverInputSchema's response (InputSchema, ParsedInputRecords, RawInputRecords)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	path, err := oneArg("discover", pos, "recording or data file")
	if err != nil {
		return err
	}
	if *header && *noHeader {
		return &usageError{"discover: --header and --no-header contradict each other"}
	}
	var b []byte
	if path == "-" {
		b, err = io.ReadAll(os.Stdin)
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return err
	}
	records, kind, bad, err := sampleRecords(b, path, *limit)
	if err != nil {
		return err
	}
	if bad > 0 {
		fmt.Fprintf(stderr, "streamsql: warning: discover: skipped %d recording line(s) that could not be read\n", bad)
	}
	o := discover.Options{Format: *format, ColumnDelimiter: *delim}
	if *header {
		o.Header = 1
	} else if *noHeader {
		o.Header = -1
	}
	res, err := discover.Infer(records, o)
	if err != nil {
		return fmt.Errorf("discover %s: %w", path, err)
	}
	if res.Skipped > 0 {
		fmt.Fprintf(stderr, "streamsql: warning: discover: skipped %d record(s) that are not valid JSON; the first: %s\n", res.Skipped, res.FirstSkipped)
	}
	fmt.Fprintf(stderr, "streamsql: discovered %d columns (%s) from %d %s in %s\n", len(res.InputSchema.RecordColumns),
		res.InputSchema.RecordFormat.RecordFormatType, len(records), kind, path)
	switch *output {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	case "yaml":
		doc := struct {
			Inputs []app.Input `json:"Inputs" yaml:"Inputs"`
		}{[]app.Input{{NamePrefix: *prefix, InputSchema: res.InputSchema}}}
		return app.EncodeYAML(stdout, doc)
	}
	return &usageError{fmt.Sprintf("discover: --output %q: want yaml or json", *output)}
}

// sampleRecords reads record payloads: from a recording (Kinesis records
// as JSON Lines, or get-records output), or, for any other file, its whole
// content as one record, as DiscoverInputSchema reads an S3 object.
func sampleRecords(b []byte, name string, limit int) (records [][]byte, kind string, bad int, err error) {
	first := b
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		first = b[:i]
	}
	var probe map[string]json.RawMessage
	isRecording := json.Unmarshal(bytes.TrimSpace(first), &probe) == nil && probe["Data"] != nil
	if !isRecording && bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
		var doc map[string]json.RawMessage
		isRecording = json.Unmarshal(b, &doc) == nil && doc["Records"] != nil
	}
	if !isRecording {
		return [][]byte{b}, "data file", 0, nil
	}
	r, err := input.NewReader(bytes.NewReader(b), name, input.Options{Rate: 1})
	if err != nil {
		return nil, "", 0, err
	}
	for len(records) < limit {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var le *input.LineError
		if errors.As(err, &le) {
			bad++
			continue
		}
		if err != nil {
			return nil, "", bad, err
		}
		records = append(records, rec.Data)
	}
	return records, "records", bad, nil
}
