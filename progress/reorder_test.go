package progress

import (
	"math/rand"
	"reflect"
	"sort"
	"testing"
)

// TestReorderMatchesStableSort: with a slack as large as the input the
// buffer is a stable sort by arrival; with a small slack its output is
// what one heap of (arrival, insertion) pairs gives. Inputs are in order,
// nearly in order, and shuffled.
func TestReorderMatchesStableSort(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for trial := 0; trial < 200; trial++ {
		n := 1 + rng.Intn(3000)
		in := make([]int64, n)
		for i := range in {
			switch trial % 3 {
			case 0:
				in[i] = int64(i / 3)
			case 1:
				in[i] = int64(i + rng.Intn(20))
			default:
				in[i] = int64(rng.Intn(100))
			}
		}
		slack := []int{1, 7, 100, n}[trial%4]
		got := reorderAll(NewReorder[int](slack), in)
		want := reference(in, slack)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("trial %d (slack %d): got %v\nwant %v", trial, slack, got, want)
		}
		if slack == n {
			idx := make([]int, n)
			for i := range idx {
				idx[i] = i
			}
			sort.SliceStable(idx, func(a, b int) bool { return in[idx[a]] < in[idx[b]] })
			if !reflect.DeepEqual(got, idx) {
				t.Fatalf("trial %d: not a stable sort", trial)
			}
		}
	}
}

func reorderAll(r *Reorder[int], in []int64) []int {
	var out []int
	for i, a := range in {
		if it, ok := r.Add(a, i); ok {
			out = append(out, it.Value)
		}
		if i%97 == 0 {
			if p, ok := r.Peek(); ok && p > a && len(out) == 0 {
				panic("peek")
			}
		}
	}
	for {
		it, ok := r.Next()
		if !ok {
			return out
		}
		out = append(out, it.Value)
	}
}

// reference is the buffer as a plain list: hold up to slack items, and
// release the earliest (first inserted among equals) when over.
func reference(in []int64, slack int) []int {
	var held, out []int
	take := func() {
		best := 0
		for k := range held {
			if in[held[k]] < in[held[best]] {
				best = k
			}
		}
		out = append(out, held[best])
		held = append(held[:best], held[best+1:]...)
	}
	for i := range in {
		held = append(held, i)
		if len(held) > slack {
			take()
		}
	}
	for len(held) > 0 {
		take()
	}
	return out
}
