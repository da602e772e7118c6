package window

import (
	"fmt"
	"math/rand"
	"testing"
)

// TestPartIndexMatchesMap: random opens and drops of partitions in a frame
// find the same partitions a map does, with the index growing and slots
// moving back on removal.
func TestPartIndexMatchesMap(t *testing.T) {
	fs := &frameState{index: newPartIndex()}
	want := map[string]int32{}
	rng := rand.New(rand.NewSource(1))
	for step := 0; step < 200000; step++ {
		// Short keys (held in place) and long ones.
		key := fmt.Sprintf("k%d", rng.Intn(3000))
		if rng.Intn(4) == 0 {
			key = fmt.Sprintf("a partition key longer than twenty bytes %d", rng.Intn(1000))
		}
		pi, h, ok := fs.lookup([]byte(key))
		wpi, wok := want[key]
		if ok != wok || (ok && pi != wpi) {
			t.Fatalf("step %d: %q found %d %v, want %d %v", step, key, pi, ok, wpi, wok)
		}
		switch {
		case !ok:
			pi = fs.open([]byte(key), h)
			want[key] = pi
		case rng.Intn(2) == 0:
			fs.index.remove(fs.parts[pi].h, pi)
			fs.parts[pi] = part{}
			fs.free = append(fs.free, pi)
			delete(want, key)
		}
		if fs.index.n != len(want) {
			t.Fatalf("step %d: %d indexed, want %d", step, fs.index.n, len(want))
		}
	}
	for key, wpi := range want {
		if pi, _, ok := fs.lookup([]byte(key)); !ok || pi != wpi || fs.parts[pi].key() != key {
			t.Fatalf("%q: %d %v", key, pi, ok)
		}
	}
}
