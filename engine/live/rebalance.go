package live

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Rebalancing the parts of a split application when an instance joins,
// as the Kinesis Client Library's lease taker does: an instance reads the
// parts' lease items, counts the live instances among their holders (and
// itself), and when it holds fewer parts than its fair share (the parts
// divided by the instances, rounded up) while the most loaded instance
// holds more, it asks that instance for one of its parts by writing its
// name in the part's item (Wanted). The holder finds it at its next
// renewal (lease.hold), stops the part as a clean stop does (its last
// checkpoint keeps the open windows), and hands the lease over
// (lease.handOver); the asker takes it at once and resumes the part from
// that checkpoint. Nothing but the lease items is read or written.

// partLease is what one look at the lease item of a part shows.
type partLease struct {
	key    string // the item's key (APPLICATION#STREAM)
	holder string // the instance running the part, or the one it is handed to ("": free)
	wanted string // the instance that asked for it, if any
	// live: the item's version changed within a lease on this instance's
	// clock (or was first seen within a lease), so its holder is alive.
	live bool
}

// holderOf is the instance running a lease item's part: its owner, or the
// instance it is handed to ("" once released).
func holderOf(item map[string]types.AttributeValue) string {
	if released(item) {
		return ""
	}
	if to := attrS(item, "HandedTo"); to != "" {
		return to
	}
	return attrS(item, "Owner")
}

// stealing is a request steal decided on: ask holder from for the part of
// item key; held and share are the figures it was decided on.
type stealing struct {
	key, from          string
	held, share, their int
}

// steal is the fair-share decision of instance me over the leases of
// every part, KCL's rule: the instances are the live holders and me; the
// fair share is ceil(parts / instances). When me holds fewer than that,
// it asks the most loaded instance (ties: the first by name) for its last
// part (in the order of leases) if that instance holds more than the
// share, or exactly the share while me is two or more below it. Nothing
// is asked while a part is free or its holder is not live (the
// instances' acquire loops take it, free or over), nor while a request of
// me is pending. A part only ever moves from an instance to one holding
// at least two fewer, so no part goes back and forth while the instances
// stay the same.
func steal(me string, leases []partLease) (stealing, bool) {
	count := map[string]int{me: 0}
	for _, l := range leases {
		if l.holder == "" || !l.live || l.wanted == me {
			return stealing{}, false
		}
		count[l.holder]++
	}
	share := (len(leases) + len(count) - 1) / len(count)
	need := share - count[me]
	if need <= 0 {
		return stealing{}, false
	}
	most := me
	for _, w := range slices.Sorted(maps.Keys(count)) {
		if count[w] > count[most] {
			most = w
		}
	}
	if count[most] < share || count[most] == share && need < 2 {
		return stealing{}, false
	}
	for _, l := range slices.Backward(leases) {
		if l.holder == most && l.wanted == "" {
			return stealing{key: l.key, from: most, held: count[me], share: share, their: count[most]}, true
		}
	}
	return stealing{}, false
}

// balancer looks at the part leases every third of a lease, and asks for
// a part when steal says so.
type balancer struct {
	l    *lease   // the instance's lease: client, table, owner, duration
	keys []string // the parts' lease items
	logf func(string, ...any)
	seen map[string]sighting
}

// sighting is when this instance first saw an item's version.
type sighting struct {
	version string
	at      time.Time
}

func (b *balancer) run(ctx context.Context) {
	t := time.NewTicker(b.l.duration / 3)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		// A failed look is tried again on the next tick, said once until
		// one works again.
		err := b.look(ctx)
		switch {
		case err != nil && !failing && ctx.Err() == nil:
			b.logf("warning: rebalancing the parts: %v; tried again every %s", err, b.l.duration/3)
		case err == nil && failing:
			b.logf("rebalancing the parts: the lease table answers again")
		}
		failing = err != nil
	}
}

// look reads the part leases and asks for a part if steal says so.
func (b *balancer) look(ctx context.Context) error {
	leases, err := b.read(ctx)
	if err != nil {
		return err
	}
	s, ok := steal(b.l.owner, leases)
	if !ok {
		return nil
	}
	_, err = b.l.client.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: aws.String(b.l.table),
		Key:                      itemKey(s.key),
		UpdateExpression:         aws.String("SET Wanted = :me"),
		ConditionExpression:      aws.String("#o = :from AND attribute_not_exists(HandedTo) AND attribute_not_exists(Wanted) AND attribute_not_exists(Released)"),
		ExpressionAttributeNames: map[string]string{"#o": "Owner"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":me": &types.AttributeValueMemberS{Value: b.l.owner},
			":from": &types.AttributeValueMemberS{Value: s.from}}})
	if isConditionFailed(err) {
		return nil // the item changed since: looked at again next time
	}
	if err != nil {
		return fmt.Errorf("lease %s/%s: %w", b.l.table, s.key, err)
	}
	b.logf("asked %s for the part of %s: this instance runs %d parts, %s runs %d, the fair share is %d", s.from, strings.TrimPrefix(s.key, b.l.app+"#"), s.held, s.from, s.their, s.share)
	return nil
}

// read looks at every part's lease item, noting the runs holding them
// (lease.seen) and when each version was first seen.
func (b *balancer) read(ctx context.Context) ([]partLease, error) {
	if b.seen == nil {
		b.seen = map[string]sighting{}
	}
	leases := make([]partLease, 0, len(b.keys))
	for _, k := range b.keys {
		out, err := b.l.client.GetItem(ctx, &ddb.GetItemInput{TableName: aws.String(b.l.table), ConsistentRead: aws.Bool(true),
			Key: itemKey(k)})
		if err != nil {
			return nil, fmt.Errorf("lease %s/%s: %w", b.l.table, k, err)
		}
		b.l.seen.note(k, out.Item)
		pl := partLease{key: k}
		if out.Item != nil {
			pl.holder, pl.wanted = holderOf(out.Item), attrS(out.Item, "Wanted")
			now, v := time.Now(), attrS(out.Item, "Version")
			if s, ok := b.seen[k]; !ok || s.version != v {
				b.seen[k] = sighting{v, now}
			}
			pl.live = now.Sub(b.seen[k].at) < b.l.durationOf(out.Item)
		}
		leases = append(leases, pl)
	}
	return leases, nil
}
