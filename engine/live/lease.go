package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamsql/streamsql/connectors/deliver"
	"github.com/streamsql/streamsql/engine"
)

// DefaultLeaseDuration is how long an owner's lease lasts without a
// heartbeat: a standby takes over at most about this long after the
// owner died.
const DefaultLeaseDuration = 10 * time.Second

// lease is one application's ownership, held in a DynamoDB item written
// only with conditional writes (the SDK's ConditionExpression):
//
//	Application (key), Owner, Run (the owner's run: a random value of
//	its process), Version (a random value renewed by every heartbeat),
//	LeaseMillis, and Released once the owner's clean stop gave it up
//
// The owner renews Version every third of the lease, on the condition
// that it is still the owner with the version it last wrote. A standby
// reads the item, and takes it over (on the condition that Version is
// still the one it read) only after a whole lease has passed on its own
// clock without the version changing: no two clocks are ever compared,
// as in the Amazon DynamoDB Lock Client. cirello.io/dynamolock/v2, the Go
// client of that design, could not be fetched through the module proxy,
// so these three conditional writes are written here.
type lease struct {
	client   *ddb.Client
	table    string
	app      string
	owner    string
	duration time.Duration
	version  string
	logf     func(string, ...any)
	// share, for the leases of the parts of a split application, keeps
	// one instance from taking every part: see share.
	share *share
	what  string // "application X" or "application X, part Y", for messages
	// tookOver: acquire took the lease from another run (one that stopped
	// renewing it, handed it over, or released it at a clean stop this
	// instance saw it running), so the run goes on from the latest
	// checkpoint.
	tookOver bool
	// run is this process's run, written in the items it writes (Run).
	run string
	// seen are the runs this instance saw hold each lease item; shared by
	// the part leases of an instance.
	seen *runsSeen
	// sent is when the write of the version held was sent: the lease lasts
	// a whole duration from then on any standby's clock. pending is the
	// version of a renewal whose answer never came (it may be the item's).
	sent, pendingSent time.Time
	pending           string
	// application is the application's name (app is the item's key: the
	// name, with the part's for a part).
	application string
	// wanted is the instance that asked for the part (the item's Wanted,
	// as the last renewal found it): see rebalance.go.
	wanted string
	// handedOver: the run of the part ended by handing it to wanted.
	handedOver bool
}

// share is what the part leases of one instance know of each other. An
// instance owning no part takes a free part at once; one owning some
// takes a free part only after it has stayed free for freeGrace (no other
// instance took it), so instances started together split the parts
// between them. A part whose owner stopped renewing is taken over by any
// instance, as the one lease of an application is.
type share struct {
	mu    sync.Mutex
	owned int
}

// freeGrace is how long a part stays free before an instance that owns
// another part takes it too.
func (l *lease) freeGrace() time.Duration { return 3 * l.duration }

func newLease(lo *Options, app string, logf func(string, ...any)) (*lease, error) {
	table, ok := strings.CutPrefix(lo.Lease, "dynamodb://")
	if !ok || table == "" || strings.Contains(table, "/") {
		return nil, &engine.ConfigError{Field: "--lease", Msg: fmt.Sprintf("%q: want dynamodb://TABLE", lo.Lease)}
	}
	d := lo.LeaseDuration
	if d <= 0 {
		d = DefaultLeaseDuration
	}
	owner := lo.Instance
	if owner == "" {
		host, _ := os.Hostname()
		owner = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), randomID()[:6])
	}
	return &lease{client: ddb.NewFromConfig(lo.cfg), table: table, app: app, owner: owner, duration: d, logf: logf, what: "application " + app, application: app,
		run: randomID(), seen: &runsSeen{runs: map[string]map[string]bool{}}}, nil
}

