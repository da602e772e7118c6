package operators

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"slices"
	"unsafe"

	"github.com/streamsql/streamsql/value"
)

// Node is one running operator as the runtime shows it: a name that is
// stable for a given plan (the pump, the operator's kind and, for a second
// operator of one kind, its number), its row counters, the size of its
// state, and that state as bytes.
//
// A plan's Running graph lists its operators as Nodes (plan.Running.Operators)
// and snapshots them in order, so a checkpoint, a metrics endpoint and
// `explain --analyze` all see the same list.
type Node interface {
	Name() string
	Counters() Counters
	Stateful
}

// Counters are the rows an operator received and emitted since it started
// (or since the run its state was restored from started).
type Counters struct {
	RowsIn, RowsOut int64
}

// Stateful is the part of an operator that outlives a restart: what it
// holds between batches (open groups, buffered rows, sketches, random
// state). Snapshot writes it; Restore reads it into an operator built from
// the same plan that has not yet received a row, after which the operator
// behaves exactly as the snapshotted one would have. An operator with
// nothing to keep (a filter, a projection) writes nothing.
//
// Snapshot and Restore are called between pushes, from the goroutine that
// pushes rows. The encoding is StateWriter's: deterministic (the same state
// gives the same bytes) and compact.
type Stateful interface {
	StateSize() StateSize
	Snapshot(w io.Writer) error
	Restore(r io.Reader) error
}

// StateSize is how much an operator holds: open groups (windows, keys,
// partitions), buffered rows, and an estimate of the bytes behind them.
type StateSize struct {
	Groups, Rows, Bytes int64
}

// Add sums two sizes.
func (s StateSize) Add(o StateSize) StateSize {
	return StateSize{Groups: s.Groups + o.Groups, Rows: s.Rows + o.Rows, Bytes: s.Bytes + o.Bytes}
}

// RowBytes estimates the memory of a row of values.
func RowBytes(row []value.Value) int64 {
	n := int64(len(row)) * valueSize
	for _, v := range row {
		n += int64(len(v.S))
	}
	return n
}

const valueSize = int64(unsafe.Sizeof(value.Value{}))

// StateWriter encodes operator state: unsigned and signed varints
// (encoding/binary), floats as their IEEE bits, strings length-prefixed.
// It appends to one buffer; WriteTo hands it to the io.Writer.
type StateWriter struct{ buf []byte }

func (w *StateWriter) Uvarint(u uint64) { w.buf = binary.AppendUvarint(w.buf, u) }
func (w *StateWriter) Varint(i int64)   { w.buf = binary.AppendVarint(w.buf, i) }
func (w *StateWriter) Int(i int)        { w.Varint(int64(i)) }
func (w *StateWriter) Float(f float64) {
	w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(f))
}
func (w *StateWriter) Bool(b bool) {
	if b {
		w.buf = append(w.buf, 1)
	} else {
		w.buf = append(w.buf, 0)
	}
}
func (w *StateWriter) String(s string) {
	w.Uvarint(uint64(len(s)))
	w.buf = append(w.buf, s...)
}
func (w *StateWriter) Bytes(b []byte) {
	w.Uvarint(uint64(len(b)))
	w.buf = append(w.buf, b...)
}

// Value writes one SQL value, ROW values included.
func (w *StateWriter) Value(v value.Value) {
	w.buf = append(w.buf, byte(v.K))
	switch v.K {
	case value.KNull:
	case value.KFloat:
		w.Float(v.F)
	case value.KString, value.KBinary:
		w.String(v.S)
	case value.KDecimal:
		w.buf = append(w.buf, v.Scale)
		w.Varint(v.I)
	case value.KRow:
		w.Bool(v.R != nil)
		if v.R != nil {
			w.Uvarint(uint64(len(v.R.Fields)))
			for i, f := range v.R.Fields {
				w.String(v.R.Names[i])
				w.Type(v.R.Types[i])
				w.Value(f)
			}
		}
	default:
		w.Varint(v.I)
	}
}

// Type writes an SQL type.
func (w *StateWriter) Type(t value.Type) {
	w.buf = append(w.buf, byte(t.Base))
	w.Int(t.Len)
	w.Int(t.Precision)
	w.Int(t.Scale)
	w.Bool(t.NotNull)
	w.Uvarint(uint64(len(t.Fields)))
	for _, f := range t.Fields {
		w.String(f.Name)
		w.Type(f.Type)
	}
}

// Row writes a row of known width (the reader knows it too).
func (w *StateWriter) Row(row []value.Value) {
	for _, v := range row {
		w.Value(v)
	}
}

// Batch writes a batch's rows and times.
func (w *StateWriter) Batch(b *Batch) { w.batchFrom(b, 0) }

// WriteTo writes what was encoded.
func (w *StateWriter) WriteTo(dst io.Writer) (int64, error) {
	n, err := dst.Write(w.buf)
	return int64(n), err
}

