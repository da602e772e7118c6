// Package jsonscan holds the byte-level scanning that the hand-written
// JSON fast paths (input's envelope scanner, decode's flat payload path)
// share.
package jsonscan

import (
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"unsafe"

	segjson "github.com/segmentio/encoding/json"
)

// StringEnd returns the index of the first byte at or after j that a
// string scanner has to look at: a quote, a backslash, a control byte,
// and (nonASCII) a byte of a multi-byte UTF-8 sequence; len(s) if none.
//
// It looks at eight bytes at a time: in x, a zero byte of x^q marks a
// quote, of x^b a backslash, and a borrow out of x-0x20 a control byte.
// Only the lowest flagged byte is sure to be a real one (a borrow carries
// upwards), and that is the one returned.
func StringEnd(s string, j int, nonASCII bool) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	var high uint64
	if nonASCII {
		high = highs
	}
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	for ; j+8 <= len(b); j += 8 {
		x := binary.LittleEndian.Uint64(b[j:])
		q, bs := x^(ones*'"'), x^(ones*'\\')
		if m := ((q-ones)&^q|(bs-ones)&^bs|(x-ones*0x20)&^x)&highs | x&high; m != 0 {
			return j + bits.TrailingZeros64(m)/8
		}
	}
	for ; j < len(b); j++ {
		if c := b[j]; c == '"' || c == '\\' || c < 0x20 || nonASCII && c >= 0x80 {
			return j
		}
	}
	return j
}

// Valid reports whether b is one valid JSON document, exactly as
// encoding/json.Valid does (FuzzValid and TestValidDeepNesting compare
// them). Short documents go to github.com/segmentio/encoding's validator,
// which checks eight bytes at a time and is about four times faster on
// record payloads; the payload-line reader and the JSON decoder call it
// once for every record. It does not refuse nesting deeper than
// encoding/json's limit of 10,000, and such a document is at least
// 20,002 bytes long, so longer ones go to encoding/json.
func Valid(b []byte) bool {
	if len(b) > 2*maxNesting {
		return json.Valid(b)
	}
	return segjson.Valid(b)
}

// maxNesting is encoding/json's nesting limit.
const maxNesting = 10000
