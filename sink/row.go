package sink

import "github.com/streamsql/streamsql/value"

// AppendRow appends one row as a destination record: a JSON object (the
// column names as keys, in column order) or a CSV line without its line
// end, the forms NDJSON and CSV output print per line. Only the first
// len(cols) values are used.
func AppendRow(buf []byte, f Format, row []value.Value, cols []Column) []byte {
	if f == CSV {
		for k, c := range cols {
			if k > 0 {
				buf = append(buf, ',')
			}
			buf = appendCSV(buf, row[k], c.Type)
		}
		return buf
	}
	buf = append(buf, '{')
	for k, c := range cols {
		if k > 0 {
			buf = append(buf, ',')
		}
		buf = value.AppendJSONString(buf, c.Name)
		buf = append(buf, ':')
		buf = value.AppendJSON(buf, row[k], c.Type)
	}
	return append(buf, '}')
}