// runsSeen are the runs an instance saw hold each lease item (its Run
// while neither released nor handed over). A lease released by the clean
// stop of a run the instance saw is resumed from that run's checkpoint;
// one released by a run it never saw (the fleet stopped before this
// instance started) starts from the instance's own start position.
type runsSeen struct {
	mu   sync.Mutex
	runs map[string]map[string]bool
}

// note records the run holding item key, if one does.
func (s *runsSeen) note(key string, item map[string]types.AttributeValue) {
	run := attrS(item, "Run")
	if run == "" || released(item) || attrS(item, "HandedTo") != "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runs[key] == nil {
		s.runs[key] = map[string]bool{}
	}
	s.runs[key][run] = true
}

// saw reports whether run was seen holding item key.
func (s *runsSeen) saw(key, run string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runs[key][run]
}

// released reports whether an item's owner released it at a stop.
func released(item map[string]types.AttributeValue) bool {
	return attrS(item, "Released") != ""
}

func randomID() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

var errLeaseTaken = errors.New("lease held by another instance")

func isConditionFailed(err error) bool {
	var cf *types.ConditionalCheckFailedException
	return errors.As(err, &cf)
}

// ensureTable creates the lease table when it does not exist.
func (l *lease) ensureTable(ctx context.Context) error {
	_, err := l.client.DescribeTable(ctx, &ddb.DescribeTableInput{TableName: aws.String(l.table)})
	var nf *types.ResourceNotFoundException
	if err == nil || !errors.As(err, &nf) {
		return err
	}
	_, err = l.client.CreateTable(ctx, &ddb.CreateTableInput{TableName: aws.String(l.table), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("Application"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("Application"), KeyType: types.KeyTypeHash}}})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return err
	}
	return ddb.NewTableExistsWaiter(l.client).Wait(ctx, &ddb.DescribeTableInput{TableName: aws.String(l.table)}, time.Minute)
}

// put writes the item as ours on a condition.
func (l *lease) put(ctx context.Context, cond string, vals map[string]types.AttributeValue) error {
	item := l.item(nil)
	sent := time.Now()
	_, err := l.client.PutItem(ctx, &ddb.PutItemInput{TableName: aws.String(l.table), Item: item,
		ConditionExpression: aws.String(cond), ExpressionAttributeValues: vals})
	if err == nil {
		l.version, l.pending, l.sent = attrS(item, "Version"), "", sent
		return nil
	}
	// Written or not: the next look tells (acquire).
	l.pending, l.pendingSent = attrS(item, "Version"), sent
	if isConditionFailed(err) {
		return errLeaseTaken
	}
	return err
}

// item is a lease item of ours with a new version, and extra attributes.
func (l *lease) item(extra map[string]types.AttributeValue) map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{
		"Application": &types.AttributeValueMemberS{Value: l.app},
		"Owner":       &types.AttributeValueMemberS{Value: l.owner},
		"Run":         &types.AttributeValueMemberS{Value: l.run},
		"Version":     &types.AttributeValueMemberS{Value: randomID()},
		"LeaseMillis": &types.AttributeValueMemberN{Value: strconv.FormatInt(l.duration.Milliseconds(), 10)},
	}
	maps.Copy(item, extra)
	return item
}

// ours is the condition that the item is still ours as we left it: our
// owner, and the version we last wrote or the one of a renewal whose
// answer never came; with its attribute names and values.
func (l *lease) ours() (string, map[string]string, map[string]types.AttributeValue) {
	p := l.pending
	if p == "" {
		p = l.version
	}
	return "#o = :me AND (Version = :v OR Version = :p)", map[string]string{"#o": "Owner"}, map[string]types.AttributeValue{
		":me": &types.AttributeValueMemberS{Value: l.owner}, ":v": &types.AttributeValueMemberS{Value: l.version}, ":p": &types.AttributeValueMemberS{Value: p}}
}

