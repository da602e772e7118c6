package kinesis

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamsql/streamsql/connectors/deliver"
	"github.com/streamsql/streamsql/internal/awstest"
)

// Records of many sizes reach the real servers, every one once, in calls
// within PutRecords' limits.
func TestSinkDeliversWithinLimits(t *testing.T) {
	for _, srv := range servers() {
		t.Run(srv.name, func(t *testing.T) {
			c := client(t, srv.url)
			name := createStream(t, c, 2)
			var sizes []int
			var callsMu sync.Mutex
			proxy := awstest.NewProxy(t, srv.url, func(target string, _ int, body []byte) (int, string, bool) {
				if strings.HasSuffix(target, ".PutRecords") {
					records, n := awstest.BatchSize(body)
					callsMu.Lock()
					sizes = append(sizes, records, n)
					callsMu.Unlock()
				}
				return 0, "", false
			})
			sink := NewSink(kinesis.NewFromConfig(awstest.Config(t, proxy.URL)), SinkOptions{Stream: Stream{Name: name}})
			ctx := context.Background()
			var want []string
			for i := 0; i < 1100; i++ {
				p := fmt.Sprintf(`{"i":%d}`, i)
				want = append(want, p)
				if err := sink.Add(ctx, deliver.Entry{Data: []byte(p), Key: fmt.Sprint(i)}); err != nil {
					t.Fatal(err)
				}
			}
			big := strings.Repeat("b", 900<<10)
			for i := 0; i < 7; i++ {
				p := fmt.Sprintf(`{"big":%d,"pad":"%s"}`, i, big)
				want = append(want, p)
				if err := sink.Add(ctx, deliver.Entry{Data: []byte(p), Key: "big"}); err != nil {
					t.Fatal(err)
				}
			}
			if err := sink.Add(ctx, deliver.Entry{Data: make([]byte, 1<<20), Key: "k"}); !errors.Is(err, deliver.ErrTooLarge) {
				t.Fatalf("a record of 1 MiB plus its key: %v", err)
			}
			if err := sink.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < len(sizes); i += 2 {
				if sizes[i] > 500 || sizes[i+1] > 5<<20 {
					t.Fatalf("a PutRecords call of %d records, %d bytes", sizes[i], sizes[i+1])
				}
			}
			if len(sizes)/2 < 4 {
				t.Fatalf("%d calls for 1,100 small and 7 large records; want at least 4", len(sizes)/2)
			}
			col := startSource(t, c, SourceOptions{Stream: Stream{Name: name}, Position: TrimHorizon})
			sameSet(t, payloads(col.wait(t, len(want))), want)
		})
	}
}

// kinesisFront speaks PutRecords like Kinesis: it fails the entries chosen
// by fail (answering with their error codes, as Kinesis does) and writes
// the others to the real server behind it with the SDK.
func kinesisFront(t *testing.T, backend *kinesis.Client, fail func(call int, data string) string) (*httptest.Server, *int) {
	calls := 0
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".PutRecords") {
			http.Error(w, "only PutRecords", 400)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var in struct {
			StreamName string
			Records    []struct{ Data, PartitionKey string }
		}
		if err := json.Unmarshal(body, &in); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		mu.Lock()
		call := calls
		calls++
		mu.Unlock()
		type entry struct {
			SequenceNumber, ShardId string `json:",omitempty"`
			ErrorCode, ErrorMessage string `json:",omitempty"`
		}
		resp := struct {
			FailedRecordCount int
			Records           []entry
		}{}
		var fwd []types.PutRecordsRequestEntry
		var slots []int
		for _, rec := range in.Records {
			d, _ := base64.StdEncoding.DecodeString(rec.Data)
			if code := fail(call, string(d)); code != "" {
				resp.FailedRecordCount++
				resp.Records = append(resp.Records, entry{ErrorCode: code, ErrorMessage: "injected"})
				continue
			}
			slots = append(slots, len(resp.Records))
			resp.Records = append(resp.Records, entry{})
			fwd = append(fwd, types.PutRecordsRequestEntry{Data: d, PartitionKey: aws.String(rec.PartitionKey)})
		}
		if len(fwd) > 0 {
			out, err := backend.PutRecords(r.Context(), &kinesis.PutRecordsInput{StreamName: aws.String(in.StreamName), Records: fwd})
			if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
				http.Error(w, fmt.Sprint("backend: ", err), 500)
				return
			}
			for i, s := range slots {
				resp.Records[s] = entry{SequenceNumber: aws.ToString(out.Records[i].SequenceNumber), ShardId: aws.ToString(out.Records[i].ShardId)}
			}
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		b, _ := json.Marshal(resp)
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

// Entries that fail (throttled, internal failure) are retried until each
// is delivered exactly once.
func TestSinkRetriesFailedEntries(t *testing.T) {
	awstest.Need(t)
	c := client(t, awstest.Kinesalite)
	name := createStream(t, c, 1)
	front, calls := kinesisFront(t, c, func(call int, data string) string {
		switch {
		case call < 3 && strings.HasSuffix(data, "7}"):
			return "ProvisionedThroughputExceededException"
		case call == 0 && strings.HasSuffix(data, "1}"):
			return "InternalFailure"
		}
		return ""
	})
	sink := NewSink(kinesis.NewFromConfig(awstest.Config(t, front.URL)), SinkOptions{Stream: Stream{Name: name}, Backoff: Backoff{Base: time.Millisecond, Max: 10 * time.Millisecond}})
	var want []string
	for i := 0; i < 100; i++ {
		p := fmt.Sprintf(`{"n":%d}`, i)
		want = append(want, p)
		sink.Add(context.Background(), deliver.Entry{Data: []byte(p), Key: "k"})
	}
	if err := sink.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if *calls != 4 {
		t.Errorf("%d PutRecords calls; want 4 (1 + 3 retries of the throttled entries)", *calls)
	}
	if s := sink.Stats(); s.Records != 100 || s.Retried != 10+10+10+10 {
		t.Errorf("stats %+v", s)
	}
	col := startSource(t, c, SourceOptions{Stream: Stream{Name: name}, Position: TrimHorizon})
	got := col.wait(t, len(want))
	if len(got) != len(want) {
		t.Fatalf("%d records in the stream, want %d (duplicates?)", len(got), len(want))
	}
	sameSet(t, payloads(got), want)
}

// With a limit of attempts, entries failing for good are an error that
// names them; nothing is dropped without one.
func TestSinkAttemptLimit(t *testing.T) {
	awstest.Need(t)
	c := client(t, awstest.Kinesalite)
	name := createStream(t, c, 1)
	front, _ := kinesisFront(t, c, func(_ int, data string) string {
		if strings.Contains(data, "stuck") {
			return "ProvisionedThroughputExceededException"
		}
		return ""
	})
	sink := NewSink(kinesis.NewFromConfig(awstest.Config(t, front.URL)), SinkOptions{Stream: Stream{Name: name}, MaxAttempts: 4, Backoff: Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond}})
	sink.Add(context.Background(), deliver.Entry{Data: []byte(`{"ok":1}`), Key: "k"})
	sink.Add(context.Background(), deliver.Entry{Data: []byte(`{"stuck":1}`), Key: "k"})
	err := sink.Flush(context.Background())
	if err == nil || !strings.Contains(err.Error(), "1 record(s) not delivered after 4 attempts") {
		t.Fatalf("err = %v", err)
	}
	if sink.Pending() != 1 || !bytes.Contains(sink.PendingData()[0], []byte("stuck")) {
		t.Fatalf("pending %d", sink.Pending())
	}
}
