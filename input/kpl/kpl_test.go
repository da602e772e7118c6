package kpl

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"testing"
)

// A record built by hand, byte for byte, from the documented format:
// magic, AggregatedRecord{partition_key_table: ["pk1","pk2"], records:
// [{0, "hello"}, {1, "world"}]}, MD5 of the protobuf bytes.
func TestDeaggregateHandBuilt(t *testing.T) {
	body, _ := hex.DecodeString(
		"0a03706b31" + // field 1 (bytes) "pk1"
			"0a03706b32" + // field 1 (bytes) "pk2"
			"1a09" + "0800" + "1a0568656c6c6f" + // field 3: {pk index 0, data "hello"}
			"1a09" + "0801" + "1a05776f726c64") // field 3: {pk index 1, data "world"}
	sum := md5.Sum(body)
	data := append(append([]byte{0xF3, 0x89, 0x9A, 0xC2}, body...), sum[:]...)
	recs, ok, err := Deaggregate(data)
	if err != nil || !ok {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
	if len(recs) != 2 || recs[0].PartitionKey != "pk1" || string(recs[0].Data) != "hello" ||
		recs[1].PartitionKey != "pk2" || string(recs[1].Data) != "world" {
		t.Fatalf("got %+v", recs)
	}
	if !bytes.Equal(Aggregate(recs), data) {
		t.Fatalf("Aggregate does not reproduce the hand-built record:\n%x\n%x", Aggregate(recs), data)
	}
}

func TestBadDigestIsOrdinaryRecord(t *testing.T) {
	data := Aggregate([]UserRecord{{PartitionKey: "a", Data: []byte("x")}})
	data[len(data)-1] ^= 0xff
	recs, ok, err := Deaggregate(data)
	if ok || err != nil || recs != nil {
		t.Fatalf("a record whose MD5 does not match must be ordinary: ok=%v err=%v recs=%v", ok, err, recs)
	}
	if _, ok, _ := Deaggregate([]byte(`{"a":1}`)); ok {
		t.Fatal("plain JSON taken as aggregated")
	}
}

func TestRoundTripWithHashKeys(t *testing.T) {
	in := []UserRecord{
		{PartitionKey: "u1", Data: []byte(`{"n":1}`)},
		{PartitionKey: "u2", ExplicitHashKey: "12345", Data: []byte(`{"n":2}`)},
		{PartitionKey: "u1", Data: []byte{}},
		{PartitionKey: "u3", ExplicitHashKey: "12345", Data: bytes.Repeat([]byte("z"), 300)},
	}
	out, ok, err := Deaggregate(Aggregate(in))
	if !ok || err != nil || len(out) != len(in) {
		t.Fatalf("ok=%v err=%v n=%d", ok, err, len(out))
	}
	for i := range in {
		if out[i].PartitionKey != in[i].PartitionKey || out[i].ExplicitHashKey != in[i].ExplicitHashKey || !bytes.Equal(out[i].Data, in[i].Data) {
			t.Errorf("record %d: got %+v want %+v", i, out[i], in[i])
		}
	}
}

func TestMalformedProtobufWithGoodDigest(t *testing.T) {
	body := []byte{0x1a, 0x05, 0x08} // a record field claiming 5 bytes, holding 1
	sum := md5.Sum(body)
	data := append(append([]byte{0xF3, 0x89, 0x9A, 0xC2}, body...), sum[:]...)
	if _, ok, err := Deaggregate(data); !ok || err == nil {
		t.Fatalf("want an error for a truncated protobuf, got ok=%v err=%v", ok, err)
	}
	// A partition key index outside the table.
	body = appendBytes(nil, 3, append(appendVarint([]byte{0x08}, 4), appendBytes(nil, 3, []byte("d"))...))
	sum = md5.Sum(body)
	data = append(append([]byte{0xF3, 0x89, 0x9A, 0xC2}, body...), sum[:]...)
	if _, ok, err := Deaggregate(data); !ok || err == nil {
		t.Fatalf("want an error for an index out of the table, got ok=%v err=%v", ok, err)
	}
}