// Write appends p as it is: a StateWriter is an io.Writer, so that a
// Snapshot given one (WriteState) encodes into it in place, without a
// buffer of its own to copy from.
func (w *StateWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	return len(p), nil
}

// NewStateWriter returns a writer appending to buf (reused: a checkpoint
// encodes into the buffer of the one before).
func NewStateWriter(buf []byte) *StateWriter { return &StateWriter{buf: buf} }

// Encoded is what was written so far (the writer's own buffer).
func (w *StateWriter) Encoded() []byte { return w.buf }

// Len is the number of bytes encoded so far.
func (w *StateWriter) Len() int { return len(w.buf) }

// OpenBlob starts a length-prefixed part (an operator's state inside a
// graph's, say) that is encoded in place: it reserves the length, 8 bytes
// little-endian, that CloseBlob fills in. StateReader.Blob reads it.
func (w *StateWriter) OpenBlob() int {
	w.buf = append(w.buf, 0, 0, 0, 0, 0, 0, 0, 0)
	return len(w.buf)
}

// CloseBlob ends the part OpenBlob started (at is what it returned).
func (w *StateWriter) CloseBlob(at int) {
	binary.LittleEndian.PutUint64(w.buf[at-8:at], uint64(len(w.buf)-at))
}

// Grow makes room for n more bytes, so that a large state (a checkpoint of
// the size of the last one, say) is not copied again and again as it grows.
// When the buffer must grow it gets an eighth more room to spare, so that
// a state a little larger than the last one still fits the next time.
func (w *StateWriter) Grow(n int) {
	if cap(w.buf)-len(w.buf) < n {
		w.buf = slices.Grow(w.buf, n+n/8)
	}
}

// Seal appends a CRC-32C of everything written since offset start, so
// that Unseal can tell a damaged state (a torn write, a flipped bit) from
// a valid one.
func (w *StateWriter) Seal(start int) {
	w.buf = binary.LittleEndian.AppendUint32(w.buf, crc32.Checksum(w.buf[start:], castagnoli))
}

// SealSize is the number of bytes Seal and SealBytes append.
const SealSize = 4

// SealBytes appends to b the checksum Seal would append to it (CRC-32C of
// all of b), for bytes laid out by a StateWriter and sealed later (a
// checkpoint sealed in the background); Unseal checks it.
func SealBytes(b []byte) []byte {
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrCorrupt is the error of state whose checksum does not match.
var ErrCorrupt = errors.New("the state is damaged (its checksum does not match)")

// Unseal checks the checksum Seal appended and returns the state before it.
func Unseal(b []byte) ([]byte, error) {
	if len(b) < SealSize {
		return nil, ErrCorrupt
	}
	body := b[:len(b)-SealSize]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(b[len(b)-SealSize:]) {
		return nil, ErrCorrupt
	}
	return body, nil
}

// StateReader decodes what a StateWriter wrote. The first error sticks:
// later reads return zero values, and Err reports it.
type StateReader struct {
	b   []byte
	err error
}

// NewStateReader reads all of r.
func NewStateReader(r io.Reader) *StateReader {
	b, err := io.ReadAll(r)
	return &StateReader{b: b, err: err}
}

var errShort = errors.New("state ends early")

func (r *StateReader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.b = nil
}

// Failf records a decoding error (state that does not fit the operator).
func (r *StateReader) Failf(format string, args ...any) { r.fail(fmt.Errorf(format, args...)) }

func (r *StateReader) Uvarint() uint64 {
	u, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail(errShort)
		return 0
	}
	r.b = r.b[n:]
	return u
}
func (r *StateReader) Varint() int64 {
	i, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail(errShort)
		return 0
	}
	r.b = r.b[n:]
	return i
}
func (r *StateReader) Int() int { return int(r.Varint()) }