// acquire waits until this instance owns the application (a standby
// until then) or ctx ends.
func (l *lease) acquire(ctx context.Context) (err error) {
	if err := l.ensureTable(ctx); err != nil {
		return fmt.Errorf("lease table %s: %w", l.table, err)
	}
	l.tookOver, l.handedOver, l.wanted = false, false, ""
	var st looking
	if l.share != nil {
		l.share.mu.Lock()
		defer func() {
			if err == nil {
				l.share.owned++
			}
			l.share.mu.Unlock()
		}()
	}
	// A look or write that fails for a while (DynamoDB slow or away) is
	// tried again, said once; won, after a write to take the lease that
	// failed, completes the acquisition if the next look finds that write
	// made (its answer was lost, or the SDK's retry of it found the item
	// already changed).
	var failing error
	var won func()
	for {
		if won == nil {
			l.pending = ""
		}
		lctx, cancel := context.WithTimeout(ctx, l.duration)
		out, err := l.client.GetItem(lctx, &ddb.GetItemInput{TableName: aws.String(l.table), ConsistentRead: aws.Bool(true),
			Key: itemKey(l.app)})
		var ours func() // what taking the lease says and means
		if err == nil {
			l.seen.note(l.app, out.Item)
			ours, err = l.look(lctx, out.Item, won, &st)
			won = nil
		}
		cancel()
		if err == nil {
			ours()
			return nil
		}
		if !errors.Is(err, errLeaseTaken) {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if !transient(err) {
				return fmt.Errorf("lease %s/%s: %w", l.table, l.app, err)
			}
			if failing == nil {
				l.logf("warning: lease %s/%s: %v; trying again every %s", l.table, l.app, err, l.duration/5)
			}
			failing = err
		} else if failing != nil {
			l.logf("lease %s/%s: the lease table answers again", l.table, l.app)
			failing = nil
		}
		if l.pending != "" && ours != nil {
			won = ours
		}
		if !st.said && st.holder != "" {
			l.logf("standby: %s is run by %s; taking over if it stops renewing its lease for %s", l.what, st.holder, l.duration)
			st.said = true
		}
		if err := l.wait(ctx); err != nil {
			return err
		}
	}
}

// looking is what acquire's looks at the lease item remember.
type looking struct {
	seen      string    // the version seen last
	seenAt    time.Time // when it was first seen
	holder    string    // its holder
	said      bool      // that the instance is a standby
	freeSince time.Time // since when the lease is free, if it is
}

// transient reports whether a failed call to DynamoDB may work when sent
// again: it timed out, or the SDK's own retries ran out on an error they
// retry (throttling, a server error, a broken connection).
func transient(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary
}

// look decides from one look at the lease item (nil: none) whether to
// take the lease, and writes it if so; errLeaseTaken while another holds
// it. ours completes the acquisition once the lease is ours. won is the
// ours of a write that failed, whose version (l.pending) the item may
// hold.
func (l *lease) look(ctx context.Context, item map[string]types.AttributeValue, won func(), st *looking) (ours func(), err error) {
	it := func(v string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{":v": &types.AttributeValueMemberS{Value: v}}
	}
	switch {
	case won != nil && attrS(item, "Owner") == l.owner && attrS(item, "Version") == l.pending:
		// A write of ours whose answer never came was made.
		l.version, l.pending, l.sent = l.pending, "", l.pendingSent
		return won, nil
	case item == nil || released(item):
		if st.freeSince.IsZero() {
			st.freeSince = time.Now()
		}
		if l.share != nil && l.share.owned > 0 && time.Since(st.freeSince) < l.freeGrace() {
			return nil, errLeaseTaken // left to an instance that owns no part yet
		}
		ours = func() { l.logf("owning %s", l.what) }
		if item != nil && l.seen.saw(l.app, attrS(item, "Run")) {
			// Released by the clean stop of a run this instance saw
			// running: that run goes on here from its stop's checkpoint.
			by := attrS(item, "Owner")
			ours = func() {
				l.tookOver = true
				l.logf("took over %s, released by %s at its stop", l.what, by)
			}
		}
		if item == nil {
			return ours, l.put(ctx, "attribute_not_exists(Application)", nil)
		}
		return ours, l.put(ctx, "Version = :v", it(attrS(item, "Version")))
	case attrS(item, "HandedTo") == l.owner:
		// Handed to this instance by its owner, which checkpointed the
		// part first: taken at once, and resumed from that checkpoint.
		st.freeSince = time.Time{}
		by := attrS(item, "Owner")
		return func() {
			l.tookOver = true
			l.logf("took over %s, handed over by %s", l.what, by)
		}, l.put(ctx, "Version = :v", it(attrS(item, "Version")))
	default:
		st.freeSince = time.Time{}
		version := attrS(item, "Version")
		wait := l.durationOf(item)
		if version != st.seen {
			st.seen, st.seenAt, st.holder = version, time.Now(), holderOf(item)
			return nil, errLeaseTaken
		}
		if time.Since(st.seenAt) < wait {
			return nil, errLeaseTaken
		}
		// A whole lease without a heartbeat: the owner is gone.
		holder := st.holder
		return func() {
			l.tookOver = true
			l.logf("took over %s from %s (no heartbeat for %s)", l.what, holder, wait)
		}, l.put(ctx, "Version = :v", it(st.seen))
	}
}

