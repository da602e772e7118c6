package main

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/streamsql/streamsql/engine/live"
)

// cmdRecord captures a Kinesis stream into a recording that run --replay
// reads: the records a live run would have read, with their arrival times.
func cmdRecord(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("record", "record --stream NAME|ARN --out FILE [--from TRIM_HORIZON|NOW|TIME] [--until NOW|TIME|DURATION]", stderr)
	stream := fs.String("stream", "", "the Kinesis stream to capture: a name or an ARN")
	out := fs.String("out", "", "the recording to write (- for stdout; a .gz name is gzip-compressed)")
	from := fs.String("from", "TRIM_HORIZON", "where to start: TRIM_HORIZON, NOW, or a time (RFC 3339 or yyyy-MM-dd HH:mm:ss)")
	until := fs.String("until", "", "when to stop: NOW (once the stream's tip is reached), a time (records arriving from then on are left out), or a duration such as 30s; default: SIGINT/SIGTERM")
	connect := fs.Duration("connect-timeout", 30*time.Second, "fail when the stream has not answered within this time (retries included)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return &usageError{fmt.Sprintf("record takes no arguments, got %q", pos)}
	}
	if *stream == "" || *out == "" {
		return &usageError{"record: needs --stream NAME and --out FILE (streamsql record --help)"}
	}
	o := live.RecordOptions{Stream: *stream, Live: &live.Options{ConnectTimeout: *connect, Logf: func(f string, a ...any) { fmt.Fprintf(stderr, "streamsql: "+f+"\n", a...) }}}
	switch strings.ToUpper(*from) {
	case "TRIM_HORIZON", "NOW":
		o.From = strings.ToUpper(*from)
	default:
		t, err := parseTime(*from)
		if err != nil {
			return &usageError{"--from: want TRIM_HORIZON, NOW or a time: " + err.Error()}
		}
		o.From, o.FromTime = "AT_TIMESTAMP", t
	}
	switch u := *until; {
	case u == "":
	case strings.EqualFold(u, "NOW"):
		o.Until = "NOW"
	default:
		if d, err := time.ParseDuration(u); err == nil {
			o.Until, o.UntilFor = "DURATION", d
		} else if t, err := parseTime(u); err == nil {
			o.Until, o.UntilTime = "TIME", t
		} else {
			return &usageError{"--until: want NOW, a time or a duration: " + err.Error()}
		}
	}
	var w io.Writer = stdout
	var closeOut func() error
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return &usageError{"--out: " + err.Error()}
		}
		w, closeOut = f, f.Close
		if strings.HasSuffix(*out, ".gz") {
			gz := newGzip(f)
			w, closeOut = gz, func() error { gz.Close(); return f.Close() }
		}
	}
	st, err := live.Record(ctx, o, w)
	if closeOut != nil {
		if cerr := closeOut(); cerr != nil && err == nil {
			err = cerr
		}
	}
	if err != nil {
		if *out != "-" && st.Records == 0 {
			os.Remove(*out) // no empty recording left behind to be mistaken for an idle stream
		}
		return err
	}
	fmt.Fprintf(stderr, "streamsql: recorded %d records from %d shard(s) of %s into %s\n", st.Records, st.Shards, *stream, *out)
	return nil
}

func newGzip(w io.Writer) *gzip.Writer { return gzip.NewWriter(w) }
