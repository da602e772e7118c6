package kinesis

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamsql/streamsql/input"
	"github.com/streamsql/streamsql/input/kpl"
	"github.com/streamsql/streamsql/internal/event"
)

// Starting positions (KDA's InputStartingPosition, plus AT_TIMESTAMP).
const (
	Now              = "NOW"
	TrimHorizon      = "TRIM_HORIZON"
	LastStoppedPoint = "LAST_STOPPED_POINT"
	AtTimestamp      = "AT_TIMESTAMP"
)

// Per-shard read limits of Kinesis: 5 GetRecords calls per second, at most
// 10,000 records per call.
const (
	minReadInterval = 200 * time.Millisecond
	maxRecordsLimit = 10000
)

// SourceOptions configure a Source.
type SourceOptions struct {
	Stream Stream
	// Position is NOW (default), TRIM_HORIZON, LAST_STOPPED_POINT or
	// AT_TIMESTAMP (with Timestamp).
	Position  string
	Timestamp time.Time
	// Checkpoint is where LAST_STOPPED_POINT resumes from (nil: nothing
	// stored, which reads like NOW).
	Checkpoint *Checkpoint
	// PollInterval is the wait between reads of a shard that is caught up
	// (default 1 s); a shard behind the tip is read every 200 ms, the
	// per-shard limit of 5 reads per second.
	PollInterval time.Duration
	// Limit is the GetRecords record limit (default and maximum 10,000).
	Limit int32
	// Backoff paces retries after throttling and transient errors.
	Backoff Backoff
	// MaxOutage bounds how long calls may keep failing with transient
	// errors (the server unreachable, server errors) before the source
	// gives up; 0 retries without limit, as the Kinesis Client Library
	// does. Throttling is always retried.
	MaxOutage time.Duration
	// OutageReport is how often a continuing outage is reported through
	// Logf (default 10 s); its start and its end are always reported.
	OutageReport time.Duration
	// ListInterval is how often the shard list is re-read to find shards
	// created by resharding (default 10 s; a shard that ends always
	// triggers a re-read).
	ListInterval time.Duration
	// ConnectTimeout bounds how long the stream may fail to answer at all:
	// until a first call succeeds, transient errors stop the source after
	// this long (default 30 s); MaxOutage applies once it has answered.
	ConnectTimeout time.Duration
	// Logf reports retries and resharding (nil: silent); Log, when set,
	// reports them instead as structured lines (package event).
	Logf func(format string, args ...any)
	Log  *slog.Logger
	// Map assigns the shards to the input's in-application streams (nil:
	// every shard feeds stream 0).
	Map *ShardMap
	// Only, when set, limits reading to the shards of these in-application
	// streams (an instance owning part of the application's graph).
	Only map[int]bool
}

// Batch is what one GetRecords call gave: the shard's records in order
// (KPL-aggregated records expanded into their user records).
type Batch struct {
	ShardID string
	// Records are in the shard's order, each payload an allocation of its
	// own (never written again: a decoder may keep pointers into it).
	Records            []input.Record
	MillisBehindLatest int64
	// End: the shard is closed and has been read to its end.
	End bool
	// Start: the shard's reader has begun (no records yet); a consumer
	// merging shards by arrival waits for it from now on.
	Start bool
	// Listed, on the Start of a shard of the source's first listing, is how
	// many shards that listing started (0 on later shards): a consumer
	// holding time back until the input's shards are open waits for that
	// many Starts, as one shard's records may come before another's Start.
	Listed int
}

// Source reads every shard of a stream. Start it with Run; read Batches.
type Source struct {
	api API
	o   SourceOptions
	out chan Batch

	mu       sync.Mutex
	lag      map[string]int64
	last     map[string]string // last sequence number handed out, per shard
	finished map[string]bool
	closed   map[string]bool // shards ListShards reported closed
	running  map[string]bool // shards with a reader
	waiting  int             // shards waiting for their parents
	reads    int64
	throttle int64
	stats    map[string]*ShardStats // per shard, for metrics and readiness
	outages  map[string]*outage     // calls failing now, by what they read
	// connected: a call has succeeded; lastErr: the latest failure, for
	// the message when none ever did.
	connected bool
	lastErr   error
}

