package observe

import (
	"maps"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metric is one family: its name, help and labels (docs/metrics.md lists
// them with the CloudWatch metric each replaces; TestMetricsDocumented
// keeps the two in step).
type metric struct {
	desc *prometheus.Desc
	kind prometheus.ValueType
}

// newMetric declares a family and adds it to allMetrics, so every declared
// family is described without a second list to keep in step.
func newMetric(name, help string, kind prometheus.ValueType, labels ...string) metric {
	m := metric{prometheus.NewDesc("streamsql_"+name, help, labels, nil), kind}
	allMetrics = append(allMetrics, m)
	return m
}

// allMetrics is every family newMetric declared, in declaration order.
var allMetrics []metric

var (
	mInputRecords = newMetric("input_records_total", "Records read from the input (a recording or its Kinesis stream), unreadable ones included.", prometheus.CounterValue, "input")
	mInputBytes   = newMetric("input_bytes_total", "Payload bytes of the records read from the input.", prometheus.CounterValue, "input")
	mInputFailed  = newMetric("input_failed_records_total", "Records of the input that gave no row (unreadable, or every row rejected to error_stream).", prometheus.CounterValue, "input")

	mShardRecords  = newMetric("shard_records_total", "Kinesis records of the shard: returned by GetRecords (before KPL de-aggregation), or in a replay read from the recording.", prometheus.CounterValue, "input", "shard")
	mShardBytes    = newMetric("shard_bytes_total", "Payload bytes of the shard's Kinesis records (returned by GetRecords, or in a replay read from the recording).", prometheus.CounterValue, "input", "shard")
	mShardReads    = newMetric("shard_reads_total", "GetRecords calls made for the shard.", prometheus.CounterValue, "input", "shard")
	mShardThrottle = newMetric("shard_read_throttles_total", "GetRecords calls for the shard refused by throttling (retried).", prometheus.CounterValue, "input", "shard")
	mShardBehind   = newMetric("shard_behind_latest_seconds", "MillisBehindLatest of the shard's last read, in seconds: how far the reader is behind the tip.", prometheus.GaugeValue, "input", "shard")
	mShardIterAge  = newMetric("shard_iterator_age_seconds", "Age of the last record of the shard's last non-empty read when it was read (0 once caught up).", prometheus.GaugeValue, "input", "shard")
	mShardLastRead = newMetric("shard_last_read_timestamp_seconds", "When a GetRecords call for the shard last succeeded (Unix time).", prometheus.GaugeValue, "input", "shard")
	mShardOpen     = newMetric("shard_open", "1 while the shard has a reader, 0 once it was read to its end.", prometheus.GaugeValue, "input", "shard")

	mOpRowsIn      = newMetric("operator_rows_in_total", "Rows the operator received.", prometheus.CounterValue, "operator", "part")
	mOpRowsOut     = newMetric("operator_rows_out_total", "Rows the operator emitted.", prometheus.CounterValue, "operator", "part")
	mOpStateGroups = newMetric("operator_state_groups", "Open groups (windows, keys, partitions) the operator holds.", prometheus.GaugeValue, "operator", "part")
	mOpStateRows   = newMetric("operator_state_rows", "Rows the operator buffers.", prometheus.GaugeValue, "operator", "part")
	mOpStateBytes  = newMetric("operator_state_bytes", "Estimated memory of the operator's state.", prometheus.GaugeValue, "operator", "part")
	mOpLate        = newMetric("operator_late_rows_total", "Rows that reached the operator after their window had closed.", prometheus.CounterValue, "operator", "part")

	mLateRows      = newMetric("late_rows_total", "Rows that arrived after their window had closed, all operators.", prometheus.CounterValue)
	mLateEventRows = newMetric("late_event_rows_total", "Rows whose event-time group had already been emitted (aggregated into a later window).", prometheus.CounterValue)
	mErrorRows     = newMetric("error_stream_rows_total", "Rows sent to error_stream, by ERROR_NAME.", prometheus.CounterValue, "error_name")
	mStreamRows    = newMetric("stream_rows_total", "Rows of the in-application stream that reached its outputs.", prometheus.CounterValue, "stream")
	mWatermark     = newMetric("watermark_timestamp_seconds", "The run's time bound: ROWTIME below it is final (Unix time).", prometheus.GaugeValue)
	mFinished      = newMetric("run_finished", "1 once the run has ended (a held console), else 0.", prometheus.GaugeValue)

	mOutRows     = newMetric("output_rows_total", "Rows the output wrote or the destination acknowledged.", prometheus.CounterValue, "output", "destination")
	mOutPending  = newMetric("output_pending_rows", "Rows queued for the output, not yet delivered.", prometheus.GaugeValue, "output", "destination")
	mOutAttempts = newMetric("output_delivery_attempts_total", "Calls made to deliver to the destination (one per batch sent, retries included).", prometheus.CounterValue, "output", "destination")
	mOutFailures = newMetric("output_delivery_failures_total", "Delivery calls that failed wholly or in part.", prometheus.CounterValue, "output", "destination")
	mOutRetries  = newMetric("output_retried_rows_total", "Rows sent again after a failed delivery.", prometheus.CounterValue, "output", "destination")
	mOutLatency  = newMetric("output_delivery_duration_seconds", "Duration of each delivery call to the destination.", prometheus.UntypedValue, "output", "destination")
	mOutFailed   = newMetric("output_failed", "1 once the output has failed for good (the run stops), else 0.", prometheus.GaugeValue, "output", "destination")

	mCheckpoints   = newMetric("checkpoints_total", "Checkpoint writes of a live run (positions and state), by result (saved or failed).", prometheus.CounterValue, "result")
	mCheckpointAge = newMetric("checkpoint_age_seconds", "Time since the last checkpoint was saved (what a restart would process again).", prometheus.GaugeValue)
	mCheckpointDur = newMetric("checkpoint_duration_seconds", "How long the last checkpoint took to write (deliveries it waited for included).", prometheus.GaugeValue)
	mCheckpointSz  = newMetric("checkpoint_size_bytes", "Size of the last checkpoint saved.", prometheus.GaugeValue)
	mCheckpointPrn = newMetric("checkpoint_prune_failures_total", "Checkpoints saved whose older ones (beyond --checkpoint-keep) could not be listed or removed; the next save tries again.", prometheus.CounterValue)

	mRefreshes = newMetric("reference_refreshes_total", "Versions of the reference table fetched again, by result (loaded or failed).", prometheus.CounterValue, "table", "result")
)

// collector turns the Hub's latest snapshot and its sources' shard figures
// into metrics at scrape time.
type collector struct{ h *Hub }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range allMetrics {
		ch <- m.desc
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	emit := func(m metric, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(m.desc, m.kind, v, labels...)
	}
	for _, w := range c.h.watchedSources() {
		for _, sh := range w.src.Shards() {
			emit(mShardRecords, float64(sh.Records), w.input, sh.ID)
			emit(mShardBytes, float64(sh.Bytes), w.input, sh.ID)
			emit(mShardReads, float64(sh.Reads), w.input, sh.ID)
			emit(mShardThrottle, float64(sh.Throttles), w.input, sh.ID)
			emit(mShardBehind, float64(sh.MillisBehindLatest)/1000, w.input, sh.ID)
			emit(mShardIterAge, float64(sh.IteratorAgeMillis)/1000, w.input, sh.ID)
			if !sh.LastRead.IsZero() {
				emit(mShardLastRead, float64(sh.LastRead.UnixNano())/1e9, w.input, sh.ID)
			}
			emit(mShardOpen, b2f(sh.Open), w.input, sh.ID)
		}
	}
	c.h.mu.Lock()
	ck := c.h.ckpt
	c.h.mu.Unlock()
	if ck.saved+ck.failed > 0 {
		emit(mCheckpoints, float64(ck.saved), "saved")
		emit(mCheckpoints, float64(ck.failed), "failed")
		emit(mCheckpointPrn, float64(ck.pruneFailed))
	}
	if ck.saved > 0 {
		emit(mCheckpointAge, time.Since(ck.last).Seconds())
		emit(mCheckpointDur, ck.took.Seconds())
		emit(mCheckpointSz, float64(ck.size))
	}
	s := c.h.Latest()
	if s == nil {
		return
	}
	st := s.Stats
	for _, in := range st.Inputs {
		emit(mInputRecords, float64(in.Records), in.Name)
		emit(mInputBytes, float64(in.Bytes), in.Name)
		emit(mInputFailed, float64(in.Failed), in.Name)
		for _, sh := range in.Shards { // a replay's; a live run's are the reader's, above
			emit(mShardRecords, float64(sh.Records), in.Name, sh.ID)
			emit(mShardBytes, float64(sh.Bytes), in.Name, sh.ID)
		}
	}
	for _, op := range s.Operators {
		emit(mOpRowsIn, float64(op.RowsIn), op.Name, op.Part)
		emit(mOpRowsOut, float64(op.RowsOut), op.Name, op.Part)
		emit(mOpStateGroups, float64(op.State.Groups), op.Name, op.Part)
		emit(mOpStateRows, float64(op.State.Rows), op.Name, op.Part)
		emit(mOpStateBytes, float64(op.State.Bytes), op.Name, op.Part)
		if op.Windowed {
			emit(mOpLate, float64(op.Late), op.Name, op.Part)
		}
	}
	emit(mLateRows, float64(st.LateRows))
	emit(mLateEventRows, float64(st.LateEventRows))
	for _, name := range slices.Sorted(maps.Keys(st.Errors)) {
		emit(mErrorRows, float64(st.Errors[name]), name)
	}
	for _, name := range slices.Sorted(maps.Keys(st.RowsOut)) {
		emit(mStreamRows, float64(st.RowsOut[name]), name)
	}
	if s.Watermark > 0 {
		emit(mWatermark, float64(s.Watermark)/1000)
	}
	emit(mFinished, b2f(s.Final))
	for _, o := range mergeOutputs(s.Outputs) {
		emit(mOutRows, float64(o.Status.Delivered), o.Stream, o.Destination)
		emit(mOutPending, float64(o.Status.Pending), o.Stream, o.Destination)
		emit(mOutAttempts, float64(o.Status.Calls), o.Stream, o.Destination)
		emit(mOutFailures, float64(o.Status.Failed), o.Stream, o.Destination)
		emit(mOutRetries, float64(o.Status.Retried), o.Stream, o.Destination)
		emit(mOutFailed, b2f(o.Status.Err != nil), o.Stream, o.Destination)
		h := o.Status.Latency
		ch <- prometheus.MustNewConstHistogram(mOutLatency.desc, h.Count, h.Sum, h.Cumulative(), o.Stream, o.Destination)
	}
	for _, t := range slices.Sorted(maps.Keys(st.Refreshes)) {
		emit(mRefreshes, float64(st.Refreshes[t].Loaded), t, "loaded")
		emit(mRefreshes, float64(st.Refreshes[t].Failed), t, "failed")
	}
}

// mergeOutputs sums outputs with the same stream and destination (several
// streams printed to stdout are one destination each; the same stream
// bound twice to one place would otherwise repeat a label set).
func mergeOutputs(outs []OutputStats) []OutputStats {
	var res []OutputStats
	at := map[[2]string]int{}
	for _, o := range outs {
		k := [2]string{o.Stream, o.Destination}
		i, ok := at[k]
		if !ok {
			at[k] = len(res)
			res = append(res, o)
			continue
		}
		a, b := &res[i].Status, o.Status
		a.Delivered += b.Delivered
		a.Pending += b.Pending
		a.Retried += b.Retried
		a.Calls += b.Calls
		a.Failed += b.Failed
		a.Latency = a.Latency.Add(b.Latency)
		if a.Err == nil {
			a.Err = b.Err
		}
	}
	return res
}

// newRegistry is the Hub's registry: its collector, and the Go runtime's
// and the process's standard metrics.
func (h *Hub) newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collector{h},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "streamsql_build_info", Help: "Always 1; the version label is streamsql's.",
			ConstLabels: prometheus.Labels{"version": h.o.Version}}, func() float64 { return 1 }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "streamsql_last_loop_timestamp_seconds", Help: "When the engine's loop last turned (Unix time); /healthz fails when it is too old."},
			func() float64 { return float64(h.beat.Load()) / 1e9 }))
	return reg
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
