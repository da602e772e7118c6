package live

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/connectors/kinesis"
	"github.com/streamsql/streamsql/engine"
	"github.com/streamsql/streamsql/internal/event"
	"github.com/streamsql/streamsql/operators"
)

// A checkpoint is one consistent cut of a live run, written at a batch
// boundary after every row emitted so far was acknowledged by its
// destination: the position of every shard of every input (the last record
// received; for a shard not read yet, where the run started), the records
// received but still waiting for slower shards, the pipeline's state (every
// operator's, engine.Pipeline.Snapshot) and the plan's fingerprint. A run
// resumed from it (LAST_STOPPED_POINT) reads after the positions and goes
// on as the checkpointed run would have.
type checkpoint struct {
	Seq         int64                 `json:"Seq"`
	Time        time.Time             `json:"Time"`
	Application string                `json:"Application"`
	Fingerprint string                `json:"Fingerprint"`
	Inputs      []*kinesis.Checkpoint `json:"Inputs"`
	// Feed and Pipeline are the run's state (empty Pipeline: positions
	// only; the run that wrote it ended its windows at the stop).
	Feed     []byte `json:"-"`
	Pipeline []byte `json:"-"`
	// laid is the checkpoint laid out (layout) but not sealed, when the
	// run loop took it; encode seals it in place.
	laid []byte
}

// checkpointMagic starts every checkpoint object; the format version is
// its last line.
const checkpointMagic = "streamsql checkpoint\n3\n"

// layout lays a checkpoint out in buf (reused: emptied first) as: the
// magic, a JSON header (length first, 4 bytes big-endian), the feed and
// the pipeline state, each an operators.StateWriter blob (8 bytes of
// length, little-endian, then the bytes) that feed and pipeline encode in
// place, with nothing copied. c.Feed and c.Pipeline become those parts of
// the result. encode then appends a CRC-32C (operators.SealBytes) of it all, so a torn or
// damaged object is detected, not half-read. (Format 2 ended in a SHA-256:
// the checksum only detects damage, nothing compares it or names a
// checkpoint by it (the S3 fence is the object's name), and a CRC-32C
// with the processor's instruction costs a small fraction of a SHA-256 of
// a 50 MB checkpoint.)
func (c *checkpoint) layout(buf []byte, feed, pipeline func(io.Writer) error) ([]byte, error) {
	hdr, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	sw := operators.NewStateWriter(buf[:0])
	sw.Write([]byte(checkpointMagic))
	sw.Write(binary.BigEndian.AppendUint32(nil, uint32(len(hdr))))
	sw.Write(hdr)
	var at [2]int
	for i, part := range []func(io.Writer) error{feed, pipeline} {
		at[i] = sw.OpenBlob()
		if err := part(sw); err != nil {
			return nil, err
		}
		sw.CloseBlob(at[i])
	}
	sw.Grow(operators.SealSize) // for the seal, in place
	data := sw.Encoded()
	c.Feed, c.Pipeline = data[at[0]:at[1]-8], data[at[1]:]
	return data, nil
}

// encode is the checkpoint's bytes: what the run loop laid out, sealed,
// or else c laid out with the parts it holds (nil if its header does not
// marshal, which a header of names, numbers and times always does).
func (c *checkpoint) encode() []byte {
	if c.laid != nil {
		return operators.SealBytes(c.laid)
	}
	data, err := c.layout(nil, writeBytes(c.Feed), writeBytes(c.Pipeline))
	if err != nil {
		return nil
	}
	return operators.SealBytes(data)
}

func writeBytes(b []byte) func(io.Writer) error {
	return func(w io.Writer) error { _, err := w.Write(b); return err }
}

var errCorrupt = errors.New("corrupt checkpoint")

