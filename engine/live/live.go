// Package live runs an application against AWS: it reads the application's
// Kinesis streams, loads its reference tables from S3 and delivers to its
// destinations (Kinesis streams, Firehose delivery streams, Lambda
// functions). The replay core (package engine) knows none of this: it takes
// the destinations as engine.Outputs and the S3 objects through
// engine.Connectors.
package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	fhsdk "github.com/aws/aws-sdk-go-v2/service/firehose"
	kinsdk "github.com/aws/aws-sdk-go-v2/service/kinesis"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/connectors/kinesis"
	"github.com/streamsql/streamsql/connectors/s3ref"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/internal/event"
)

// Options make Run read the application's Kinesis streams, load its
// reference tables from S3 and deliver to its destinations (Kinesis
// streams, Firehose delivery streams, Lambda functions), until the run's
// context ends; then it stops reading, delivers every row emitted, keeps
// the open windows in its last checkpoint (CloseWindowsOnStop) and returns.
type Options struct {
	// Position overrides every input's InputStartingPosition: NOW,
	// TRIM_HORIZON, LAST_STOPPED_POINT or AT_TIMESTAMP (with Timestamp).
	// "" uses the application's setting, else NOW.
	Position  string
	Timestamp time.Time
	// CheckpointDir is the local folder of the run's checkpoints, which
	// LAST_STOPPED_POINT resumes from ("": .streamsql next to the
	// application file).
	CheckpointDir string
	// Checkpoint, when set, is where checkpoints go instead:
	// s3://bucket/prefix, or a local folder.
	Checkpoint string
	// CheckpointInterval is the period of checkpoints during the run
	// (0: DefaultCheckpointInterval; negative: only when the run stops).
	// A checkpoint is also written at every stop, clean or on an error,
	// when every row emitted was delivered, and before a run that resumes
	// no checkpoint reads (its start positions).
	CheckpointInterval time.Duration
	// CheckpointKeep is how many checkpoints are kept (0: 3).
	CheckpointKeep int
	// Lease, when set (dynamodb://TABLE), makes the run the one owner of
	// the application: an instance finding another one running waits as
	// a standby and takes over (from the latest checkpoint) when the
	// owner stops renewing its lease for LeaseDuration (default 10 s).
	// Checkpoints should then go to a store all instances reach (S3).
	Lease         string
	LeaseDuration time.Duration
	// Instance names this instance in the lease (default host-pid-random).
	Instance string
	// FreshState resumes from the saved positions with empty state when
	// the application changed since the checkpoint was written (without
	// it such a run is refused).
	FreshState bool
	// CloseWindowsOnStop makes a stop end the input, as the end of a
	// replay does: every open window closes and its rows are delivered,
	// and the last checkpoint holds only positions (the run resumed from
	// it starts with empty state). By default a stop is a pause: open
	// windows stay open and go into the last checkpoint with all other
	// state, and the run resumed from it (LAST_STOPPED_POINT) goes on as
	// if never stopped, so that a stop and a restart count each record
	// once in one window, as a kill -9 and a restart do.
	CloseWindowsOnStop bool
	// ReferenceRefresh, when positive, fetches each S3 reference object
	// again on that period and swaps in a changed table.
	ReferenceRefresh time.Duration
	// MaxAttempts limits sends of one output record (0: retry until it is
	// delivered, as KDA did).
	MaxAttempts int
	// PollInterval is the wait between reads of a caught-up shard (default 1 s).
	PollInterval time.Duration
	// ConnectTimeout bounds how long an input stream may not answer at
	// all before the run or capture fails (default 30 s).
	ConnectTimeout time.Duration
	// DrainTimeout bounds the drain after the run's context ends: rows
	// not delivered by then are counted and the run fails (default 30 s).
	DrainTimeout time.Duration
	// MaxOutage bounds how long Kinesis may stay unreachable (or keep
	// failing with server errors) before the run stops with an error; 0
	// retries without limit, reporting the outage every 10 s.
	MaxOutage time.Duration
	// Config is the AWS configuration (nil: the standard chain: region,
	// credentials, and AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>).
	Config *aws.Config
	// Progress, if set, is called after each batch of records.
	Progress func(Progress)
	// Logf reports retries, resharding and reference refreshes (nil: Stderr).
	Logf func(format string, args ...any)
	// Log, when set, reports them instead as structured lines, one per
	// event (package event): retries, throttling, resharding, checkpoints,
	// reference refreshes.
	Log *slog.Logger
	// Checkpointed, if set, hears of every checkpoint write: its size
	// (of the last one written), how long it took, and its error.
	Checkpointed func(size int64, took time.Duration, err error)
	// CheckpointPruneFailed, if set, hears of a checkpoint written whose
	// older ones (beyond CheckpointKeep) could not be listed or removed.
	CheckpointPruneFailed func(err error)
	// Watch, if set, hears of each input's Kinesis source once it is open
	// (its shards' figures: metrics and readiness, package observe).
	Watch func(input string, src *kinesis.Source)
	// Unwatch, if set, hears of a source Watch heard of that is no longer
	// read while the run goes on: its part was handed over to another
	// instance (rebalance.go).
	Unwatch func(src *kinesis.Source)

	cfg aws.Config
}

