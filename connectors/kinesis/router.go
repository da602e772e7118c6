package kinesis

import (
	"context"
	"math/big"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// router backs off per shard for a sink whose partition keys are random
// (so any shard may take any record): each entry goes to an open shard
// chosen by an explicit hash key, weighted by the shard's share of the
// hash space, and a shard that refuses entries is left out for a backoff
// that doubles while it keeps refusing; the other shards take its share.
// Written here because the SDK has no such thing and the KPL is not a Go
// library.
type router struct {
	api     API
	stream  Stream
	backoff Backoff

	mu     sync.Mutex
	shards []*shardRange
	loaded time.Time
}

// shardRange is an open shard: its hash key range and its backoff.
type shardRange struct {
	id       string
	lo, span *big.Int // hash keys lo .. lo+span-1
	until    time.Time
	refusals int
}

// reloadEvery is how often the shard list is read again (resharding).
const reloadEvery = time.Minute

// route gives each of n entries an explicit hash key and returns the
// shards chosen (nil: the shard list could not be read; the entries then
// go by their partition keys).
func (r *router) route(ctx context.Context, n int) ([]*shardRange, []string) {
	r.mu.Lock()
	stale := r.shards == nil || time.Since(r.loaded) > reloadEvery
	r.mu.Unlock()
	if stale {
		r.load(ctx)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.shards) == 0 {
		return nil, nil
	}
	now := time.Now()
	var open []*shardRange
	total := new(big.Int)
	for _, s := range r.shards {
		if !now.Before(s.until) {
			open = append(open, s)
			total.Add(total, s.span)
		}
	}
	if len(open) == 0 { // every shard backs off: the one free soonest
		first := r.shards[0]
		for _, s := range r.shards {
			if s.until.Before(first.until) {
				first = s
			}
		}
		open, total = []*shardRange{first}, new(big.Int).Set(first.span)
	}
	shards, keys := make([]*shardRange, n), make([]string, n)
	for i := range shards {
		p := randBelow(total)
		for _, s := range open {
			if p.Cmp(s.span) < 0 {
				shards[i], keys[i] = s, p.Add(p, s.lo).String()
				break
			}
			p.Sub(p, s.span)
		}
	}
	return shards, keys
}

// refused backs a shard off; answered ends its backoff.
func (r *router) refused(s *shardRange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s.refusals++
	s.until = time.Now().Add(r.backoff.delay(s.refusals))
}

func (r *router) answered(s *shardRange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s.refusals = 0
}

// load reads the open shards; on failure the old list stays.
func (r *router) load(ctx context.Context) {
	var shards []*shardRange
	in := &kinesis.ListShardsInput{StreamName: aws.String(r.stream.Name)}
	for {
		res, err := r.api.ListShards(ctx, in, r.stream.opts()...)
		if err != nil {
			r.mu.Lock()
			r.loaded = time.Now() // try again after reloadEvery
			r.mu.Unlock()
			return
		}
		for _, sh := range res.Shards {
			if sh.SequenceNumberRange != nil && sh.SequenceNumberRange.EndingSequenceNumber != nil || sh.HashKeyRange == nil {
				continue // closed
			}
			lo, ok1 := new(big.Int).SetString(aws.ToString(sh.HashKeyRange.StartingHashKey), 10)
			hi, ok2 := new(big.Int).SetString(aws.ToString(sh.HashKeyRange.EndingHashKey), 10)
			if !ok1 || !ok2 || hi.Cmp(lo) < 0 {
				continue
			}
			shards = append(shards, &shardRange{id: aws.ToString(sh.ShardId), lo: lo, span: hi.Sub(hi, lo).Add(hi, big.NewInt(1))})
		}
		if res.NextToken == nil || *res.NextToken == "" {
			break
		}
		in = &kinesis.ListShardsInput{NextToken: res.NextToken}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old := map[string]*shardRange{}
	for _, s := range r.shards {
		old[s.id] = s
	}
	for _, s := range shards {
		if o := old[s.id]; o != nil {
			s.until, s.refusals = o.until, o.refusals
		}
	}
	r.shards, r.loaded = shards, time.Now()
}

// randBelow is a uniform random integer in [0, n).
func randBelow(n *big.Int) *big.Int {
	b := make([]byte, (n.BitLen()+7)/8+8)
	for i := range b {
		b[i] = byte(rand.Uint32())
	}
	v := new(big.Int).SetBytes(b)
	return v.Mod(v, n)
}
