package window

import (
	"bytes"
	"hash/maphash"
)

// partIndex finds a frame's partition by its key (value.AppendKey of the
// PARTITION BY values). It is open addressing with linear probing over a
// power-of-two table of words, each the key's 32-bit hash (high half) and
// the partition number plus one (low half; 0 is an empty slot). A lookup
// reads one slot and then the partition, which holds its key (in place
// when short) and which the row needs next anyway; a map[string]int32 read
// its control word, its slot and the key string, three places in memory
// for every row. Its slots hold no pointers, so the collector skips them.
type partIndex struct {
	slots []uint64
	n     int
	seed  maphash.Seed
}

func newPartIndex() partIndex { return partIndex{seed: maphash.MakeSeed()} }

func (x *partIndex) hash(key []byte) uint32 { return uint32(maphash.Bytes(x.seed, key)) }

// partKeyInline is the longest key a part holds in place.
const partKeyInline = 20

// setKey stores key (hash h) in the part.
func (p *part) setKey(key []byte, h uint32) {
	p.h = h
	p.klen = uint32(len(key))
	if len(key) <= partKeyInline {
		copy(p.kin[:], key)
		p.long = ""
	} else {
		p.long = string(key)
	}
}

// keyIs reports whether the part's key is key.
func (p *part) keyIs(key []byte) bool {
	if int(p.klen) != len(key) {
		return false
	}
	if len(key) <= partKeyInline {
		return bytes.Equal(p.kin[:len(key)], key)
	}
	return p.long == string(key)
}

// key is the part's key.
func (p *part) key() string {
	if p.klen <= partKeyInline {
		return string(p.kin[:p.klen])
	}
	return p.long
}

// lookup finds the partition of key; h is key's hash either way.
func (fs *frameState) lookup(key []byte) (pi int32, h uint32, ok bool) {
	x := &fs.index
	h = x.hash(key)
	if x.n == 0 {
		return -1, h, false
	}
	m := len(x.slots) - 1
	for i := int(h) & m; ; i = (i + 1) & m {
		s := x.slots[i]
		if s == 0 {
			return -1, h, false
		}
		if uint32(s>>32) == h {
			pi = int32(uint32(s)) - 1
			if fs.parts[pi].keyIs(key) {
				return pi, h, true
			}
		}
	}
}

// insert indexes partition pi under hash h (its key is not in the index).
func (x *partIndex) insert(h uint32, pi int32) {
	if (x.n+1)*2 > len(x.slots) {
		x.grow()
	}
	x.put(uint64(h)<<32 | uint64(uint32(pi+1)))
	x.n++
}

func (x *partIndex) put(s uint64) {
	m := len(x.slots) - 1
	i := int(uint32(s>>32)) & m
	for x.slots[i] != 0 {
		i = (i + 1) & m
	}
	x.slots[i] = s
}

func (x *partIndex) grow() {
	old := x.slots
	x.slots = make([]uint64, max(16, 2*len(old)))
	for _, s := range old {
		if s != 0 {
			x.put(s)
		}
	}
}

// remove takes partition pi (hash h) out of the index, moving the slots
// after it back so that every key stays reachable from its hash's slot.
func (x *partIndex) remove(h uint32, pi int32) {
	m := len(x.slots) - 1
	want := uint64(h)<<32 | uint64(uint32(pi+1))
	i := int(h) & m
	for x.slots[i] != want {
		i = (i + 1) & m
	}
	for j := i; ; {
		j = (j + 1) & m
		s := x.slots[j]
		if s == 0 {
			break
		}
		// The slot stays where it is if its home is cyclically in (i, j].
		k := int(uint32(s>>32)) & m
		if (i <= j && i < k && k <= j) || (i > j && (i < k || k <= j)) {
			continue
		}
		x.slots[i] = s
		i = j
	}
	x.slots[i] = 0
	x.n--
}

// parts lists the indexed partitions.
func (x *partIndex) parts() []int32 {
	out := make([]int32, 0, x.n)
	for _, s := range x.slots {
		if s != 0 {
			out = append(out, int32(uint32(s))-1)
		}
	}
	return out
}