func decodeCheckpoint(data []byte) (*checkpoint, error) {
	if len(data) < len(checkpointMagic)+operators.SealSize || !bytes.HasPrefix(data, []byte("streamsql checkpoint\n")) {
		return nil, fmt.Errorf("%w: not a streamsql checkpoint", errCorrupt)
	}
	if !bytes.HasPrefix(data, []byte(checkpointMagic)) {
		return nil, fmt.Errorf("%w: written by another version of streamsql (format %q)", errCorrupt, strings.TrimSpace(string(data[len("streamsql checkpoint\n"):min(len(data), len(checkpointMagic)+8)])))
	}
	body, err := operators.Unseal(data)
	if err != nil {
		return nil, fmt.Errorf("%w: checksum mismatch (torn or damaged)", errCorrupt)
	}
	rest := body[len(checkpointMagic):]
	take := func(n uint64) ([]byte, bool) {
		if uint64(len(rest)) < n {
			return nil, false
		}
		out := rest[:n]
		rest = rest[n:]
		return out, true
	}
	c := &checkpoint{}
	lb, ok := take(4)
	if !ok {
		return nil, fmt.Errorf("%w: truncated", errCorrupt)
	}
	hdr, ok := take(uint64(binary.BigEndian.Uint32(lb)))
	if !ok {
		return nil, fmt.Errorf("%w: truncated", errCorrupt)
	}
	if err := json.Unmarshal(hdr, c); err != nil {
		return nil, fmt.Errorf("%w: %v", errCorrupt, err)
	}
	for _, part := range []*[]byte{&c.Feed, &c.Pipeline} {
		lb, ok := take(8)
		if !ok {
			return nil, fmt.Errorf("%w: truncated", errCorrupt)
		}
		if *part, ok = take(binary.LittleEndian.Uint64(lb)); !ok {
			return nil, fmt.Errorf("%w: truncated", errCorrupt)
		}
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the end", errCorrupt, len(rest))
	}
	return c, nil
}

// Store keeps an application's checkpoints, numbered by a sequence that
// grows with each one.
type Store interface {
	// Put writes checkpoint seq atomically: after a crash it is either
	// whole or absent.
	Put(ctx context.Context, seq int64, data []byte) error
	// List gives the sequence numbers stored, in increasing order.
	List(ctx context.Context) ([]int64, error)
	Get(ctx context.Context, seq int64) ([]byte, error)
	Delete(ctx context.Context, seq int64) error
	// Where names checkpoint seq for messages.
	Where(seq int64) string
}

// DefaultCheckpointKeep is how many checkpoints a store keeps.
const DefaultCheckpointKeep = 3

// latest reads the newest checkpoint that is whole; a damaged one is
// reported and the one before it is read instead. (nil, nil): none stored.
func latest(ctx context.Context, s Store, logf func(string, ...any)) (*checkpoint, error) {
	seqs, err := s.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	for i := len(seqs) - 1; i >= 0; i-- {
		data, err := s.Get(ctx, seqs[i])
		if err != nil {
			return nil, fmt.Errorf("checkpoint: %w", err)
		}
		c, err := decodeCheckpoint(data)
		if err == nil && c.Seq != seqs[i] {
			err = fmt.Errorf("%w: holds checkpoint %d", errCorrupt, c.Seq)
		}
		if err != nil {
			if i > 0 {
				logf("warning: checkpoint %s: %v; resuming from the one before it (%s)", s.Where(seqs[i]), err, s.Where(seqs[i-1]))
				continue
			}
			logf("warning: checkpoint %s: %v; no earlier checkpoint is kept", s.Where(seqs[i]), err)
			return nil, fmt.Errorf("checkpoint %s: %w (remove it to start from the application's starting position)", s.Where(seqs[i]), err)
		}
		return c, nil
	}
	return nil, nil
}

// save writes c as the next checkpoint and removes all but the last keep.
// A failed removal does not fail the save, c is written and the old ones
// go next time, but it is returned as prune so the caller says so.
func save(ctx context.Context, s Store, c *checkpoint, keep int) (prune, err error) {
	return saveEncoded(ctx, s, c, c.encode(), keep)
}