// NewSource makes a source; nothing is read until Run.
func NewSource(api API, o SourceOptions) *Source {
	if o.Position == "" {
		o.Position = Now
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.PollInterval < minReadInterval {
		o.PollInterval = minReadInterval
	}
	if o.Limit <= 0 || o.Limit > maxRecordsLimit {
		o.Limit = maxRecordsLimit
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 30 * time.Second
	}
	if o.OutageReport <= 0 {
		o.OutageReport = 10 * time.Second
	}
	if o.ListInterval <= 0 {
		o.ListInterval = 10 * time.Second
	}
	if o.Backoff.Base <= 0 {
		o.Backoff = Backoff{Base: 250 * time.Millisecond, Max: 10 * time.Second}
	}
	return &Source{api: api, o: o, out: make(chan Batch, 16), lag: map[string]int64{}, last: map[string]string{}, finished: map[string]bool{}, closed: map[string]bool{}, running: map[string]bool{}, outages: map[string]*outage{}, stats: map[string]*ShardStats{}}
}

// Batches delivers what the shards give; it is closed when Run returns.
func (s *Source) Batches() <-chan Batch { return s.out }

// Lag is the largest MillisBehindLatest over the shards being read.
func (s *Source) Lag() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var m int64
	for _, v := range s.lag {
		m = max(m, v)
	}
	return m
}

// ShardLag is MillisBehindLatest per shard.
func (s *Source) ShardLag() map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int64, len(s.lag))
	for k, v := range s.lag {
		out[k] = v
	}
	return out
}

// CaughtUp reports that every shard being read has reached the tip of the
// stream (its last read was empty or MillisBehindLatest was 0) and no
// shard waits for its parents: everything in the stream up to about now
// has been handed out on Batches.
func (s *Source) CaughtUp() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.running) == 0 || s.waiting > 0 {
		return false
	}
	for id := range s.running {
		lag, ok := s.lag[id]
		if !ok || lag != 0 {
			return false
		}
	}
	return true
}

// Reads counts GetRecords calls and the throttled ones among them.
func (s *Source) Reads() (calls, throttled int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads, s.throttle
}

// ShardStats are one shard's reads so far.
type ShardStats struct {
	ID string
	// Reads counts GetRecords calls, Throttles the throttled ones;
	// Records and Bytes what the successful ones returned (Kinesis
	// records, before KPL de-aggregation).
	Reads, Throttles, Records, Bytes int64
	MillisBehindLatest               int64
	// IteratorAgeMillis is how old the last record of the last read
	// that returned any was when it was read (GetRecords.IteratorAge).
	IteratorAgeMillis int64
	// LastRead is when a GetRecords call last succeeded (zero: never).
	LastRead time.Time
	// Ended: the shard was read to its end (closed by resharding); Open:
	// it has a reader now.
	Ended, Open bool
}

func (s *Source) shardStats(id string) *ShardStats {
	ss := s.stats[id]
	if ss == nil {
		ss = &ShardStats{ID: id}
		s.stats[id] = ss
	}
	return ss
}

func (ss *ShardStats) count(recs []types.Record, behind *int64) {
	now := time.Now()
	ss.LastRead = now
	ss.MillisBehindLatest = aws.ToInt64(behind)
	ss.Records += int64(len(recs))
	for _, r := range recs {
		ss.Bytes += int64(len(r.Data))
	}
	if n := len(recs); n > 0 && recs[n-1].ApproximateArrivalTimestamp != nil {
		ss.IteratorAgeMillis = max(0, now.Sub(*recs[n-1].ApproximateArrivalTimestamp).Milliseconds())
	} else if ss.MillisBehindLatest == 0 {
		ss.IteratorAgeMillis = 0
	}
}

