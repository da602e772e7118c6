// Package event reports what a run does that an operator watches for —
// retries, throttling, resharding, checkpoints, reference refreshes — as
// one structured log/slog line each: the message in words, an "event"
// attribute naming the kind, and the figures as attributes. Components
// that predate slog keep their printf-style Logf, used when no logger is
// given.
package event

import (
	"context"
	"fmt"
	"log/slog"
)

// Kinds of events (the "event" attribute).
const (
	Throttle   = "throttle"          // a call refused by throttling, backing off
	Retry      = "retry"             // a call failed and is retried
	Recovered  = "recovered"         // calls work again after failures
	Reshard    = "reshard"           // a shard ended or began (resharding)
	Delivery   = "delivery_retry"    // records still not delivered, retrying
	Checkpoint = "checkpoint"        // read positions saved (or none to resume from)
	Reference  = "reference_refresh" // a reference table fetched again
	Config     = "application_file"  // a field of the application file ignored or guessed
	Live       = "live"              // a live run's other lines: lease, resume, warnings
	Mapping    = "mapping_unmatched" // an input column's mapping matched no field
	State      = "state_memory"      // operator state past --max-state-memory
	Decoding   = "decoding"          // how a run decodes its records (parallel or not, and why)
	Pumps      = "pumps"             // whether independent pumps run on separate goroutines, and why not
	Progress   = "progress"          // a run's figures so far (--progress-every)
	Summary    = "summary"           // the end-of-run figures
	Stop       = "stop"              // a signal asked the run to stop
	Exit       = "exit"              // the run failed: the error and the exit code
	SDK        = "aws_sdk"           // a line of the AWS SDK's own (a warning it gives)
)

// Note reports one event: through log when set (level, message, the event
// kind and attrs as key-value pairs), else through logf as text.
func Note(log *slog.Logger, logf func(string, ...any), level slog.Level, kind string, attrs []any, format string, args ...any) {
	if log != nil {
		log.Log(context.Background(), level, fmt.Sprintf(format, args...), append([]any{"event", kind}, attrs...)...)
		return
	}
	if logf != nil {
		logf(format, args...)
	}
}
