package plan

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math"
	"reflect"

	"github.com/streamsql/streamsql/parser"
)

var fileType = reflect.TypeOf((*parser.File)(nil))

// fingerprint hashes what the plan was made from: every stream and table of
// the catalog with its columns, and the script's statements as trees
// (positions, layout and comments left out). Two applications that plan
// alike get the same fingerprint; a changed column, predicate or window
// changes it.
func fingerprint(script *parser.Script, cat *Catalog) string {
	h := sha256.New()
	put := func(s string) {
		var n [binary.MaxVarintLen64]byte
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		h.Write([]byte(s))
	}
	for _, s := range cat.Streams() {
		put("stream")
		put(s.Name)
		put(map[bool]string{false: "", true: "source"}[s.Source])
		for _, c := range s.Columns {
			put(c.Name)
			put(c.Type.String())
			put(map[bool]string{false: "", true: "hidden"}[c.Hidden])
		}
	}
	for _, t := range cat.Tables() {
		put("table")
		put(t.Name)
		for _, c := range t.Columns {
			put(c.Name)
			put(c.Type.String())
		}
	}
	put("script")
	hashTree(h, reflect.ValueOf(script.Stmts))
	return hex.EncodeToString(h.Sum(nil))
}

// hashTree writes an AST value into h: its types, strings and numbers,
// skipping positions and the source file.
func hashTree(h hash.Hash, v reflect.Value) {
	var buf [binary.MaxVarintLen64 + 1]byte
	tag := func(k byte, n uint64) {
		buf[0] = k
		h.Write(buf[:1+binary.PutUvarint(buf[1:], n)])
	}
	if !v.IsValid() {
		tag(0, 0)
		return
	}
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			tag(0, 0)
			return
		}
		if v.Type() == fileType {
			return
		}
		if v.Kind() == reflect.Interface {
			t := v.Elem().Type().String()
			tag(1, uint64(len(t)))
			h.Write([]byte(t))
		}
		hashTree(h, v.Elem())
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.Type == posType || !f.IsExported() {
				continue
			}
			hashTree(h, v.Field(i))
		}
	case reflect.Slice, reflect.Array:
		tag(2, uint64(v.Len()))
		for i := 0; i < v.Len(); i++ {
			hashTree(h, v.Index(i))
		}
	case reflect.String:
		tag(3, uint64(v.Len()))
		h.Write([]byte(v.String()))
	case reflect.Bool:
		if v.Bool() {
			tag(4, 1)
		} else {
			tag(4, 0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		tag(5, uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		tag(6, v.Uint())
	case reflect.Float32, reflect.Float64:
		tag(7, math.Float64bits(v.Float()))
	}
}