// wait sleeps between two looks at the lease; the parts of one instance
// look in turn (share.mu), so it lets the others look meanwhile.
func (l *lease) wait(ctx context.Context) error {
	if l.share == nil {
		return deliver.Sleep(ctx, l.duration/5)
	}
	l.share.mu.Unlock()
	defer l.share.mu.Lock()
	return deliver.Sleep(ctx, l.duration/5)
}

// renew writes a new version on the condition that the lease is still
// ours as we left it; errLeaseTaken when it is not. A renewal whose
// answer never came is sent again with the same new version (pending),
// so that it finds the lease ours whether or not the first one was
// written. It notes in l.wanted the instance that asked for the lease,
// if one did.
func (l *lease) renew(ctx context.Context) error {
	return l.settle(l.send(ctx, l.renewal()))
}

// renewal is the condition and values of the renewal to l.pending (a new
// version, unless a renewal to it got no answer yet).
func (l *lease) renewal() *ddb.UpdateItemInput {
	if l.pending == "" {
		l.pending, l.pendingSent = randomID(), time.Now()
	}
	cond, names, vals := l.ours()
	return &ddb.UpdateItemInput{TableName: aws.String(l.table), ReturnValues: types.ReturnValueAllNew,
		Key:                       itemKey(l.app),
		UpdateExpression:          aws.String("SET Version = :p"),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: vals}
}

// answer is what one attempt at a renewal got.
type answer struct {
	wanted string
	err    error
}

// send makes one attempt at a renewal; it changes nothing in l, so
// attempts may overlap.
func (l *lease) send(ctx context.Context, in *ddb.UpdateItemInput) answer {
	out, err := l.client.UpdateItem(ctx, in)
	if err != nil {
		return answer{err: err}
	}
	return answer{wanted: attrS(out.Attributes, "Wanted")}
}

// settle takes the answer of an attempt: nil when the lease is renewed.
func (l *lease) settle(a answer) error {
	if isConditionFailed(a.err) {
		return errLeaseTaken
	}
	if a.err == nil {
		// The lease runs from the first send of this version: a standby
		// sees it only after one of its sends was written.
		l.version, l.pending, l.sent = l.pending, "", l.pendingSent
		l.wanted = a.wanted
	}
	return a.err
}

