// Package kpl reads and writes records aggregated by the Kinesis Producer
// Library: the magic bytes F3 89 9A C2, a protobuf AggregatedRecord, and
// the MD5 digest of the protobuf bytes. A record that lacks the magic bytes
// or whose digest does not match is an ordinary record (as the Kinesis
// Client Library treats it).
package kpl

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
)

// Magic starts every aggregated record.
var Magic = []byte{0xF3, 0x89, 0x9A, 0xC2}

// UserRecord is one record packed into an aggregated record.
type UserRecord struct {
	PartitionKey    string
	ExplicitHashKey string
	Data            []byte
}

// IsAggregated reports whether data has the magic bytes, room for a digest,
// and a digest that matches.
func IsAggregated(data []byte) bool {
	if len(data) < len(Magic)+md5.Size || !bytes.HasPrefix(data, Magic) {
		return false
	}
	body := data[len(Magic) : len(data)-md5.Size]
	sum := md5.Sum(body)
	return bytes.Equal(sum[:], data[len(data)-md5.Size:])
}

// Deaggregate returns the user records of an aggregated record, or
// ok=false when data is not one (no magic bytes, or the digest does not
// match: the record is then an ordinary record). A record whose digest
// matches but whose protobuf is malformed is an error.
func Deaggregate(data []byte) (recs []UserRecord, ok bool, err error) {
	if !IsAggregated(data) {
		return nil, false, nil
	}
	body := data[len(Magic) : len(data)-md5.Size]
	var pkeys, ehkeys []string
	type raw struct {
		pk, ehk uint64
		hasEHK  bool
		data    []byte
	}
	var raws []raw
	err = fields(body, func(num int, wire int, v uint64, b []byte) error {
		switch num {
		case 1, 2, 3:
			if wire != 2 {
				return fmt.Errorf("field %d: wire type %d, want bytes", num, wire)
			}
		default:
			return nil
		}
		switch num {
		case 1:
			pkeys = append(pkeys, string(b))
		case 2:
			ehkeys = append(ehkeys, string(b))
		case 3:
			var r raw
			seenPK, seenData := false, false
			if err := fields(b, func(n int, w int, v uint64, bb []byte) error {
				switch {
				case n == 1 && w == 0:
					r.pk, seenPK = v, true
				case n == 2 && w == 0:
					r.ehk, r.hasEHK = v, true
				case n == 3 && w == 2:
					r.data, seenData = bb, true
				case n <= 3:
					return fmt.Errorf("record field %d: wrong wire type %d", n, w)
				}
				return nil
			}); err != nil {
				return err
			}
			if !seenPK || !seenData {
				return errors.New("record without partition_key_index or data")
			}
			raws = append(raws, r)
		}
		return nil
	})
	if err != nil {
		return nil, true, fmt.Errorf("aggregated record: %w", err)
	}
	recs = make([]UserRecord, len(raws))
	for i, r := range raws {
		if r.pk >= uint64(len(pkeys)) {
			return nil, true, fmt.Errorf("aggregated record: record %d: partition key index %d out of %d", i, r.pk, len(pkeys))
		}
		recs[i] = UserRecord{PartitionKey: pkeys[r.pk], Data: r.data}
		if r.hasEHK {
			if r.ehk >= uint64(len(ehkeys)) {
				return nil, true, fmt.Errorf("aggregated record: record %d: explicit hash key index %d out of %d", i, r.ehk, len(ehkeys))
			}
			recs[i].ExplicitHashKey = ehkeys[r.ehk]
		}
	}
	return recs, true, nil
}

// fields walks the top-level fields of a protobuf message. For varints v
// holds the value; for length-delimited fields b holds the bytes.
func fields(msg []byte, f func(num, wire int, v uint64, b []byte) error) error {
	for len(msg) > 0 {
		key, n := uvarint(msg)
		if n <= 0 {
			return errors.New("bad field key")
		}
		msg = msg[n:]
		num, wire := int(key>>3), int(key&7)
		if num == 0 {
			return errors.New("field number 0")
		}
		switch wire {
		case 0:
			v, n := uvarint(msg)
			if n <= 0 {
				return errors.New("bad varint")
			}
			msg = msg[n:]
			if err := f(num, wire, v, nil); err != nil {
				return err
			}
		case 1:
			if len(msg) < 8 {
				return errors.New("truncated fixed64")
			}
			msg = msg[8:]
		case 5:
			if len(msg) < 4 {
				return errors.New("truncated fixed32")
			}
			msg = msg[4:]
		case 2:
			l, n := uvarint(msg)
			if n <= 0 || l > uint64(len(msg)-n) {
				return errors.New("truncated length-delimited field")
			}
			b := msg[n : n+int(l)]
			msg = msg[n+int(l):]
			if err := f(num, wire, 0, b); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unsupported wire type %d", wire)
		}
	}
	return nil
}

func uvarint(b []byte) (uint64, int) {
	var x uint64
	var s uint
	for i, c := range b {
		if i == 10 {
			return 0, -1
		}
		if c < 0x80 {
			return x | uint64(c)<<s, i + 1
		}
		x |= uint64(c&0x7f) << s
		s += 7
	}
	return 0, 0
}

// Aggregate packs user records into one aggregated record in the KPL format
// (partition keys and explicit hash keys de-duplicated into their tables).
func Aggregate(recs []UserRecord) []byte {
	var body []byte
	pkIndex, ehkIndex := map[string]uint64{}, map[string]uint64{}
	var pks, ehks []string
	for _, r := range recs {
		if _, ok := pkIndex[r.PartitionKey]; !ok {
			pkIndex[r.PartitionKey] = uint64(len(pks))
			pks = append(pks, r.PartitionKey)
		}
		if r.ExplicitHashKey != "" {
			if _, ok := ehkIndex[r.ExplicitHashKey]; !ok {
				ehkIndex[r.ExplicitHashKey] = uint64(len(ehks))
				ehks = append(ehks, r.ExplicitHashKey)
			}
		}
	}
	for _, k := range pks {
		body = appendBytes(body, 1, []byte(k))
	}
	for _, k := range ehks {
		body = appendBytes(body, 2, []byte(k))
	}
	for _, r := range recs {
		var m []byte
		m = appendVarint(m, 1<<3|0)
		m = appendVarint(m, pkIndex[r.PartitionKey])
		if r.ExplicitHashKey != "" {
			m = appendVarint(m, 2<<3|0)
			m = appendVarint(m, ehkIndex[r.ExplicitHashKey])
		}
		m = appendBytes(m, 3, r.Data)
		body = appendBytes(body, 3, m)
	}
	sum := md5.Sum(body)
	out := append(append([]byte(nil), Magic...), body...)
	return append(out, sum[:]...)
}

func appendBytes(b []byte, num int, v []byte) []byte {
	b = appendVarint(b, uint64(num)<<3|2)
	b = appendVarint(b, uint64(len(v)))
	return append(b, v...)
}

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}