// Len reads a count and checks it against what is left (each item takes at
// least one byte), so corrupt state cannot make a huge allocation.
func (r *StateReader) Len() int {
	u := r.Uvarint()
	if u > uint64(len(r.b)) {
		r.fail(errShort)
		return 0
	}
	return int(u)
}
func (r *StateReader) Float() float64 {
	if len(r.b) < 8 {
		r.fail(errShort)
		return 0
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
	r.b = r.b[8:]
	return f
}
func (r *StateReader) byte1() byte {
	if len(r.b) < 1 {
		r.fail(errShort)
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}
func (r *StateReader) Bool() bool { return r.byte1() != 0 }
func (r *StateReader) String() string {
	n := r.Len()
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}
func (r *StateReader) Bytes() []byte {
	n := r.Len()
	b := append([]byte(nil), r.b[:n]...)
	r.b = r.b[n:]
	return b
}

// Blob reads a part written between OpenBlob and CloseBlob (not copied:
// it is part of the reader's bytes).
func (r *StateReader) Blob() []byte {
	if len(r.b) < 8 {
		r.fail(errShort)
		return nil
	}
	n := binary.LittleEndian.Uint64(r.b)
	if n > uint64(len(r.b)-8) {
		r.fail(errShort)
		return nil
	}
	b := r.b[8 : 8+n : 8+n]
	r.b = r.b[8+n:]
	return b
}

// Value reads one SQL value.
func (r *StateReader) Value() value.Value {
	v := value.Value{K: value.Kind(r.byte1())}
	switch v.K {
	case value.KNull:
	case value.KFloat:
		v.F = r.Float()
	case value.KString, value.KBinary:
		v.S = r.String()
	case value.KDecimal:
		v.Scale = r.byte1()
		v.I = r.Varint()
	case value.KRow:
		if r.Bool() {
			n := r.Len()
			c := &value.Composite{Names: make([]string, n), Types: make([]value.Type, n), Fields: make([]value.Value, n)}
			for i := 0; i < n; i++ {
				c.Names[i] = r.String()
				c.Types[i] = r.Type()
				c.Fields[i] = r.Value()
			}
			v.R = c
		}
	default:
		if v.K > value.KRow {
			r.Failf("unknown value kind %d", v.K)
		}
		v.I = r.Varint()
	}
	return v
}

// Type reads an SQL type.
func (r *StateReader) Type() value.Type {
	t := value.Type{Base: value.Base(r.byte1()), Len: r.Int(), Precision: r.Int(), Scale: r.Int(), NotNull: r.Bool()}
	if n := r.Len(); n > 0 {
		t.Fields = make([]value.Field, n)
		for i := range t.Fields {
			t.Fields[i] = value.Field{Name: r.String(), Type: r.Type()}
		}
	}
	return t
}

// Row reads width values.
func (r *StateReader) Row(width int) []value.Value {
	row := make([]value.Value, width)
	for i := range row {
		row[i] = r.Value()
	}
	return row
}

// Batch reads a batch (nil if a nil one was written).
func (r *StateReader) Batch() *Batch {
	w := r.Int()
	if w < 0 || r.err != nil {
		return nil
	}
	n := r.Len()
	b := NewBatch(w, n)
	for i := 0; i < n && r.err == nil; i++ {
		t := r.Varint()
		row := b.Grow(t)
		for j := range row {
			row[j] = r.Value()
		}
	}
	return b
}

// Err is the first decoding error.
func (r *StateReader) Err() error { return r.err }

// End is Err, or an error if bytes are left over: call it when done.
func (r *StateReader) End() error {
	if r.err == nil && len(r.b) > 0 {
		return fmt.Errorf("%d bytes of state left over", len(r.b))
	}
	return r.err
}

// Floats writes a slice of float64.
func (w *StateWriter) Floats(fs []float64) {
	w.Uvarint(uint64(len(fs)))
	for _, f := range fs {
		w.Float(f)
	}
}

// Int32s writes a slice of int32.
func (w *StateWriter) Int32s(is []int32) {
	w.Uvarint(uint64(len(is)))
	for _, i := range is {
		w.Varint(int64(i))
	}
}

// Int64s writes a slice of int64.
func (w *StateWriter) Int64s(is []int64) {
	w.Uvarint(uint64(len(is)))
	for _, i := range is {
		w.Varint(i)
	}
}

// Floats reads a slice of float64 (nil when empty).
func (r *StateReader) Floats() []float64 {
	n := r.Len()
	if n == 0 {
		return nil
	}
	fs := make([]float64, n)
	for i := range fs {
		fs[i] = r.Float()
	}
	return fs
}

// Int32s reads a slice of int32 (nil when empty).
func (r *StateReader) Int32s() []int32 {
	n := r.Len()
	if n == 0 {
		return nil
	}
	is := make([]int32, n)
	for i := range is {
		is[i] = int32(r.Varint())
	}
	return is
}

// Int64s reads a slice of int64 (nil when empty).
func (r *StateReader) Int64s() []int64 {
	n := r.Len()
	if n == 0 {
		return nil
	}
	is := make([]int64, n)
	for i := range is {
		is[i] = r.Varint()
	}
	return is
}

// WriteState encodes with f and writes the bytes to w: the body of most
// Snapshot methods. When w is a StateWriter, f encodes into it directly.
func WriteState(w io.Writer, f func(*StateWriter)) error {
	return EncodeState(w, func(sw *StateWriter) error { f(sw); return nil })
}

// EncodeState is WriteState of an encoding that can fail (a graph's, whose
// operators may): on an error nothing is written to a w that is not a
// StateWriter.
func EncodeState(w io.Writer, f func(*StateWriter) error) error {
	if sw, ok := w.(*StateWriter); ok {
		return f(sw)
	}
	var sw StateWriter
	if err := f(&sw); err != nil {
		return err
	}
	_, err := sw.WriteTo(w)
	return err
}

// ReadState decodes all of r with f: the body of most Restore methods. It
// fails if f reads past the end or leaves bytes unread.
func ReadState(r io.Reader, f func(*StateReader)) error {
	sr := NewStateReader(r)
	if sr.err == nil {
		f(sr)
	}
	return sr.End()
}
