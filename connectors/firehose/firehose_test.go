package firehose

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
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/streamsql/streamsql/connectors/deliver"
	"github.com/streamsql/streamsql/internal/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// lines splits delivered objects into their newline-delimited rows.
func lines(bodies [][]byte) []string {
	var out []string
	for _, b := range bodies {
		if len(b) > 0 && b[len(b)-1] != '\n' {
			out = append(out, "UNTERMINATED:"+string(b))
			continue
		}
		for _, l := range strings.SplitAfter(string(b), "\n") {
			if l != "" {
				out = append(out, strings.TrimSuffix(l, "\n"))
			}
		}
	}
	sort.Strings(out)
	return out
}

// Rows reach moto's Firehose, which writes them into its S3; the objects
// hold newline-delimited rows, each exactly once, in calls within limits.
func TestSinkDeliversToS3(t *testing.T) {
	awstest.Need(t)
	bucket := awstest.Bucket(t)
	stream := awstest.DeliveryStream(t, bucket, "rows/")
	var mu sync.Mutex
	var calls [][2]int
	proxy := awstest.NewProxy(t, awstest.Moto, func(target string, _ int, body []byte) (int, string, bool) {
		if strings.HasSuffix(target, ".PutRecordBatch") {
			records, n := awstest.BatchSize(body)
			mu.Lock()
			calls = append(calls, [2]int{records, n})
			mu.Unlock()
		}
		return 0, "", false
	})
	sink, err := NewSink(firehose.NewFromConfig(awstest.Config(t, proxy.URL)), Options{DeliveryStream: "arn:aws:firehose:us-east-1:123456789012:deliverystream/" + stream})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var want []string
	for i := 0; i < 1200; i++ {
		row := fmt.Sprintf(`{"ROW":%d}`, i)
		want = append(want, row)
		if err := sink.Add(ctx, deliver.Entry{Data: []byte(row + "\n")}); err != nil {
			t.Fatal(err)
		}
	}
	pad := strings.Repeat("p", 900<<10)
	for i := 0; i < 6; i++ {
		row := fmt.Sprintf(`{"BIG":%d,"PAD":"%s"}`, i, pad)
		want = append(want, row)
		if err := sink.Add(ctx, deliver.Entry{Data: []byte(row + "\n")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sink.Add(ctx, deliver.Entry{Data: make([]byte, 1000<<10+1)}); !errors.Is(err, deliver.ErrTooLarge) {
		t.Fatalf("a record over 1,000 KiB: %v", err)
	}
	if err := sink.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range calls {
		if c[0] > 500 || c[1] > 4<<20 {
			t.Fatalf("a PutRecordBatch call of %d records, %d bytes", c[0], c[1])
		}
	}
	if len(calls) < 4 {
		t.Fatalf("%d calls; want at least 4", len(calls))
	}
	_, bodies := awstest.Objects(t, bucket, "rows/")
	sort.Strings(want)
	got := lines(bodies)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("delivered %d rows, want %d", len(got), len(want))
	}
}

// firehoseFront speaks PutRecordBatch like Firehose, failing chosen entries
// (ServiceUnavailableException per entry, as Firehose reports throttling)
// and forwarding the rest to moto with the SDK.
func firehoseFront(t *testing.T, fail func(call int, data string) bool) (*httptest.Server, *int) {
	backend := firehose.NewFromConfig(awstest.Config(t, awstest.Moto))
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var in struct {
			DeliveryStreamName string
			Records            []struct{ Data string }
		}
		if !strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".PutRecordBatch") || json.Unmarshal(body, &in) != nil {
			http.Error(w, "only PutRecordBatch", 400)
			return
		}
		mu.Lock()
		call := calls
		calls++
		mu.Unlock()
		type entry struct{ RecordId, ErrorCode, ErrorMessage string }
		resp := struct {
			FailedPutCount   int
			RequestResponses []entry
		}{}
		var fwd []types.Record
		for _, rec := range in.Records {
			d, _ := base64.StdEncoding.DecodeString(rec.Data)
			if fail(call, string(d)) {
				resp.FailedPutCount++
				resp.RequestResponses = append(resp.RequestResponses, entry{ErrorCode: "ServiceUnavailableException", ErrorMessage: "Slow down."})
				continue
			}
			resp.RequestResponses = append(resp.RequestResponses, entry{RecordId: fmt.Sprint(call, len(fwd))})
			fwd = append(fwd, types.Record{Data: d})
		}
		if len(fwd) > 0 {
			if _, err := backend.PutRecordBatch(r.Context(), &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String(in.DeliveryStreamName), Records: fwd}); err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
		}
		b, _ := json.Marshal(resp)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func TestSinkRetriesFailedEntries(t *testing.T) {
	bucket := awstest.Bucket(t)
	stream := awstest.DeliveryStream(t, bucket, "r/")
	front, calls := firehoseFront(t, func(call int, data string) bool { return call < 2 && strings.Contains(data, "5") })
	sink, err := NewSink(firehose.NewFromConfig(awstest.Config(t, front.URL)), Options{DeliveryStream: stream,
		Options: deliver.Options{BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := 0; i < 60; i++ {
		row := fmt.Sprintf(`{"N":%d}`, i)
		want = append(want, row)
		sink.Add(context.Background(), deliver.Entry{Data: []byte(row + "\n")})
	}
	if err := sink.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if *calls != 3 {
		t.Errorf("%d calls, want 3", *calls)
	}
	_, bodies := awstest.Objects(t, bucket, "r/")
	sort.Strings(want)
	if got := lines(bodies); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got %v\nwant %v", got, want)
	}

	// A limit of attempts turns entries failing for good into an error.
	stuck, err := NewSink(firehose.NewFromConfig(awstest.Config(t, front.URL)), Options{DeliveryStream: stream, MaxAttempts: 2,
		Options: deliver.Options{BackoffBase: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	*calls = 0
	front.Config.Handler = wrapFail(front.Config.Handler)
	stuck.Add(context.Background(), deliver.Entry{Data: []byte("{\"N\":5}\n")})
	if err := stuck.Flush(context.Background()); err == nil || !strings.Contains(err.Error(), "not delivered after 2 attempts") {
		t.Fatalf("err = %v", err)
	}
	if !bytes.Contains(stuck.PendingData()[0], []byte(`"N":5`)) {
		t.Fatal("the undelivered record is not kept")
	}
}

// wrapFail makes every call fail with per-entry throttling.
func wrapFail(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Records []json.RawMessage }
		json.NewDecoder(r.Body).Decode(&in)
		resp := `{"FailedPutCount":` + fmt.Sprint(len(in.Records)) + `,"RequestResponses":[`
		for i := range in.Records {
			if i > 0 {
				resp += ","
			}
			resp += `{"ErrorCode":"ServiceUnavailableException","ErrorMessage":"Slow down."}`
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		io.WriteString(w, resp+"]}")
	})
}

func TestParseDeliveryStream(t *testing.T) {
	if n, r, err := ParseDeliveryStream("arn:aws:firehose:us-east-1:123456789012:deliverystream/news"); n != "news" || r != "us-east-1" || err != nil {
		t.Fatal(n, r, err)
	}
	if _, _, err := ParseDeliveryStream("arn:aws:kinesis:us-east-1:1:stream/x"); err == nil {
		t.Fatal("a Kinesis ARN accepted")
	}
}

// An answer that leaves records out (no result for them) is not taken as
// delivery: the call is made again and every record arrives.
func TestIncompleteAnswerRetried(t *testing.T) {
	bucket := awstest.Bucket(t)
	stream := awstest.DeliveryStream(t, bucket, "i/")
	front, _ := firehoseFront(t, func(int, string) bool { return false })
	real := front.Config.Handler
	calls := 0
	front.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			io.WriteString(w, `{"FailedPutCount":0,"RequestResponses":[{"RecordId":"1"}]}`)
			return
		}
		real.ServeHTTP(w, r)
	})
	sink, err := NewSink(firehose.NewFromConfig(awstest.Config(t, front.URL)), Options{DeliveryStream: stream,
		Options: deliver.Options{BackoffBase: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		sink.Add(context.Background(), deliver.Entry{Data: []byte(fmt.Sprintf("{\"I\":%d}\n", i))})
	}
	if err := sink.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, bodies := awstest.Objects(t, bucket, "i/")
	if got := lines(bodies); len(got) != 3 || calls != 2 {
		t.Fatalf("%d calls, rows %v", calls, got)
	}
}