// saveEncoded is save of a checkpoint already encoded as data.
func saveEncoded(ctx context.Context, s Store, c *checkpoint, data []byte, keep int) (prune, err error) {
	if data == nil { // encode: the header did not marshal
		return nil, fmt.Errorf("checkpoint %s: its header cannot be encoded (time %s)", s.Where(c.Seq), c.Time)
	}
	if err := s.Put(ctx, c.Seq, data); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", s.Where(c.Seq), err)
	}
	if keep <= 0 {
		keep = DefaultCheckpointKeep
	}
	seqs, err := s.List(ctx)
	if err != nil {
		return fmt.Errorf("listing old checkpoints to remove: %w", err), nil
	}
	var errs []error
	for _, q := range seqs {
		if q <= c.Seq-int64(keep) {
			if err := s.Delete(ctx, q); err != nil {
				errs = append(errs, fmt.Errorf("removing old checkpoint %s: %w", s.Where(q), err))
			}
		}
	}
	return errors.Join(errs...), nil
}

// dirStore keeps checkpoints as files in a local folder:
// <app>.checkpoint.<seq>, each written to a temporary file, synced,
// renamed into place, and the folder synced.
type dirStore struct {
	dir, prefix string
}

// NewDirStore returns the local store of the application named app in dir.
func NewDirStore(dir, app string) Store {
	return &dirStore{dir: dir, prefix: unsafeName.ReplaceAllString(app, "_") + ".checkpoint."}
}

func (d *dirStore) name(seq int64) string {
	return filepath.Join(d.dir, fmt.Sprintf("%s%012d", d.prefix, seq))
}

func (d *dirStore) Where(seq int64) string { return d.name(seq) }