// Shards returns every shard's reads so far (safe from any goroutine).
func (s *Source) Shards() []ShardStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id := range s.running {
		s.shardStats(id)
	}
	out := make([]ShardStats, 0, len(s.stats))
	for id, ss := range s.stats {
		c := *ss
		c.Open = s.running[id]
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Name is the stream's name.
func (s *Source) Name() string { return s.o.Stream.Name }

// Position is the checkpoint of what has been handed out on Batches: per
// shard, the last sequence number, and which shards were read to their end.
func (s *Source) Position() *Checkpoint {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &Checkpoint{Stream: s.o.Stream.Name, Shards: map[string]ShardCheckpoint{}}
	if old := s.o.Checkpoint; old != nil {
		for k, v := range old.Shards {
			c.Shards[k] = v
		}
	}
	for k, v := range s.last {
		sc := c.Shards[k]
		sc.SequenceNumber = v
		c.Shards[k] = sc
	}
	for k := range s.finished {
		sc := c.Shards[k]
		sc.Closed = true
		c.Shards[k] = sc
	}
	return c
}

// note reports an event (package event) with the stream's name.
func (s *Source) note(level slog.Level, kind string, attrs []any, format string, args ...any) {
	event.Note(s.o.Log, s.o.Logf, level, kind, attrs, format, args...)
}

// outage is a run of failed calls of one kind (a shard's reads, the shard
// list): when it began, when it was last reported, the attempts so far.
type outage struct {
	since, reported time.Time
	attempts        int
	throttled       bool // the last failure was throttling
}

// failed records a failed call. It returns the wait before the next try,
// or the error to stop with: one that no retry mends, or an outage longer
// than MaxOutage. Throttling and transient errors are otherwise retried
// with capped backoff for as long as they last; the start of an outage is
// reported, and every OutageReport how long it has lasted.
func (s *Source) failed(what string, err error) (time.Duration, error) {
	if !isTransient(err) {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	now := time.Now()
	s.mu.Lock()
	o := s.outages[what]
	if o == nil {
		o = &outage{since: now}
		s.outages[what] = o
	}
	o.attempts++
	o.throttled = isThrottle(err)
	attempts, lasted, throttled := o.attempts, now.Sub(o.since), o.throttled
	s.lastErr = err
	connected := s.connected
	report := o.reported.IsZero() || now.Sub(o.reported) >= s.o.OutageReport
	if report {
		o.reported = now
	}
	s.mu.Unlock()
	if !throttled && s.o.MaxOutage > 0 && lasted > s.o.MaxOutage {
		return 0, fmt.Errorf("%s: failing for %s, over the limit of %s (%d attempts): %w", what, lasted.Round(time.Millisecond), s.o.MaxOutage, attempts, err)
	}
	if !throttled && !connected && lasted >= s.o.ConnectTimeout {
		return 0, fmt.Errorf("no answer from Kinesis for stream %s within %s (%d attempts, the last: %v)", s.o.Stream.Name, s.o.ConnectTimeout, attempts, Brief(err))
	}
	wait := s.o.Backoff.delay(attempts)
	if !connected {
		wait = min(wait, s.o.ConnectTimeout-lasted) // fail on time
	}
	switch {
	case !report:
	case attempts == 1 && throttled:
		s.note(slog.LevelWarn, event.Throttle, []any{"call", what, "code", errorCode(err)}, "kinesis %s: throttled (%s), backing off", what, errorCode(err))
	case attempts == 1:
		s.note(slog.LevelWarn, event.Retry, []any{"call", what, "error", Brief(err).Error(), "attempts", attempts}, "kinesis %s: %v; retrying", what, Brief(err))
	default:
		s.note(slog.LevelWarn, event.Retry, []any{"call", what, "error", Brief(err).Error(), "attempts", attempts, "failing_seconds", lasted.Seconds()},
			"kinesis %s: failing for %s (%d attempts, the last: %v); still retrying, at most every %s", what, lasted.Round(time.Second), attempts, Brief(err), s.o.Backoff.max())
	}
	return wait, nil
}

// recovered ends an outage of what, reporting how long it lasted.
func (s *Source) recovered(what string) {
	s.mu.Lock()
	s.connected = true
	o := s.outages[what]
	delete(s.outages, what)
	s.mu.Unlock()
	if o != nil && !o.throttled {
		s.note(slog.LevelInfo, event.Recovered, []any{"call", what, "attempts", o.attempts, "failed_seconds", time.Since(o.since).Seconds()},
			"kinesis %s: working again after %s (%d failed attempts)", what, time.Since(o.since).Round(time.Millisecond), o.attempts)
	}
}

// Connected tells whether the stream has answered at least once, and the
// latest failure (nil if none).
func (s *Source) Connected() (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connected, s.lastErr
}

// Brief is the network failure under an SDK error when there is one
// ("dial tcp 127.0.0.1:4567: connect: connection refused"), else the error.
func Brief(err error) error {
	var ne *net.OpError
	if errors.As(err, &ne) {
		return ne
	}
	return err
}

// Outages describes the calls failing now, with how long they have: empty
// when the stream answers.
func (s *Source) Outages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for what, o := range s.outages {
		if !o.throttled {
			out = append(out, fmt.Sprintf("%s failing for %s", what, time.Since(o.since).Round(time.Second)))
		}
	}
	sort.Strings(out)
	return out
}

// shardInfo is a shard from ListShards.
type shardInfo struct {
	id      string
	parents []string
	closed  bool
}

func (s *Source) listShards(ctx context.Context) ([]shardInfo, error) {
	var out []shardInfo
	in := &kinesis.ListShardsInput{StreamName: aws.String(s.o.Stream.Name)}
	what := "ListShards " + s.o.Stream.Name
	for {
		res, err := s.api.ListShards(ctx, in, s.o.Stream.opts()...)
		if err != nil {
			wait, ferr := s.failed(what, err)
			if ferr != nil {
				return nil, ferr
			}
			if serr := sleep(ctx, wait); serr != nil {
				return nil, serr
			}
			continue
		}
		s.recovered(what)
		for _, sh := range res.Shards {
			si := shardInfo{id: aws.ToString(sh.ShardId)}
			for _, p := range []*string{sh.ParentShardId, sh.AdjacentParentShardId} {
				if p != nil && *p != "" {
					si.parents = append(si.parents, *p)
				}
			}
			si.closed = sh.SequenceNumberRange != nil && sh.SequenceNumberRange.EndingSequenceNumber != nil
			out = append(out, si)
		}
		if res.NextToken == nil || *res.NextToken == "" {
			break
		}
		in = &kinesis.ListShardsInput{NextToken: res.NextToken}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	if s.o.Map != nil {
		s.o.Map.learn(out)
		for {
			err := s.o.Map.settle(ctx)
			if err == nil {
				break
			}
			wait, ferr := s.failed("settling the streams of the shards of "+s.o.Stream.Name, err)
			if ferr != nil {
				return nil, ferr
			}
			if serr := sleep(ctx, wait); serr != nil {
				return nil, serr
			}
		}
	}
	s.mu.Lock()
	for _, sh := range out {
		if sh.closed {
			s.closed[sh.id] = true
		}
	}
	s.mu.Unlock()
	return out, nil
}

// owns reports whether the shard is this source's to read (Only).
func (s *Source) owns(shard string) bool {
	return s.o.Only == nil || s.o.Only[s.o.Map.Stream(shard)]
}

// Discover lists the stream's shards once (retrying as Run does), so the
// Map knows them before Run starts: records restored from a checkpoint
// go to the in-application stream they went to before.
func (s *Source) Discover(ctx context.Context) error {
	_, err := s.listShards(ctx)
	return err
}

// Run reads until ctx ends or a shard fails for good; it closes Batches
// when every reader has stopped. A cancelled ctx is a clean stop (nil).
func (s *Source) Run(ctx context.Context) error {
	defer close(s.out)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	shards, err := s.listShards(ctx)
	if err != nil {
		return cleanStop(ctx, err)
	}
	initial := map[string]shardInfo{}
	for _, sh := range shards {
		initial[sh.id] = sh
	}
	cp := s.o.Checkpoint
	useCheckpoint := s.o.Position == LastStoppedPoint && cp != nil && (len(cp.Shards) > 0 || cp.From != "")
	// Which shards existing now are already done.
	done := map[string]bool{}
	for _, sh := range shards {
		switch {
		case useCheckpoint && cp.Shards[sh.id].Closed:
			done[sh.id] = true
		case !useCheckpoint && (s.o.Position == Now || s.o.Position == LastStoppedPoint) && sh.closed:
			// Reading from now on: a closed shard has nothing new.
			done[sh.id] = true
		}
	}
	started := map[string]bool{}
	ended := make(chan string, 64)
	failed := make(chan error, 1)
	var wg sync.WaitGroup
	defer wg.Wait()
	startable := func(sh shardInfo, known map[string]bool) bool {
		if started[sh.id] || done[sh.id] || !s.owns(sh.id) {
			return false
		}
		for _, p := range sh.parents {
			// A parent in a stream read elsewhere (the other parent of a
			// merge) orders nothing this source reads.
			if known[p] && !done[p] && s.owns(p) {
				return false // a parent is read to its end before its children
			}
		}
		return true
	}
	launch := func(list []shardInfo, first bool) {
		known := map[string]bool{}
		for _, sh := range list {
			known[sh.id] = true
		}
		listed := 0
		if first {
			for _, sh := range list {
				if startable(sh, known) {
					listed++
				}
			}
		}
		waiting := 0
		for _, sh := range list {
			if !startable(sh, known) {
				if !started[sh.id] && !done[sh.id] && s.owns(sh.id) {
					waiting++
				}
				continue
			}
			started[sh.id] = true
			if _, existed := initial[sh.id]; !existed {
				s.note(slog.LevelInfo, event.Reshard, []any{"stream", s.o.Stream.Name, "shard", sh.id, "state", "started", "parents", strings.Join(sh.parents, ",")},
					"kinesis %s: shard %s, created by resharding, read from its start", s.o.Stream.Name, sh.id)
			}
			s.mu.Lock()
			s.running[sh.id] = true
			s.mu.Unlock()
			pos := s.startPosition(sh, initial, useCheckpoint)
			wg.Add(1)
			go func(id string) {
				defer wg.Done()
				err := s.readShard(ctx, id, pos, listed)
				if err != nil {
					select {
					case failed <- err:
					default:
					}
					return
				}
				select {
				case ended <- id:
				case <-ctx.Done():
				}
			}(sh.id)
		}
		s.mu.Lock()
		s.waiting = waiting
		s.mu.Unlock()
	}
	launch(shards, true)
	relist := time.NewTicker(s.o.ListInterval)
	defer relist.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-failed:
			cancel()
			return cleanStop(ctx, err)
		case id := <-ended:
			done[id] = true
			s.mu.Lock()
			s.shardStats(id).Ended = true
			s.finished[id] = true
			delete(s.lag, id)
			delete(s.running, id)
			s.mu.Unlock()
			s.note(slog.LevelInfo, event.Reshard, []any{"stream", s.o.Stream.Name, "shard", id, "state", "ended"}, "kinesis %s: shard %s read to its end", s.o.Stream.Name, id)
		case <-relist.C:
		}
		if shards, err = s.listShards(ctx); err != nil {
			cancel()
			return cleanStop(ctx, err)
		}
		launch(shards, false)
	}
}