// DefaultDrainTimeout is how long a stopped live run may take to deliver
// what it read.
const DefaultDrainTimeout = 30 * time.Second

// DefaultCheckpointInterval is the period of a live run's checkpoints.
const DefaultCheckpointInterval = 10 * time.Second

// Progress is a live run's figures so far.
type Progress struct {
	RecordsIn int64
	// Delivered counts records acknowledged by each destination (by output name).
	Delivered map[string]int64
	// LagMillis is the largest MillisBehindLatest over the shards read.
	LagMillis int64
	// ArrivalLagMillis is how long ago the last record processed arrived in
	// its stream (0 before the first): the run's delay, measured by the
	// wall clock, whatever the server reports.
	ArrivalLagMillis int64
	// Outages are the Kinesis calls failing now and for how long (retried
	// until they work, or MaxOutage).
	Outages []string
	// Waiting names the input streams that have not answered yet, with
	// the error being retried.
	Waiting []string
	// Checkpoints written so far by this run, the size of the last one,
	// how long the run stopped for the last one (delivery of the buffered
	// rows and the state's serialization; the write goes on in the
	// background), and when it was taken.
	Checkpoints     int64
	CheckpointBytes int64
	CheckpointTime  time.Duration
	LastCheckpoint  time.Time
}

func (lo *Options) logf(stderr interface{ Write([]byte) (int, error) }) func(string, ...any) {
	if lo.Logf != nil {
		return lo.Logf
	}
	return func(format string, args ...any) { fmt.Fprintf(stderr, "streamsql: "+format+"\n", args...) }
}

// connectors are a live run's engine.Connectors: its destinations and the
// S3 objects of its reference tables, with the clients made for them.
type connectors struct {
	lo       *Options
	app      *app.Application
	deliver  context.Context // the destinations' calls
	logf     func(string, ...any)
	objects  map[string]*s3ref.Object // reference tables loaded from S3
	kinesis  *kinsdk.Client
	firehose *fhsdk.Client
	lambda   *lambdasdk.Client
}

// liveAWS loads the AWS configuration once.
func (lo *Options) load(ctx context.Context) error {
	if lo.Config != nil {
		lo.cfg = *lo.Config
	} else {
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return fmt.Errorf("AWS configuration: %w", err)
		}
		lo.cfg = cfg
	}
	if lo.Log != nil {
		lo.cfg.Logger = sdkLogger(lo.Log) // sdklog.go
	}
	return nil
}

// checkWords make check's messages speak of the command's own flags.
type checkWords struct {
	field string // what the message is about: "--replay", "record --stream X"
	lead  string // said first
	// regionAlt and credsAlt: the command's own way out, said last.
	regionAlt, credsAlt string
}

// runWords: a run without --replay is a live run.
var runWords = checkWords{field: "--replay", lead: "no recording given, and ",
	regionAlt: "; or feed the input from a recording with --replay FILE", credsAlt: "; or feed the input from a recording with --replay FILE"}