// hold renews the lease until ctx ends; lost is called once when the
// lease is lost (taken, or not renewed for a whole lease), and wanted
// (if not nil) once when a renewal finds that another instance asked for
// the lease (rebalance.go); the lease is renewed on meanwhile. A renewal
// not answered within a quarter of a lease is sent again while the first
// attempt still waits (both write the same version, and the first answer
// counts), and one that fails is sent again soon after, until the lease
// runs out: only then, or when another instance holds the lease, is it
// lost.
func (l *lease) hold(ctx context.Context, lost func(error), wanted func(string)) {
	for {
		// A third of a lease after the version held was sent, however
		// long its write took to answer.
		if deliver.Sleep(ctx, time.Until(l.sent.Add(l.duration/3))) != nil {
			return
		}
		err := l.round(ctx)
		switch {
		case errors.Is(err, errLeaseTaken):
			lost(fmt.Errorf("%w: the lease of application %s was taken over", ErrFenced, l.app))
			return
		case err != nil && ctx.Err() != nil:
			return // stopped: the release's condition takes either version
		case err != nil:
			lost(fmt.Errorf("%w: the lease of application %s could not be renewed for %s (%v)", ErrFenced, l.app, time.Since(l.sent).Round(time.Millisecond), err))
			return
		}
		if wanted != nil && l.wanted != "" {
			wanted(l.wanted)
			wanted = nil
		}
	}
}

// round renews the lease once, sending attempts until one is answered or
// the lease runs out. An attempt is not cut short by the stop (ctx): the
// lease's version is then known when it is released or handed over.
func (l *lease) round(ctx context.Context) error {
	in := l.renewal()
	deadline := l.sent.Add(l.duration)
	answers, done := make(chan answer), make(chan struct{})
	defer close(done) // the answers of attempts still out are dropped
	waiting := 0
	try := func() {
		waiting++
		go func() {
			actx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
			defer cancel()
			select {
			case answers <- l.send(actx, in):
			case <-done:
			}
		}()
	}
	try()
	again := time.NewTimer(l.duration / 4)
	defer again.Stop()
	expire := time.NewTimer(time.Until(deadline))
	defer expire.Stop()
	var failed error
	for {
		select {
		case a := <-answers:
			waiting--
			err := l.settle(a)
			if err == nil && failed != nil {
				l.logf("lease %s/%s: renewed again", l.table, l.app)
			}
			if err == nil || errors.Is(err, errLeaseTaken) || ctx.Err() != nil {
				return err
			}
			if failed == nil {
				l.logf("warning: lease %s/%s: renewal failed: %v; trying again until the lease runs out (%s)", l.table, l.app, err, time.Until(deadline).Round(time.Millisecond))
			}
			failed = err
			if waiting == 0 {
				again.Reset(l.duration / 20)
			}
		case <-again.C:
			try()
			again.Reset(l.duration / 4)
		case <-expire.C:
			if failed == nil {
				failed = errors.New("no answer")
			}
			return failed
		}
	}
}

// release gives the lease up at a stop, so another instance takes it at
// once: the item stays, marked Released, with this run (Run), so that an
// instance that saw this run holding it goes on with its checkpoint.
func (l *lease) release(ctx context.Context) error {
	err := l.replace(ctx, map[string]types.AttributeValue{"Released": &types.AttributeValueMemberS{Value: "stop"}})
	if err != nil && !errors.Is(err, errLeaseTaken) {
		return fmt.Errorf("lease %s/%s: release failed: %w", l.table, l.app, err)
	}
	return nil
}

// let ends this instance's hold of the lease, its hold loop stopped: no
// write when the lease was lost, a hand-over to instance to if one was
// asked for and the part's last checkpoint written, else a release.
func (l *lease) let(to string, lost bool) {
	if l.share != nil {
		l.share.mu.Lock()
		l.share.owned--
		l.share.mu.Unlock()
	}
	if lost {
		return
	}
	if to != "" {
		err := l.handOver(context.Background(), to)
		if err == nil {
			l.handedOver = true
			l.logf("handed %s over to %s", l.what, to)
			return
		}
		if errors.Is(err, errLeaseTaken) {
			return // taken over meanwhile: nothing of ours to release
		}
		l.logf("warning: %v; releasing it instead", err)
	}
	if err := l.release(context.Background()); err != nil {
		l.logf("warning: %v; a standby takes over once the lease runs out (%s)", err, l.duration)
	}
}