// cleanStop turns an error caused by the stop itself into nil.
func cleanStop(ctx context.Context, err error) error {
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return nil
	}
	return err
}

// iterPos is where a shard reader starts.
type iterPos struct {
	typ   types.ShardIteratorType
	after string
	at    time.Time
}

func (s *Source) startPosition(sh shardInfo, initial map[string]shardInfo, useCheckpoint bool) iterPos {
	if _, existed := initial[sh.id]; !existed {
		// Created by resharding after the start: all of it is new.
		return iterPos{typ: types.ShardIteratorTypeTrimHorizon}
	}
	switch s.o.Position {
	case TrimHorizon:
		return iterPos{typ: types.ShardIteratorTypeTrimHorizon}
	case AtTimestamp:
		return iterPos{typ: types.ShardIteratorTypeAtTimestamp, at: s.o.Timestamp}
	case LastStoppedPoint:
		if useCheckpoint {
			cp := s.o.Checkpoint
			if seq := cp.Shards[sh.id].SequenceNumber; seq != "" {
				return iterPos{typ: types.ShardIteratorTypeAfterSequenceNumber, after: seq}
			}
			if cp.From == AtTimestamp {
				// A shard the last run never read from: from where that
				// run (or the first run it resumed) started.
				return iterPos{typ: types.ShardIteratorTypeAtTimestamp, at: cp.Timestamp}
			}
			// TRIM_HORIZON (or no start recorded, in a checkpoint of an
			// older version): read it whole.
			return iterPos{typ: types.ShardIteratorTypeTrimHorizon}
		}
	}
	// NOW: the shards open at the start, from their tip.
	return iterPos{typ: types.ShardIteratorTypeLatest}
}

