package input

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"unicode/utf8"
	"unsafe"

	fastbase64 "github.com/segmentio/asm/base64"

	"github.com/streamsql/streamsql/internal/jsonscan"
)

// The single-pass envelope scanner. A recording line is almost always the
// object `streamsql record` writes: five string fields, no escapes. The
// scanner reads that shape in one pass over the line, without reflection
// or allocation beyond the record's own strings, and declines everything
// else (escapes, nested values, keys that differ from the field names only
// in case, numbers out of range, any error): those lines take the
// encoding/json path, which stays the definition of what a line means.
// FuzzScanEnvelope checks that both agree on every line the scanner takes.

// envelope is what the scanner found in one line; the slices point into
// the line.
type envelope struct {
	seq, arrival, data, pk, shard []byte
	hasData, hasArrival           bool
	arrivalString                 bool
}

// scanEnvelope reads a Kinesis record object; false means "use
// encoding/json".
func scanEnvelope(line []byte, e *envelope) bool {
	*e = envelope{}
	i := skipSpace(line, 0)
	if i >= len(line) || line[i] != '{' {
		return false
	}
	i = skipSpace(line, i+1)
	if i < len(line) && line[i] == '}' {
		return skipSpace(line, i+1) == len(line)
	}
	for {
		field, j := fieldKey(line, i)
		if j < 0 {
			key, k, ok := scanString(line, i)
			if !ok {
				return false
			}
			if field, j = envelopeField(key), k; field < 0 {
				return false // a key encoding/json might match ignoring case
			}
		}
		i = skipSpace(line, j)
		if i >= len(line) || line[i] != ':' {
			return false
		}
		i = skipSpace(line, i+1)
		if i >= len(line) {
			return false
		}
		var val []byte
		isString, isNull := line[i] == '"', false
		switch {
		case isString && field == fData:
			if e.hasData {
				return false // only the last is decoded, so only one is judged by base64
			}
			// The payload needs no byte-by-byte look: base64 rejects control
			// bytes and non-ASCII, all but the line breaks it skips (which a
			// JSON string cannot hold raw); a backslash may have escaped the
			// quote found.
			n := bytes.IndexByte(line[i+1:], '"')
			if n < 0 {
				return false
			}
			val, j = line[i+1:i+1+n], i+2+n
			if bytes.IndexByte(val, '\\') >= 0 || bytes.IndexByte(val, '\r') >= 0 || bytes.IndexByte(val, '\n') >= 0 {
				return false
			}
		case isString:
			var ok bool
			if val, j, ok = scanString(line, i); !ok {
				return false
			}
		case field == fOther:
			if j = scanNumber(line, i); j < 0 {
				if j = scanLiteral(line, i, "null"); j < 0 {
					return false
				}
			}
		case field == fArrival:
			if j = scanNumber(line, i); j < 0 {
				return false
			}
			val = line[i:j]
		default:
			// null leaves a string field as it was and unsets Data.
			if j = scanLiteral(line, i, "null"); j < 0 {
				return false
			}
			isNull = true
		}
		switch {
		case field == fData:
			e.data, e.hasData = val, !isNull
		case isNull:
		case field == fSeq:
			e.seq = val
		case field == fPK:
			e.pk = val
		case field == fShard:
			e.shard = val
		case field == fArrival:
			e.arrival, e.hasArrival, e.arrivalString = val, true, isString
		}
		i = skipSpace(line, j)
		if i >= len(line) {
			return false
		}
		switch line[i] {
		case ',':
			i = skipSpace(line, i+1)
		case '}':
			return skipSpace(line, i+1) == len(line)
		default:
			return false
		}
	}
}

const (
	fOther = iota
	fSeq
	fArrival
	fData
	fPK
	fShard
)

// fieldKey reads the usual key at b[i], one of the fields spelled exactly,
// without a scan of the string: the field and the index after the closing
// quote; j < 0 for any other key.
func fieldKey(b []byte, i int) (field, j int) {
	if i+2 >= len(b) || b[i] != '"' {
		return 0, -1
	}
	var name string
	switch b[i+1] {
	case 'S':
		name, field = "SequenceNumber", fSeq
		if b[i+2] == 'h' {
			name, field = "ShardId", fShard
		}
	case 'A':
		name, field = "ApproximateArrivalTimestamp", fArrival
	case 'D':
		name, field = "Data", fData
	case 'P':
		name, field = "PartitionKey", fPK
	default:
		return 0, -1
	}
	if end := i + 1 + len(name); end < len(b) && b[end] == '"' && string(b[i+1:end]) == name {
		return field, end + 1
	}
	return 0, -1
}