func (d *dirStore) Put(_ context.Context, seq int64, data []byte) error {
	if err := os.MkdirAll(d.dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(d.dir, ".tmp-"+d.prefix+"*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), d.name(seq))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	dir, err := os.Open(d.dir)
	if err != nil {
		return err
	}
	defer dir.Close()
	return dir.Sync()
}

func (d *dirStore) List(context.Context) ([]int64, error) {
	ents, err := os.ReadDir(d.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var seqs []int64
	for _, e := range ents {
		if rest, ok := strings.CutPrefix(e.Name(), d.prefix); ok {
			if n, err := strconv.ParseInt(rest, 10, 64); err == nil {
				seqs = append(seqs, n)
			}
		}
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	return seqs, nil
}

func (d *dirStore) Get(_ context.Context, seq int64) ([]byte, error) { return os.ReadFile(d.name(seq)) }

func (d *dirStore) Delete(_ context.Context, seq int64) error { return os.Remove(d.name(seq)) }

// ErrFenced: another instance has written a checkpoint of the same
// number; this one is no longer the application's owner.
var ErrFenced = errors.New("another instance owns the application now")

// store opens the run's checkpoint store, of the checkpoints named name.
func (lo *Options) store(ctx context.Context, a *app.Application, name string) (Store, error) {
	where := lo.Checkpoint
	if strings.HasPrefix(where, "s3://") {
		return NewS3Store(lo.cfg, where, name)
	}
	if where == "" {
		where = lo.CheckpointDir
	}
	if where == "" {
		where = filepath.Join(a.Dir, ".streamsql")
	}
	return NewDirStore(where, name), nil
}

// checkpointer writes a run's checkpoints. The run loop stops only for
// the snapshot: delivery of the rows emitted, then the state encoded,
// in place, into the buffer of the checkpoint before. Hashing and the
// write (fsync, upload) of a periodic checkpoint go on in the background,
// one at a time, while the run goes on.
type checkpointer struct {
	lo     *Options
	logf   func(string, ...any) // warnings when lo.Log is nil
	store  Store
	next   int64
	app    string
	p      *engine.Pipeline
	feed   *engine.Feed
	inputs []*liveInput

	busy chan struct{} // holds a token while a background write runs
	// spare is the buffer of the last checkpoint written, for the next
	// (taken and given back with the busy token).
	spare []byte
	mu    sync.Mutex
	err   error // of the last background write, not yet reported
	// Figures for Progress: checkpoints written, the last one's size,
	// how long the run loop stopped for it and when it was taken.
	written int64
	bytes   int64
	took    time.Duration
	last    time.Time
}

// snapshot delivers every row emitted so far (waiting for the
// destinations' acknowledgements), then takes one checkpoint: positions,
// and with state the feed's queue and the pipeline's state, laid out (but
// for the seal) in the buffer of the checkpoint before.
func (c *checkpointer) snapshot(state bool) (*checkpoint, error) {
	began := time.Now()
	ck := &checkpoint{Seq: c.next, Time: began.UTC(), Application: c.app, Fingerprint: c.p.Fingerprint(), Inputs: positions(c.inputs)}
	feed, pipeline := writeBytes(nil), writeBytes(nil)
	if state {
		feed, pipeline = c.feed.Snapshot, c.p.Snapshot // the pipeline emits what is due
	}
	data, err := ck.layout(c.spare, feed, pipeline)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	c.spare = data[:0]
	if state {
		// A destination sends once per bound and goes on; the checkpoint
		// waits until it has taken every row emitted.
		deliverAll(c.p)
		if left := undelivered(c.p); left != "" {
			return nil, fmt.Errorf("checkpoint not written: %s", left)
		}
		if err := c.p.OutputError(); err != nil {
			return nil, fmt.Errorf("checkpoint not written: %w", err)
		}
	}
	ck.laid, c.spare = data, nil // the checkpoint's, until written
	c.next++
	c.mu.Lock()
	c.took, c.last = time.Since(began), began
	c.mu.Unlock()
	return ck, nil
}

// positions copies the inputs' positions (what the run loop received).
func positions(inputs []*liveInput) []*kinesis.Checkpoint {
	var out []*kinesis.Checkpoint
	for _, in := range inputs {
		pos := *in.pos
		pos.Shards = maps.Clone(in.pos.Shards)
		out = append(out, &pos)
	}
	return out
}

func (c *checkpointer) save(ctx context.Context, ck *checkpoint) (err error) {
	began := time.Now()
	defer func() { c.report(ck, began, err) }()
	data := ck.encode()
	if ck.laid != nil {
		defer func() { c.spare = data[:0] }() // for the next checkpoint
	}
	prune, err := saveEncoded(ctx, c.store, ck, data, c.lo.CheckpointKeep)
	if err != nil {
		return err
	}
	if prune != nil {
		// The run goes on: the checkpoint is written and the next save
		// tries again, but the store grows until then.
		event.Note(c.lo.Log, c.logf, slog.LevelWarn, event.Checkpoint, []any{"result", "prune_failed", "error", prune.Error()},
			"checkpoint %d written, but old checkpoints were not removed: %v", ck.Seq, prune)
		if c.lo.CheckpointPruneFailed != nil {
			c.lo.CheckpointPruneFailed(prune)
		}
	}
	c.mu.Lock()
	c.written++
	c.bytes = int64(len(data))
	c.mu.Unlock()
	return nil
}

// report tells the log and the Checkpointed hook how a write went (ck nil:
// no checkpoint could be taken).
func (c *checkpointer) report(ck *checkpoint, began time.Time, err error) {
	took := time.Since(began)
	c.mu.Lock()
	size := c.bytes
	c.mu.Unlock()
	if c.lo.Checkpointed != nil {
		c.lo.Checkpointed(size, took, err)
	}
	if c.lo.Log == nil {
		return
	}
	if err != nil {
		c.lo.Log.Warn("checkpoint not written", "event", event.Checkpoint, "result", "failed", "error", err.Error(), "seconds", took.Seconds())
		return
	}
	c.lo.Log.Info("checkpoint written", "event", event.Checkpoint, "result", "saved", "seq", ck.Seq, "where", c.store.Where(ck.Seq),
		"bytes", size, "seconds", took.Seconds(), "state", len(ck.Pipeline) > 0, "inputs", len(c.inputs))
}

// periodic takes a checkpoint and writes it in the background; it skips
// its turn while the previous one is still being written, and reports the
// error of a previous background write.
func (c *checkpointer) periodic(ctx context.Context) error {
	c.mu.Lock()
	err := c.err
	c.err = nil
	c.mu.Unlock()
	if err != nil {
		return err
	}
	if c.busy == nil {
		c.busy = make(chan struct{}, 1)
	}
	select {
	case c.busy <- struct{}{}:
	default:
		return nil // the previous one is still being written
	}
	began := time.Now()
	ck, err := c.snapshot(true)
	if err != nil {
		<-c.busy
		c.report(nil, began, err)
		return err
	}
	go func() {
		defer func() { <-c.busy }()
		if err := c.save(ctx, ck); err != nil {
			c.mu.Lock()
			c.err = err
			c.mu.Unlock()
		}
	}()
	return nil
}

// write waits for a background write, then takes and writes a checkpoint
// (the last one of a run).
func (c *checkpointer) write(ctx context.Context, state bool) error {
	if c.busy != nil {
		c.busy <- struct{}{}
		defer func() { <-c.busy }()
	}
	c.mu.Lock()
	err := c.err
	c.mu.Unlock()
	if errors.Is(err, ErrFenced) {
		return err
	}
	began := time.Now()
	ck, err := c.snapshot(state)
	if err != nil {
		c.report(nil, began, err)
		return err
	}
	return c.save(ctx, ck)
}

func (c *checkpointer) progress() Progress {
	pr := progress(c.p, c.inputs)
	c.mu.Lock()
	pr.Checkpoints, pr.CheckpointBytes, pr.CheckpointTime, pr.LastCheckpoint = c.written, c.bytes, c.took, c.last
	c.mu.Unlock()
	return pr
}

// restoreState loads the resumed checkpoint's state into a pipeline just
// started, unless the application changed since (refused, or with
// FreshState started empty from the saved positions).
func restoreState(p *engine.Pipeline, feed *engine.Feed, lo *Options, ck *checkpoint, inputs []*liveInput, store Store, logf func(string, ...any)) error {
	if ck == nil || len(ck.Pipeline) == 0 {
		return nil
	}
	used := false
	for _, in := range inputs {
		used = used || in.resumed
	}
	if !used {
		return nil
	}
	if ck.Fingerprint != p.Fingerprint() {
		if lo.FreshState {
			logf("the application changed since checkpoint %s was written: resuming from its positions with empty state (--fresh-state)", store.Where(ck.Seq))
			return nil
		}
		return &engine.ConfigError{Field: "--start-position LAST_STOPPED_POINT", Msg: fmt.Sprintf("the application changed since checkpoint %s was written "+
			"(its streams, columns or SQL differ), so the window, join and DISTINCT state saved there does not fit it; "+
			"run with --fresh-state to resume from the saved positions with empty state, or choose another --start-position", store.Where(ck.Seq))}
	}
	if err := feed.Restore(bytes.NewReader(ck.Feed)); err != nil {
		return fmt.Errorf("checkpoint %s: %w", store.Where(ck.Seq), err)
	}
	if err := p.Restore(bytes.NewReader(ck.Pipeline)); err != nil {
		return fmt.Errorf("checkpoint %s: %w", store.Where(ck.Seq), err)
	}
	p.ResetCounts()
	logf("resumed from checkpoint %s (written %s)", store.Where(ck.Seq), ck.Time.Format(time.RFC3339))
	return nil
}