func (s *Source) iterator(ctx context.Context, shard string, pos iterPos) (string, error) {
	in := &kinesis.GetShardIteratorInput{StreamName: aws.String(s.o.Stream.Name), ShardId: aws.String(shard), ShardIteratorType: pos.typ}
	switch pos.typ {
	case types.ShardIteratorTypeAfterSequenceNumber:
		in.StartingSequenceNumber = aws.String(pos.after)
	case types.ShardIteratorTypeAtTimestamp:
		in.Timestamp = aws.Time(pos.at)
	}
	what := "GetShardIterator " + s.o.Stream.Name + "/" + shard
	for {
		out, err := s.api.GetShardIterator(ctx, in, s.o.Stream.opts()...)
		if err == nil {
			s.recovered(what)
			return aws.ToString(out.ShardIterator), nil
		}
		wait, ferr := s.failed(what, err)
		if ferr != nil {
			return "", ferr
		}
		if serr := sleep(ctx, wait); serr != nil {
			return "", serr
		}
	}
}

// readShard is the GetRecords loop of one shard. It returns nil when the
// shard has been read to its end or ctx ended.
func (s *Source) readShard(ctx context.Context, shard string, pos iterPos, listed int) error {
	select {
	case s.out <- Batch{ShardID: shard, Start: true, Listed: listed}:
	case <-ctx.Done():
		return nil
	}
	iter, err := s.iterator(ctx, shard, pos)
	if err != nil {
		return cleanStop(ctx, err)
	}
	lastSeq := ""
	what := "GetRecords " + s.o.Stream.Name + "/" + shard
	var next time.Time
	for {
		if err := sleep(ctx, time.Until(next)); err != nil {
			return nil
		}
		next = time.Now().Add(minReadInterval)
		out, err := s.api.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(iter), Limit: aws.Int32(s.o.Limit)}, s.o.Stream.opts()...)
		s.mu.Lock()
		s.reads++
		ss := s.shardStats(shard)
		ss.Reads++
		if err != nil && isThrottle(err) {
			s.throttle++
			ss.Throttles++
		}
		if err == nil {
			ss.count(out.Records, out.MillisBehindLatest)
		}
		s.mu.Unlock()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			switch {
			case errorCode(err) == "ExpiredIteratorException":
				p := pos
				if lastSeq != "" {
					p = iterPos{typ: types.ShardIteratorTypeAfterSequenceNumber, after: lastSeq}
				}
				if iter, err = s.iterator(ctx, shard, p); err != nil {
					return cleanStop(ctx, err)
				}
				continue
			}
			wait, ferr := s.failed(what, err)
			if ferr != nil {
				return ferr
			}
			next = time.Now().Add(max(minReadInterval, wait))
			continue
		}
		s.recovered(what)
		b := Batch{ShardID: shard, MillisBehindLatest: aws.ToInt64(out.MillisBehindLatest)}
		b.Records = expand(out.Records, shard, b.Records)
		if n := len(out.Records); n > 0 {
			lastSeq = aws.ToString(out.Records[n-1].SequenceNumber)
		}
		b.End = out.NextShardIterator == nil || *out.NextShardIterator == ""
		if !b.End && len(out.Records) == 0 && b.MillisBehindLatest == 0 {
			// A closed shard read to its tip has nothing more to give, even
			// from a server that keeps handing out iterators for it.
			s.mu.Lock()
			b.End = s.closed[shard]
			s.mu.Unlock()
		}
		// Empty reads at the tip go out too: they are the shard's promise
		// that nothing earlier is coming.
		if len(b.Records) > 0 || b.End || b.MillisBehindLatest == 0 {
			select {
			case s.out <- b:
			case <-ctx.Done():
				return nil
			}
		}
		s.mu.Lock()
		s.lag[shard] = b.MillisBehindLatest
		if lastSeq != "" {
			s.last[shard] = lastSeq
		}
		s.mu.Unlock()
		if b.End {
			return nil
		}
		iter = *out.NextShardIterator
		if len(out.Records) == 0 && b.MillisBehindLatest == 0 {
			next = next.Add(s.o.PollInterval - minReadInterval)
		}
	}
}

