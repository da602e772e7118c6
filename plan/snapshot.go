package plan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/streamsql/streamsql/operators"
	"github.com/streamsql/streamsql/value"
)

// snapshotMagic starts every snapshot; snapshotVersion changes whenever an
// operator's encoding does, and Restore refuses other versions.
const (
	snapshotMagic   = "streamsql-state"
	snapshotVersion = 2
)

// Snapshot writes the state of every operator, and the reference tables
// in use, to w as one byte stream:
//
//	magic, version, plan fingerprint,
//	the reference tables (name, width, rows), by name,
//	per operator: name, rows in, rows out, its state (a blob: 8 bytes of
//	length, then the state, which the operator encodes in place),
//	a CRC-32C of all the above.
//
// Call it between pushes. The same state gives the same bytes. Given an
// operators.StateWriter, it appends to it and copies nothing.
func (r *Running) Snapshot(w io.Writer) error {
	return operators.EncodeState(w, func(sw *operators.StateWriter) error {
		start := sw.Len()
		sw.Grow(r.snapLen)
		sw.String(snapshotMagic)
		sw.Uvarint(snapshotVersion)
		sw.String(r.plan.Fingerprint())
		names := slices.Sorted(maps.Keys(r.tables))
		sw.Uvarint(uint64(len(names)))
		for _, name := range names {
			sw.String(name)
			rows := r.tables[name]
			sw.Uvarint(uint64(len(rows)))
			for _, row := range rows {
				sw.Uvarint(uint64(len(row)))
				sw.Row(row)
			}
		}
		sw.Uvarint(uint64(len(r.nodes)))
		for _, n := range r.nodes {
			sw.String(n.name)
			sw.Varint(n.in)
			sw.Varint(n.out)
			at := sw.OpenBlob()
			if err := n.Snapshot(sw); err != nil {
				return fmt.Errorf("snapshot of %s: %w", n.name, err)
			}
			sw.CloseBlob(at)
		}
		sw.Seal(start)
		r.snapLen = sw.Len() - start
		return nil
	})
}

// Restore reads a Snapshot into r, which must be a new Running (no row
// pushed yet) of a plan with the same fingerprint.
func (r *Running) Restore(rd io.Reader) error {
	data, err := io.ReadAll(rd)
	if err != nil {
		return fmt.Errorf("reading the state snapshot: %w", err)
	}
	if !bytes.HasPrefix(data, []byte{byte(len(snapshotMagic))}) || !bytes.HasPrefix(data[1:], []byte(snapshotMagic)) {
		return errors.New("not a streamsql state snapshot")
	}
	if data, err = operators.Unseal(data); err != nil {
		return fmt.Errorf("state snapshot: %w", err)
	}
	sr := operators.NewStateReader(bytes.NewReader(data))
	_ = sr.String() // the magic, checked above
	if v := sr.Uvarint(); v != snapshotVersion {
		return fmt.Errorf("state snapshot version %d; this streamsql reads version %d", v, snapshotVersion)
	}
	if fp := sr.String(); fp != r.plan.Fingerprint() {
		return fmt.Errorf("the state snapshot is of another application (plan fingerprint %.12s, this application's is %.12s): its streams, tables or statements changed since the snapshot was taken", fp, r.plan.Fingerprint())
	}
	tables := map[string][][]value.Value{}
	for i, n := 0, sr.Len(); i < n; i++ {
		name := sr.String()
		rows := make([][]value.Value, sr.Len())
		for k := range rows {
			rows[k] = sr.Row(sr.Len())
		}
		tables[name] = rows
	}
	if err := sr.Err(); err != nil {
		return fmt.Errorf("state snapshot: %w", err)
	}
	for name, rows := range tables {
		if err := r.ReplaceTable(name, rows); err != nil {
			return fmt.Errorf("state snapshot: %w", err)
		}
	}
	if n := sr.Len(); n != len(r.nodes) {
		return fmt.Errorf("state snapshot has %d operators; the plan has %d", n, len(r.nodes))
	}
	for _, n := range r.nodes {
		name := sr.String()
		in, out := sr.Varint(), sr.Varint()
		state := sr.Blob()
		if err := sr.Err(); err != nil {
			return fmt.Errorf("state snapshot: %w", err)
		}
		if name != n.name {
			return fmt.Errorf("state snapshot has operator %s where the plan has %s", name, n.name)
		}
		n.in, n.out = in, out
		if err := n.Restore(bytes.NewReader(state)); err != nil {
			return fmt.Errorf("restoring %s: %w", n.name, err)
		}
	}
	return sr.End()
}

// Snapshot writes the operator's state.
func (n *node) Snapshot(w io.Writer) error {
	s, ok := n.op.(operators.Stateful)
	if !ok {
		return fmt.Errorf("operator %s (%T) cannot snapshot its state yet", n.name, n.op)
	}
	return s.Snapshot(w)
}

// Restore reads the operator's state.
func (n *node) Restore(r io.Reader) error {
	s, ok := n.op.(operators.Stateful)
	if !ok {
		return fmt.Errorf("operator %s (%T) cannot restore its state yet", n.name, n.op)
	}
	return s.Restore(r)
}
