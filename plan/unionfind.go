package plan

// sets is a disjoint-set forest over keys of type K: both groupings of the
// pump graph (Split, across instances, and partition, across goroutines)
// are built on it. A key never linked is its own set.
type sets[K comparable] map[K]K

// find is the representative of k's set (compressing the path to it).
func (s sets[K]) find(k K) K {
	p, ok := s[k]
	if !ok || p == k {
		return k
	}
	r := s.find(p)
	s[k] = r
	return r
}

// link puts the set whose representative is child under root.
func (s sets[K]) link(child, root K) { s[child] = root }