// expand converts API records to input records, expanding KPL-aggregated
// ones into their user records (which share the Kinesis record's arrival
// time and sequence number).
func expand(recs []types.Record, shard string, out []input.Record) []input.Record {
	for _, r := range recs {
		base := input.Record{Data: r.Data, PartitionKey: aws.ToString(r.PartitionKey), SequenceNumber: aws.ToString(r.SequenceNumber), ShardID: shard}
		if r.ApproximateArrivalTimestamp != nil {
			base.Arrival = r.ApproximateArrivalTimestamp.UnixMilli()
		}
		users, ok, err := kpl.Deaggregate(r.Data)
		if !ok || err != nil {
			// Not aggregated, or aggregated but unreadable: the bytes go on as
			// they are (an unreadable payload then fails decoding and reaches
			// error_stream with its bytes).
			out = append(out, base)
			continue
		}
		for _, u := range users {
			rec := base
			// Every record's payload is an allocation of its own, as the
			// SDK gives an unaggregated one: a user record's bytes would
			// otherwise be a slice of the aggregate, and a string decoded
			// from them and kept by a window would hold the aggregate whole.
			rec.Data, rec.PartitionKey = bytes.Clone(u.Data), u.PartitionKey
			out = append(out, rec)
		}
	}
	return out
}

