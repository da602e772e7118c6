package input

import "testing"

func TestShardStream(t *testing.T) {
	for _, c := range []struct {
		id    string
		count int
		want  int
	}{
		{"shardId-000000000000", 2, 0},
		{"shardId-000000000001", 2, 1},
		{"shardId-000000000007", 3, 1},
		{"shardId-000000000007", 1, 0},
		{"shardId-000000000007", 0, 0},
	} {
		if got := ShardStream(c.id, c.count); got != c.want {
			t.Errorf("ShardStream(%q, %d) = %d, want %d", c.id, c.count, got, c.want)
		}
	}
	// An id without a number is hashed: the same answer every time, in range.
	a, b := ShardStream("recording", 5), ShardStream("recording", 5)
	if a != b || a < 0 || a >= 5 {
		t.Errorf("hashed id: %d, %d", a, b)
	}
}