// check makes sure a live run can reach AWS at all: a region (else the
// one in the first input's ARN) and credentials from the standard chain.
func (lo *Options) check(ctx context.Context, a *app.Application, w checkWords) error {
	if lo.cfg.Region == "" {
		for _, in := range a.Inputs {
			if in.KinesisStreamsInput != nil {
				if s, err := kinesis.ParseStream(in.KinesisStreamsInput.ResourceARN); err == nil && s.Region != "" {
					lo.cfg.Region = s.Region
					break
				}
			}
		}
	}
	if lo.cfg.Region == "" {
		return &engine.ConfigError{Field: w.field, Msg: w.lead + "no AWS region: set AWS_REGION" + w.regionAlt}
	}
	if lo.cfg.Credentials == nil {
		return &engine.ConfigError{Field: w.field, Msg: w.lead + "no AWS credentials: set them as the AWS CLI reads them (AWS_ACCESS_KEY_ID..., AWS_PROFILE)" + w.credsAlt}
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := lo.cfg.Credentials.Retrieve(cctx); err != nil {
		return &engine.ConfigError{Field: w.field, Msg: w.lead + "no AWS credentials (" + firstLine(err.Error()) +
			"): set them as the AWS CLI reads them (AWS_ENDPOINT_URL points at a local server)" + w.credsAlt}
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// Reference fetches a reference table from the application's S3 location
// (engine.Connectors), when no local file is bound to it.
func (c *connectors) Reference(name string) ([]byte, bool, error) {
	var src *app.S3ReferenceDataSource
	for _, r := range c.app.ReferenceDataSources {
		if r.TableName == name {
			src = r.S3ReferenceDataSource
		}
	}
	if src == nil || src.BucketARN == "" {
		return nil, false, nil
	}
	client := s3sdk.NewFromConfig(c.lo.cfg, func(so *s3sdk.Options) { so.DisableLogOutputChecksumValidationSkipped = true })
	obj, err := s3ref.New(client, src.BucketARN, src.FileKey)
	if err != nil {
		return nil, true, &engine.ConfigError{Field: "ReferenceDataSources " + name + ".S3ReferenceDataSource", Msg: err.Error()}
	}
	data, _, err := obj.Fetch(context.Background())
	if err != nil {
		return nil, true, fmt.Errorf("reference table %s: %w", name, err)
	}
	if c.objects == nil {
		c.objects = map[string]*s3ref.Object{}
	}
	c.objects[name] = obj
	return data, true, nil
}

// liveInput is one application input read from its Kinesis stream.
type liveInput struct {
	index  int
	name   string // the Kinesis stream's name
	src    *kinesis.Source
	cpPath string // the position file of streamsql before state checkpoints
	// pos is the position of what the run loop has received: per shard
	// the last record, shards read to their end, and where a shard not
	// read yet starts.
	pos *kinesis.Checkpoint
	// resumed: pos came from the checkpoint the run resumed from.
	resumed bool
	shards  *kinesis.ShardMap // shard -> in-application stream
	// opened counts the Starts of the shards of the source's first listing.
	opened int
}

type liveBatch struct {
	in  int
	b   kinesis.Batch
	dec *engine.Decoded // b's records in the decoding workers' hands (nil: decoded on the run loop)
}

type tableUpdate struct {
	name string
	data []byte
	err  error // the fetch failed (counted on the main loop)
}

// Run runs an application live until ctx ends (or a source or an output
// fails for good); then it stops reading, delivers every row emitted,
// writes its last checkpoint (with the open windows, unless
// CloseWindowsOnStop) and returns.
func Run(ctx context.Context, o engine.Options, lo *Options) (engine.Stats, error) {
	none := engine.Stats{RowsOut: map[string]int64{}}
	if lo == nil {
		lo = &Options{}
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if err := lo.load(ctx); err != nil {
		return none, err
	}
	if err := lo.check(ctx, o.App, runWords); err != nil {
		return none, err
	}
	logf := lo.logf(o.Stderr)
	var ls *lease
	if lo.Lease != "" {
		var err error
		if ls, err = newLease(lo, appName(o.App), logf); err != nil {
			return none, err
		}
		if g, err := engine.Plan(o.App); err == nil && g.Split().Splittable() {
			return runParts(ctx, o, lo, ls, g, logf) // parts.go
		}
	}
	return runPart(ctx, o, lo, ls, nil, logf)
}

// appName is the application's name in leases and checkpoints.
func appName(a *app.Application) string {
	if a.ApplicationName == "" {
		return "app"
	}
	return a.ApplicationName
}

// runPart runs the application, or one part of its split graph (pt), as
// the owner of lease ls (nil: no lease).
func runPart(ctx context.Context, o engine.Options, lo *Options, ls *lease, pt *part, logf func(string, ...any)) (engine.Stats, error) {
	none := engine.Stats{RowsOut: map[string]int64{}}
	// The destinations' calls end when the drain after a stop runs out of
	// time: what they still hold is then counted as not delivered.
	deliverCtx, stopDelivery := context.WithCancelCause(context.Background())
	defer stopDelivery(nil)
	conns := &connectors{lo: lo, app: o.App, deliver: deliverCtx, logf: logf}
	o.Connectors = conns
	// One owner per application (or part): wait as a standby until the
	// lease is ours, and stop (without a checkpoint) if it is ever lost.
	lost := make(chan error, 1)
	var leaseLost bool
	// A part another instance asks for (rebalance.go) is stopped as a
	// clean stop is, open windows kept in its last checkpoint, and handed
	// over to it (handTo) once that checkpoint is written.
	var wanted chan string
	var handTo string
	yield := func() {}
	if ls != nil {
		if err := ls.acquire(ctx); err != nil {
			if ctx.Err() != nil {
				return none, nil // stopped while a standby
			}
			return none, err
		}
		ctx, yield = context.WithCancel(ctx)
		defer yield()
		holdCtx, stopHolding := context.WithCancel(context.Background())
		held := make(chan struct{})
		defer func() {
			stopHolding()
			<-held // the lease's version is the last one renewed
			ls.let(handTo, leaseLost)
		}()
		var onWanted func(string)
		if ls.share != nil {
			wanted = make(chan string, 1)
			onWanted = func(to string) { wanted <- to }
		}
		go func() {
			defer close(held)
			ls.hold(holdCtx, func(err error) { lost <- err }, onWanted)
		}()
		if ls.tookOver && lo.Position != kinesis.LastStoppedPoint {
			// The owner died: its run goes on here from its latest
			// checkpoint, whatever position this instance started with.
			c := *lo
			c.Position = kinesis.LastStoppedPoint
			lo = &c
		}
	}
	store, err := lo.store(ctx, o.App, pt.storeName(appName(o.App)))
	if err != nil {
		return none, err
	}
	seqs, err := store.List(ctx)
	if err != nil {
		return none, fmt.Errorf("checkpoint: %w", err)
	}
	next := int64(1)
	if len(seqs) > 0 {
		next = seqs[len(seqs)-1] + 1
	}
	var resumed *checkpoint
	if lo.resumes(o.App) {
		if resumed, err = latest(ctx, store, logf); err != nil {
			return none, err
		}
	}
	if pt != nil {
		o.Observer = pt.observer(o.Observer) // parts.go
	}
	p, err := engine.Start(o)
	if err != nil {
		return none, err
	}
	inputs, err := openInputs(o.App, lo, logf, resumed, pt)
	if err != nil {
		st, _ := p.Stop()
		return st, err
	}
	if ls != nil {
		// Instances share the shards' streams through the lease table.
		for _, in := range inputs {
			in.shards.Settle = ls.settleShards(in.name, in.shards.Count())
		}
	}
	p.SetShardStreams(func(in int, shard string) int { return inputs[in].shards.Stream(shard) })
	for _, in := range inputs {
		// Records restored into the feed go to the streams they went to.
		if in.shards.Count() > 1 && resumed != nil && len(resumed.Feed) > 0 {
			if err := in.src.Discover(ctx); err != nil {
				st, _ := p.Stop()
				return st, err
			}
		}
	}
	// Shards are merged by arrival with per-shard progress (engine.Feed); a
	// shard is named by its input and id.
	feed := engine.NewFeed(p, o.IdleTimeout, nil)
	if err := restoreState(p, feed, lo, resumed, inputs, store, logf); err != nil {
		st, _ := p.Stop()
		return st, err
	}
	cps := &checkpointer{lo: lo, logf: logf, store: store, next: next, p: p, feed: feed, inputs: inputs, app: o.App.ApplicationName}

	if lo.Watch != nil {
		for _, in := range inputs {
			lo.Watch(o.App.Inputs[in.index].NamePrefix, in.src)
		}
	}
	// A run that resumes no checkpoint writes one with its starting
	// positions before it reads: killed before its first periodic
	// checkpoint (or with checkpoints only at stops), it is resumed from
	// where it began, not from the moment of the restart (which would lose
	// what came in between).
	if resumed == nil {
		if err := cps.write(deliverCtx, true); err != nil {
			st, _ := p.Stop()
			return st, err
		}
	}
	srcCtx, stopReading := context.WithCancel(context.Background())
	defer stopReading()
	// Each read goes to the decoding workers as it comes (on more than one
	// core), and to the run loop in the order it came: the loop takes the
	// decoded rows, everything else stays as it was (positions, the feed's
	// merge, ROWTIME, error_stream).
	ahead := p.DecodeAhead()
	merged := make(chan liveBatch, 16)
	srcErr := make(chan error, len(inputs))
	var wg sync.WaitGroup
	for _, in := range inputs {
		wg.Add(2)
		go func() { defer wg.Done(); srcErr <- in.src.Run(srcCtx) }()
		go func() {
			defer wg.Done()
			for b := range in.src.Batches() {
				merged <- liveBatch{in.index, b, ahead.Decode(in.index, b.Records)}
			}
		}()
	}
	go func() { wg.Wait(); ahead.Close(); close(merged) }()

	// A stop (ctx ends) ends reading at once, and delivery DrainTimeout
	// later, from here: the main loop may be waiting on a destination.
	drain := lo.DrainTimeout
	if drain <= 0 {
		drain = DefaultDrainTimeout
	}
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case <-ctx.Done():
		case <-finished:
			return
		}
		stopReading()
		select {
		case <-time.After(drain):
			stopDelivery(fmt.Errorf("the drain after the stop ran out of time (%s)", drain))
		case <-finished:
		}
	}()

	updates := make(chan tableUpdate, 4)
	var watchers sync.WaitGroup
	if lo.ReferenceRefresh > 0 {
		for name, obj := range conns.objects {
			watchers.Add(1)
			go func() {
				defer watchers.Done()
				obj.Watch(srcCtx, lo.ReferenceRefresh, func(data []byte) {
					select {
					case updates <- tableUpdate{name: name, data: data}:
					case <-srcCtx.Done():
					}
				}, func(err error) {
					select {
					case updates <- tableUpdate{name: name, err: err}:
					case <-srcCtx.Done():
					}
				})
			}()
		}
	}

	// Until every shard of its first listing has opened, an input holds
	// time back as an open shard does (until it has been idle for the idle timeout): with no
	// shard known yet, time would follow the wall clock from the first
	// tick, so the backlog of a restart after a downtime, or of a
	// TRIM_HORIZON start, would be late, and restored windows would close
	// before it came in.
	for _, in := range inputs {
		feed.Open(listing(in.index))
	}
	var runErr error
	fail := func(err error) {
		if err != nil && runErr == nil {
			runErr = err
			stopReading()
		}
	}
	done := ctx.Done()
	// Progress also comes when no records do, so a caught-up run still
	// reports its figures and lag.
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	interval := lo.CheckpointInterval
	if interval == 0 {
		interval = DefaultCheckpointInterval
	}
	var periodic <-chan time.Time
	if interval > 0 {
		t := time.NewTicker(interval)
		defer t.Stop()
		periodic = t.C
	}
	for merged != nil {
		select {
		case <-tick.C:
			feed.Tick() // idle shards and streams let windows close
			p.Observe()
			fail(p.OutputError())
			fail(p.StateError())
			if lo.Progress != nil {
				lo.Progress(cps.progress())
			}
		case <-periodic:
			if runErr != nil || done == nil || leaseLost {
				break // stopping: the last checkpoint comes at the end
			}
			if err := cps.periodic(deliverCtx); err != nil {
				if errors.Is(err, ErrFenced) {
					fail(err)
				} else {
					logf("warning: %v; the run goes on, and a restart resumes from the checkpoint before", err)
				}
			}
		case lb, ok := <-merged:
			if !ok {
				merged = nil
				break
			}
			take(inputs, feed, lb)
			fail(p.OutputError())
			fail(p.StateError())
			if lo.Progress != nil {
				lo.Progress(cps.progress())
			}
		case u := <-updates:
			if u.err != nil {
				p.RefreshFailed(u.name)
				event.Note(lo.Log, logf, slog.LevelWarn, event.Reference, []any{"table", u.name, "result", "failed", "error", u.err.Error()},
					"reference table %s: refresh failed, keeping the loaded table: %v", u.name, u.err)
			} else if err := p.ReplaceTable(u.name, u.data); err != nil {
				event.Note(lo.Log, logf, slog.LevelWarn, event.Reference, []any{"table", u.name, "result", "rejected", "error", err.Error()},
					"reference table %s: %v; keeping the loaded table", u.name, err)
			} else {
				event.Note(lo.Log, logf, slog.LevelInfo, event.Reference, []any{"table", u.name, "result", "loaded", "bytes", len(u.data)},
					"reference table %s: new version loaded", u.name)
			}
		case err := <-srcErr:
			fail(err)
		case err := <-lost:
			leaseLost = true
			fail(err)
		case to := <-wanted:
			handTo = to
			logf("%s asks for %s: stopping it, to hand it over after its last checkpoint", to, ls.what)
			yield() // stops as a clean stop does (done)
		case <-done:
			// Stop reading; what was read still flows through and out.
			done = nil
			stopReading()
		}
	}
	// Every source has returned (merged closes after them): an error that
	// lost the race with the closing channel is still here.
	for len(srcErr) > 0 {
		fail(<-srcErr)
	}
	stopReading()
	watchers.Wait()
	// The last checkpoint: at a clean stop and at an error exit alike,
	// when every row emitted has been delivered.
	var stats engine.Stats
	var err2 error
	// A stop is a pause unless asked otherwise. State past its bound:
	// closing the windows would emit rows that are not results, and the
	// state is what could not be held; the previous checkpoint stays the
	// one to resume from.
	keep := !lo.CloseWindowsOnStop || p.StateError() != nil || handTo != ""
	if !keep {
		feed.Drain()
		stats, err2 = p.Finish()
	}
	left := undelivered(p)
	if left == "" && p.OutputError() == nil && p.StateError() == nil && !leaseLost {
		if err := cps.write(deliverCtx, keep); err != nil {
			fail(err)
		} else if keep && holdsState(p) {
			logf("stopped: the open windows are kept in checkpoint %s for the next LAST_STOPPED_POINT run (--close-windows-on-stop closes them at a stop instead)", store.Where(cps.next-1))
		}
	}
	if keep {
		stats, err2 = p.Stop()
	}
	fail(err2)
	if left = undelivered(p); left != "" {
		msg := left + "; the checkpoint was not saved (LAST_STOPPED_POINT resumes from the previous one, so rows delivered since may come twice)"
		if runErr == nil {
			runErr = errors.New(msg)
		} else {
			runErr = fmt.Errorf("%s: %w", msg, runErr)
		}
	}
	if lo.Progress != nil {
		lo.Progress(cps.progress())
	}
	if runErr != nil {
		handTo = "" // no checkpoint to resume from: released (or lost) instead
	}
	if handTo != "" && lo.Unwatch != nil {
		for _, in := range inputs {
			lo.Unwatch(in.src)
		}
	}
	if l, ok := o.Observer.(engine.PartLeaver); ok && handTo != "" {
		l.Leave() // the new owner shows the part's figures
	}
	return stats, runErr
}

// position is where input in starts: the option, else the input's
// InputStartingPosition, else NOW.
func (lo *Options) position(in app.Input) string {
	pos := lo.Position
	if pos == "" && in.InputStartingPositionConfiguration != nil {
		pos = strings.ToUpper(in.InputStartingPositionConfiguration.InputStartingPosition)
	}
	if pos == "" {
		pos = kinesis.Now
	}
	return pos
}

// resumes reports whether an input starts at LAST_STOPPED_POINT.
func (lo *Options) resumes(a *app.Application) bool {
	for _, in := range a.Inputs {
		if lo.position(in) == kinesis.LastStoppedPoint {
			return true
		}
	}
	return false
}

// openInputs makes a Kinesis source for each input; LAST_STOPPED_POINT
// starts from the checkpoint resumed (or, with none, from the position
// file of an earlier streamsql).
func openInputs(a *app.Application, lo *Options, logf func(string, ...any), resumed *checkpoint, pt *part) ([]*liveInput, error) {
	client := kinsdk.NewFromConfig(lo.cfg)
	// A shard not read before a checkpoint starts from the moment reading
	// began: the run resumed from it then reads what came since.
	start := readingStart()
	var out []*liveInput
	for i, in := range a.Inputs {
		field := fmt.Sprintf("Inputs[%d]", i)
		if in.KinesisStreamsInput == nil || in.KinesisStreamsInput.ResourceARN == "" {
			if in.KinesisFirehoseInput != nil {
				return nil, &engine.ConfigError{Field: field + ".KinesisFirehoseInput", Msg: "a Firehose input cannot be read live; replay the objects Firehose delivered with --replay"}
			}
			return nil, &engine.ConfigError{Field: field + ".KinesisStreamsInput", Msg: "missing: a live run reads the input's Kinesis stream (or give recordings with --replay)"}
		}
		stream, err := kinesis.ParseStream(in.KinesisStreamsInput.ResourceARN)
		if err != nil {
			return nil, &engine.ConfigError{Field: field + ".KinesisStreamsInput.ResourceARN", Msg: err.Error()}
		}
		pos := lo.position(in)
		switch pos {
		case kinesis.Now, kinesis.TrimHorizon, kinesis.LastStoppedPoint, kinesis.AtTimestamp:
		default:
			return nil, &engine.ConfigError{Field: field + ".InputStartingPositionConfiguration", Msg: fmt.Sprintf("%q is not NOW, TRIM_HORIZON, LAST_STOPPED_POINT or AT_TIMESTAMP", pos)}
		}
		li := &liveInput{index: i, name: stream.Name, cpPath: checkpointPath(a, lo.CheckpointDir, stream.Name), shards: kinesis.NewShardMap(in.Parallelism())}
		if pt != nil {
			li.cpPath = "" // a part resumes from its own checkpoints only
		}
		var cp *kinesis.Checkpoint
		if pos == kinesis.LastStoppedPoint {
			if resumed != nil && i < len(resumed.Inputs) && resumed.Inputs[i] != nil && resumed.Inputs[i].Stream == stream.Name {
				cp, li.resumed = resumed.Inputs[i], true
			} else if li.cpPath == "" {
				cp = nil
			} else if cp, err = kinesis.LoadCheckpoint(li.cpPath); err != nil {
				return nil, err
			}
			if cp == nil {
				logf("input %s: no checkpoint yet; LAST_STOPPED_POINT starts from NOW", stream.Name)
			}
		}
		li.pos = &kinesis.Checkpoint{Stream: stream.Name, Shards: map[string]kinesis.ShardCheckpoint{}}
		srcPos, srcAt := pos, lo.Timestamp
		switch {
		case cp != nil:
			for k, v := range cp.Shards {
				li.pos.Shards[k] = v
			}
			li.pos.From, li.pos.Timestamp = cp.From, cp.Timestamp
		case pos == kinesis.AtTimestamp:
			li.pos.From, li.pos.Timestamp = kinesis.AtTimestamp, lo.Timestamp
		case pos == kinesis.TrimHorizon:
			// Said outright: a checkpoint taken before a shard was read
			// (none holds a sequence number yet) still resumes from the
			// shards' start, not from their tip.
			li.pos.From = kinesis.TrimHorizon
		case pt != nil:
			// NOW for a part, which this instance may take long after it
			// started (a free part waits for other instances): from the
			// instance's start, not from when the lease came.
			srcPos, srcAt = kinesis.AtTimestamp, pt.start
			li.pos.From, li.pos.Timestamp = kinesis.AtTimestamp, pt.start
		default: // NOW, or LAST_STOPPED_POINT with nothing saved
			li.pos.From, li.pos.Timestamp = kinesis.AtTimestamp, start
		}
		li.src = kinesis.NewSource(client, kinesis.SourceOptions{Stream: stream, Position: srcPos, Timestamp: srcAt,
			Checkpoint: cp, PollInterval: lo.PollInterval, MaxOutage: lo.MaxOutage, ConnectTimeout: lo.ConnectTimeout, Logf: logf, Log: lo.Log,
			Map: li.shards, Only: pt.only(i)})
		out = append(out, li)
	}
	return out, nil
}

// readingStart is the moment a run starts reading, the AT_TIMESTAMP a
// resumed run reads a shard from when this run never read that shard.
// Arrival times are whole milliseconds, so it is the first millisecond
// that begins after now, and readingStart returns only once that
// millisecond has begun (a wait under 1 ms), before any shard is opened.
// A record that arrived before it arrived before the run started, was
// never readable by this run (NOW opens each shard at its tip, later) and
// is not read by a resumed one; a record that arrived at or after it is
// read by this run or, on a shard this run never read, by the next one.
func readingStart() time.Time {
	start := time.Now().Truncate(time.Millisecond).Add(time.Millisecond)
	for d := time.Until(start); d > 0; d = time.Until(start) {
		time.Sleep(d)
	}
	return start
}

// take hands one read of a shard to the run: the position received, then
// the records to the feed.
func take(inputs []*liveInput, feed *engine.Feed, lb liveBatch) {
	if lb.b.Start {
		feed.Open(shardKey(lb))
		// The input stops holding time back once every shard of its first
		// listing is open: one shard's records may come before another
		// shard's Start, and that shard's older records would then be
		// late.
		if in := inputs[lb.in]; lb.b.Listed > 0 {
			if in.opened++; in.opened == lb.b.Listed {
				feed.Close(listing(lb.in))
			}
		}
		return
	}
	inputs[lb.in].received(lb.b)
	feed.Batch(engine.ShardRead{Input: lb.in, Shard: shardKey(lb), Records: lb.b.Records, Decoded: lb.dec,
		MillisBehind: lb.b.MillisBehindLatest, End: lb.b.End})
}

// shardKey names a shard in the feed by its input and id; listing(in)
// stands for input in's shards until the first opens.
func shardKey(lb liveBatch) string { return fmt.Sprintf("%d/%s", lb.in, lb.b.ShardID) }
func listing(in int) string        { return fmt.Sprintf("%d/", in) }

// received moves the input's position past a batch the run loop took.
func (in *liveInput) received(b kinesis.Batch) {
	if len(b.Records) == 0 && !b.End {
		return
	}
	sc := in.pos.Shards[b.ShardID]
	if n := len(b.Records); n > 0 {
		sc.SequenceNumber = b.Records[n-1].SequenceNumber
	}
	if b.End {
		sc.Closed = true
	}
	in.pos.Shards[b.ShardID] = sc
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func checkpointPath(a *app.Application, dir, stream string) string {
	if dir == "" {
		dir = filepath.Join(a.Dir, ".streamsql")
	}
	return filepath.Join(dir, unsafeName.ReplaceAllString(appName(a), "_")+"."+unsafeName.ReplaceAllString(stream, "_")+".checkpoint.json")
}

func progress(p *engine.Pipeline, inputs []*liveInput) Progress {
	pr := Progress{RecordsIn: p.RecordsIn(), Delivered: map[string]int64{}}
	for _, b := range p.Outputs() {
		if d, ok := b.Out.(*destination); ok {
			pr.Delivered[d.output] += d.Status().Delivered
		}
	}
	for _, in := range inputs {
		pr.LagMillis = max(pr.LagMillis, in.src.Lag())
		pr.Outages = append(pr.Outages, in.src.Outages()...)
		if ok, err := in.src.Connected(); !ok {
			w := "Kinesis stream " + in.name + " has not answered yet"
			if err != nil {
				w += " (retrying: " + kinesis.Brief(err).Error() + ")"
			}
			pr.Waiting = append(pr.Waiting, w)
		}
	}
	if pr.RecordsIn > 0 {
		pr.ArrivalLagMillis = max(0, time.Now().UnixMilli()-p.Time())
	}
	return pr
}

// holdsState reports whether an operator holds state (open windows,
// groups or rows).
func holdsState(p *engine.Pipeline) bool {
	for _, n := range p.Running().Operators() {
		if s := n.StateSize(); s.Groups > 0 || s.Rows > 0 {
			return true
		}
	}
	return false
}

// undelivered describes the rows the destinations still hold ("" none).
func undelivered(p *engine.Pipeline) string {
	var n int64
	var parts []string
	for _, b := range p.Outputs() {
		if d, ok := b.Out.(*destination); ok {
			if k := d.Status().Pending; k > 0 {
				n += k
				parts = append(parts, fmt.Sprintf("%s %d", d.what, k))
			}
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d row(s) not delivered (%s)", n, strings.Join(parts, ", "))
}