// Checkpoint is where a stream was last read to: LAST_STOPPED_POINT
// resumes after it.
type Checkpoint struct {
	Stream string                     `json:"Stream"`
	Shards map[string]ShardCheckpoint `json:"Shards"`
	// From is where a shard absent from Shards is read from:
	// AT_TIMESTAMP (Timestamp: the moment the first run of the chain
	// started reading, for NOW, or its AT_TIMESTAMP) or TRIM_HORIZON
	// (also "", in checkpoints of older versions, which hold at least one
	// shard). With From set, a checkpoint holding no shard yet (taken
	// before the first read) is still a checkpoint: LAST_STOPPED_POINT
	// reads from From, not from the tip.
	// A shard created by resharding after that moment holds only later
	// records, so it is read whole either way.
	From      string    `json:"From,omitempty"`
	Timestamp time.Time `json:"Timestamp,omitzero"`
}

// ShardCheckpoint is one shard's position.
type ShardCheckpoint struct {
	SequenceNumber string `json:"SequenceNumber,omitempty"`
	Closed         bool   `json:"Closed,omitempty"` // read to its end
}

// LoadCheckpoint reads a checkpoint file; a missing file is no checkpoint
// (nil, nil).
func LoadCheckpoint(path string) (*Checkpoint, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var c Checkpoint
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &c, nil
}

// Save writes the checkpoint atomically (a temporary file renamed over path).
func (c *Checkpoint) Save(path string) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".checkpoint-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