// envelopeField names a key; -1 for a key that is not one of the fields
// but could match one under encoding/json's case folding (or holds bytes
// this scanner does not judge).
func envelopeField(key []byte) int {
	switch string(key) {
	case "SequenceNumber":
		return fSeq
	case "ApproximateArrivalTimestamp":
		return fArrival
	case "Data":
		return fData
	case "PartitionKey":
		return fPK
	case "ShardId":
		return fShard
	}
	for _, name := range [...]string{"SequenceNumber", "ApproximateArrivalTimestamp", "Data", "PartitionKey", "ShardId"} {
		if foldsTo(key, name) {
			return -1
		}
	}
	return fOther
}

func equalFoldASCII(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanString reads a string of valid UTF-8 without escapes or control
// bytes at b[i] (which must be '"'); it returns the contents and the index
// after it. (encoding/json would replace invalid UTF-8, so such a string
// is left to it.)
func scanString(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, 0, false
	}
	s := unsafe.String(unsafe.SliceData(b), len(b))
	ascii := true
	for j := jsonscan.StringEnd(s, i+1, true); j < len(b); j = jsonscan.StringEnd(s, j+1, ascii) {
		switch c := b[j]; {
		case c == '"':
			if !ascii && !utf8.Valid(b[i+1:j]) {
				return nil, 0, false
			}
			return b[i+1 : j], j + 1, true
		case c >= utf8.RuneSelf:
			ascii = false // judged once, at the end
		default:
			return nil, 0, false // an escape or a control byte
		}
	}
	return nil, 0, false
}