// handOver gives the lease to instance to, on the condition that it is
// still ours: the item stays, with a new version and HandedTo, so that to
// takes it at once (acquire) and any other instance sees it held (and
// takes it over as from a dead owner if to never does).
func (l *lease) handOver(ctx context.Context, to string) error {
	err := l.replace(ctx, map[string]types.AttributeValue{"HandedTo": &types.AttributeValueMemberS{Value: to}})
	if err != nil && !errors.Is(err, errLeaseTaken) {
		return fmt.Errorf("lease %s/%s: hand-over failed: %w", l.table, l.app, err)
	}
	return err
}

// replace rewrites the item as ours with extra attributes, on the
// condition that it is still ours; errLeaseTaken when it is not.
func (l *lease) replace(ctx context.Context, extra map[string]types.AttributeValue) error {
	cond, names, vals := l.ours()
	_, err := l.client.PutItem(ctx, &ddb.PutItemInput{TableName: aws.String(l.table), Item: l.item(extra),
		ConditionExpression: aws.String(cond), ExpressionAttributeNames: names, ExpressionAttributeValues: vals})
	if isConditionFailed(err) {
		return errLeaseTaken
	}
	return err
}

// durationOf is the lease duration an item's owner wrote (LeaseMillis),
// else this instance's.
func (l *lease) durationOf(item map[string]types.AttributeValue) time.Duration {
	if ms, err := strconv.ParseInt(attrN(item, "LeaseMillis"), 10, 64); err == nil && ms > 0 {
		return time.Duration(ms) * time.Millisecond
	}
	return l.duration
}

// itemKey is the key of the lease table's item k.
func itemKey(k string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"Application": &types.AttributeValueMemberS{Value: k}}
}

func attrS(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func attrN(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberN); ok {
		return v.Value
	}
	return ""
}

// settleShards is kinesis.ShardMap.Settle in the lease table: one item per
// shard of the input's stream (key APPLICATION#shard#COUNT#STREAM#SHARD),
// written only if absent, holding the 1-based in-application stream. So
// every instance, now or after the shard's ancestors are trimmed, maps
// the shard as the first instance that saw it did.
func (l *lease) settleShards(stream string, count int) func(context.Context, map[string]int) (map[string]int, error) {
	return func(ctx context.Context, proposed map[string]int) (map[string]int, error) {
		out := make(map[string]int, len(proposed))
		for id, k := range proposed {
			key := itemKey(fmt.Sprintf("%s#shard#%d#%s#%s", l.application, count, stream, id))
			item := map[string]types.AttributeValue{"InAppStream": &types.AttributeValueMemberN{Value: strconv.Itoa(k + 1)}}
			maps.Copy(item, key)
			_, err := l.client.PutItem(ctx, &ddb.PutItemInput{TableName: aws.String(l.table), Item: item,
				ConditionExpression: aws.String("attribute_not_exists(Application)")})
			if err == nil {
				out[id] = k
				continue
			}
			if !isConditionFailed(err) {
				return nil, fmt.Errorf("lease table %s: %w", l.table, err)
			}
			got, err := l.client.GetItem(ctx, &ddb.GetItemInput{TableName: aws.String(l.table), ConsistentRead: aws.Bool(true), Key: key})
			if err != nil {
				return nil, fmt.Errorf("lease table %s: %w", l.table, err)
			}
			n, err := strconv.Atoi(attrN(got.Item, "InAppStream"))
			if err != nil {
				return nil, fmt.Errorf("lease table %s: shard %s of %s: no in-application stream stored", l.table, id, stream)
			}
			out[id] = n - 1
		}
		return out, nil
	}
}