// scanNumber returns the end of a JSON number at b[i], or -1.
func scanNumber(b []byte, i int) int {
	j := i
	if j < len(b) && b[j] == '-' {
		j++
	}
	switch {
	case j < len(b) && b[j] == '0':
		j++
	case j < len(b) && '1' <= b[j] && b[j] <= '9':
		for j < len(b) && '0' <= b[j] && b[j] <= '9' {
			j++
		}
	default:
		return -1
	}
	if j < len(b) && b[j] == '.' {
		if j = digitsEnd(b, j+1); j < 0 {
			return -1
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		if j = digitsEnd(b, j); j < 0 {
			return -1
		}
	}
	return j
}

// digitsEnd returns the end of one or more digits at b[i], or -1.
func digitsEnd(b []byte, i int) int {
	j := i
	for j < len(b) && '0' <= b[j] && b[j] <= '9' {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

func scanLiteral(b []byte, i int, lit string) int {
	if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
		return i + len(lit)
	}
	return -1
}

// fastRecord turns a scanned envelope into a record; false means the slow
// path must decide (an error, or a value the fast paths do not read).
func (r *reader) fastRecord(e *envelope) (Record, bool) {
	if !e.hasData || !e.hasArrival {
		return Record{}, false
	}
	ms, ok := r.arrival(e.arrival, e.arrivalString)
	if !ok {
		return Record{}, false
	}
	// One allocation holds what the record owns: the payload, then the
	// sequence number and the partition key. Rows decoded from the payload
	// point into it (decode.Decoder.Stable), so a row a window keeps pins
	// this record's bytes and no other's.
	n := base64.StdEncoding.DecodedLen(len(e.data))
	buf := r.alloc(n + len(e.seq) + len(e.pk))
	// segmentio/asm decodes the payload 32 characters at a time with AVX2
	// (where the CPU has it), and hands what its blocks do not cover to
	// encoding/base64: the same bytes, accepted and rejected alike (an
	// error takes the slow path, where encoding/base64 alone decides).
	m, err := fastbase64.StdEncoding.Decode(buf[:n], e.data)
	if err != nil {
		return Record{}, false
	}
	if r.arena != nil {
		*r.arena = (*r.arena)[:len(*r.arena)+len(buf)]
	}
	rec := Record{Data: buf[:m:m], Arrival: ms, ShardID: r.intern(e.shard)}
	if k := len(e.seq) + len(e.pk); k > 0 {
		tail := buf[n:]
		copy(tail[copy(tail, e.seq):], e.pk)
		s := unsafe.String(&tail[0], k)
		rec.SequenceNumber, rec.PartitionKey = s[:len(e.seq)], s[len(e.seq):]
	}
	return rec, true
}

// alloc returns size bytes for a record to own: its own allocation, or
// the free end of the arena (which the caller then takes by extending the
// arena's length). A full arena is replaced by one twice its size, not
// grown: the records already in it keep pointing at the old bytes.
func (r *reader) alloc(size int) []byte {
	if r.arena == nil {
		return make([]byte, size)
	}
	a := *r.arena
	if cap(a)-len(a) < size {
		a = make([]byte, 0, max(2*cap(a), size, 64<<10))
		*r.arena = a
	}
	return a[len(a) : len(a)+size : len(a)+size]
}

// intern returns the shard ID as a string shared by every record of the
// shard (a recording names a handful of shards a million times).
func (r *reader) intern(b []byte) string {
	if len(b) == 0 {
		return "shardId-000000000000"
	}
	if s, ok := r.shards[string(b)]; ok {
		return s
	}
	if r.shards == nil {
		r.shards = map[string]string{}
	}
	s := string(b)
	if len(r.shards) < 1<<16 {
		r.shards[s] = s
	}
	return s
}

// parseTimestamp reads the usual arrival layouts without time.Parse:
// yyyy-MM-ddTHH:mm:ss[.f{1,9}][Z|±hh:mm] and yyyy-MM-dd HH:mm:ss[.f{1,9}]
// (UTC). Anything else, or any field out of range, is left to
// parseArrival, which decides what it means.
func parseTimestamp(b []byte) (int64, bool) {
	secs, ok := timestampSecond(b)
	if !ok {
		return 0, false
	}
	return timestampRest(b, secs)
}

// timestampSecond reads the date and time to the second, b[:19] of a
// timestamp parseTimestamp reads: seconds since the epoch, before any
// offset.
func timestampSecond(b []byte) (int64, bool) {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || b[13] != ':' || b[16] != ':' || (b[10] != 'T' && b[10] != ' ') {
		return 0, false
	}
	year, ok1 := digits(b[0:4])
	month, ok2 := digits(b[5:7])
	day, ok3 := digits(b[8:10])
	hour, ok4 := digits(b[11:13])
	min, ok5 := digits(b[14:16])
	sec, ok6 := digits(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		hour > 23 || min > 59 || sec > 59 {
		return 0, false
	}
	return daysFromCivil(year, month, day)*86400 + int64(hour*3600+min*60+sec), true
}

// timestampRest reads what follows the second (fraction, offset) and
// returns the time in epoch milliseconds.
func timestampRest(b []byte, secs int64) (int64, bool) {
	rest := b[19:]
	var nanos int64
	if len(rest) > 0 && rest[0] == '.' {
		k := 1
		for k < len(rest) && '0' <= rest[k] && rest[k] <= '9' {
			k++
		}
		if k == 1 || k > 10 {
			return 0, false
		}
		f, _ := digits(rest[1:k])
		for d := k - 1; d < 9; d++ {
			f *= 10
		}
		nanos = int64(f)
		rest = rest[k:]
	}
	var offset int64
	switch {
	case len(rest) == 0:
	case b[10] != 'T':
		return 0, false
	case len(rest) == 1 && rest[0] == 'Z':
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := digits(rest[1:3])
		om, ok2 := digits(rest[4:6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return 0, false
		}
		offset = int64(oh*3600 + om*60)
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return 0, false
	}
	return (secs-offset)*1000 + nanos/1e6, true
}

func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil counts days from 1970-01-01 to a proleptic Gregorian date
// (H. Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// arrival is arrivalOf remembering the last timestamp's second: records
// of a recording mostly share their second with the record before, so the
// date and time are read once a second, and each record compares 19 bytes.
func (r *reader) arrival(raw []byte, isString bool) (int64, bool) {
	if !isString || len(raw) < 19 {
		return arrivalOf(raw, isString)
	}
	if !r.second.ok || string(raw[:19]) != string(r.second.text[:]) {
		secs, ok := timestampSecond(raw)
		if !ok {
			return 0, false
		}
		copy(r.second.text[:], raw)
		r.second.secs, r.second.ok = secs, true
	}
	return timestampRest(raw, r.second.secs)
}

// arrivalOf reads an arrival time the fast way: a usual timestamp string
// (raw without its quotes) or an epoch number; false leaves it to
// parseArrival.
func arrivalOf(raw []byte, isString bool) (int64, bool) {
	if isString {
		return parseTimestamp(raw)
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return 0, false
	}
	return epoch(f), true
}

// topLevelField finds the value of a top-level key in a JSON object line,
// the last one if the key repeats (as encoding/json into a map). ok=false
// when the line is not valid JSON, not an object, the key is absent, or a
// key holds escapes: encoding/json then decides. valid says the caller
// has checked jsonscan.Valid(line). A string value comes back
// without its quotes (isString), and only if it holds no escapes.
func topLevelField(line []byte, key string, valid bool) (raw []byte, isString, ok bool) {
	if !valid && !jsonscan.Valid(line) {
		return nil, false, false
	}
	i := skipSpace(line, 0)
	if i >= len(line) || line[i] != '{' {
		return nil, false, false
	}
	i = skipSpace(line, i+1)
	found := false
	for i < len(line) && line[i] == '"' {
		k, j, good := scanString(line, i)
		if !good {
			return nil, false, false // an escaped key (or bytes to unescape)
		}
		i = skipSpace(line, j)
		i = skipSpace(line, i+1) // the colon
		end := skipValue(line, i)
		if string(k) == key {
			raw, isString, found = line[i:end], line[i] == '"', true
		}
		i = skipSpace(line, end)
		if i < len(line) && line[i] == ',' {
			i = skipSpace(line, i+1)
		}
	}
	if !found {
		return nil, false, false
	}
	if isString {
		if bytes.IndexByte(raw, '\\') >= 0 {
			return nil, false, false
		}
		raw = raw[1 : len(raw)-1]
	}
	return raw, isString, true
}

// skipValue returns the end of the JSON value at b[i], which must be valid.
func skipValue(b []byte, i int) int {
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			if depth == 0 {
				return i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
			if depth < 0 {
				return i
			}
		case ',':
			if depth == 0 {
				return i
			}
		case ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i
			}
		}
	}
	return i
}

// scanRecordsArray splits `aws kinesis get-records` output into its
// records' objects, when reading them one by one means what decoding the
// whole document into struct{ Records []kinesisRecord } means: the
// document is valid JSON, an object with one key "Records" (no other key
// equal to it but for case) holding an array, and every element is an
// object the envelope scanner reads (so no element could fail to decode as
// a kinesisRecord). Otherwise false: encoding/json reads the document.
func scanRecordsArray(doc []byte) ([][]byte, bool) {
	if !jsonscan.Valid(doc) {
		return nil, false
	}
	i := skipSpace(doc, 0)
	if i >= len(doc) || doc[i] != '{' {
		return nil, false
	}
	i = skipSpace(doc, i+1)
	var elems [][]byte
	seen := false
	var e envelope
	for i < len(doc) && doc[i] == '"' {
		k, j, good := scanString(doc, i)
		if !good {
			return nil, false
		}
		i = skipSpace(doc, skipSpace(doc, j)+1) // past the colon
		switch {
		case string(k) == "Records":
			if seen || doc[i] != '[' {
				return nil, false
			}
			seen = true
			for i = skipSpace(doc, i+1); doc[i] != ']'; {
				end := skipValue(doc, i)
				if !scanEnvelope(doc[i:end], &e) {
					return nil, false
				}
				elems = append(elems, doc[i:end])
				if i = skipSpace(doc, end); doc[i] == ',' {
					i = skipSpace(doc, i+1)
				}
			}
			i++
		case foldsTo(k, "Records"):
			return nil, false
		default:
			i = skipValue(doc, i)
		}
		if i = skipSpace(doc, i); i < len(doc) && doc[i] == ',' {
			i = skipSpace(doc, i+1)
		}
	}
	return elems, seen
}

// foldsTo says whether encoding/json could match key to name ignoring
// case (any non-ASCII key counts: Unicode folding, K or ſ, reaches ASCII).
func foldsTo(key []byte, name string) bool {
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	return equalFoldASCII(key, name)
}
