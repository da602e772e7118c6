package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/streamsql/streamsql/connectors/deliver"
)

// fakeLambda speaks Lambda's Invoke REST-JSON protocol:
// POST /2015-03-31/functions/NAME/invocations, the event as the body, the
// function's answer as the response body; X-Amz-Function-Error marks a
// function error; 429 with X-Amzn-ErrorType is throttling.
type fakeLambda struct {
	mu       sync.Mutex
	events   []Event
	paths    []string
	handle   func(call int, ev Event) (status int, header map[string]string, body string)
	received map[string]int
}

func (f *fakeLambda) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	f.mu.Lock()
	call := len(f.events)
	f.events = append(f.events, ev)
	f.paths = append(f.paths, r.Method+" "+r.URL.Path+" "+r.Header.Get("X-Amz-Invocation-Type"))
	f.mu.Unlock()
	status, hdr, resp := f.handle(call, ev)
	for k, v := range hdr {
		w.Header().Set(k, v)
	}
	if status == 200 && resp == "" {
		// The function's normal answer: Ok for every record, which it keeps.
		var out Response
		f.mu.Lock()
		for _, r := range ev.Records {
			f.received[string(r.Data)]++
			out.Records = append(out.Records, ResponseRecord{RecordID: r.RecordID, Result: "Ok"})
		}
		f.mu.Unlock()
		b, _ := json.Marshal(out)
		resp = string(b)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(resp)))
	w.WriteHeader(status)
	io.WriteString(w, resp)
}

func newClient(t *testing.T, h http.Handler) *lambda.Client {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), HTTPClient: srv.Client()})
}

func TestEventFormatAndBatches(t *testing.T) {
	f := &fakeLambda{received: map[string]int{}, handle: func(int, Event) (int, map[string]string, string) { return 200, nil, "" }}
	s, err := NewSink(newClient(t, f), Options{Function: "arn:aws:lambda:us-east-1:123456789012:function:post", ApplicationARN: "arn:aws:kinesisanalytics:us-east-1:123456789012:application/news"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 1100; i++ {
		if err := s.Add(context.Background(), deliver.Entry{Data: []byte(fmt.Sprintf(`{"N":%d}`, i))}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Three batches: 500, 500 and 100 records. (A call whose answer is cut
	// off by the transport is sent again whole, so a batch may come twice;
	// its record ids then repeat.)
	batches := map[string]int{}
	for _, ev := range f.events {
		batches[ev.Records[0].RecordID] = len(ev.Records)
		if len(ev.Records) > 500 {
			t.Fatalf("an event of %d records", len(ev.Records))
		}
	}
	if len(batches) != 3 {
		t.Fatalf("%d distinct batches in %d invocations", len(batches), len(f.events))
	}
	sizes := map[int]int{}
	for _, n := range batches {
		sizes[n]++
	}
	if sizes[500] != 2 || sizes[100] != 1 {
		t.Fatalf("batch sizes %v", sizes)
	}
	if !strings.HasPrefix(f.paths[0], "POST /2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:post/invocations RequestResponse") {
		t.Errorf("request %q", f.paths[0])
	}
	ids := map[string]bool{}
	seen := map[string]bool{}
	for _, ev := range f.events {
		if seen[ev.InvocationID] {
			t.Fatalf("invocation id %s used twice", ev.InvocationID)
		}
		seen[ev.InvocationID] = true
		if ids[ev.Records[0].RecordID] {
			continue // a resent batch
		}
		if ev.InvocationID == "" || ev.ApplicationARN != "arn:aws:kinesisanalytics:us-east-1:123456789012:application/news" {
			t.Fatalf("event header %+v", ev)
		}
		for _, r := range ev.Records {
			if r.RecordID == "" || ids[r.RecordID] || r.Metadata.RetryHint != 0 {
				t.Fatalf("record %+v", r)
			}
			ids[r.RecordID] = true
		}
	}
	if len(f.received) != 1100 || f.received[`{"N":1099}`] < 1 {
		t.Fatalf("received %d", len(f.received))
	}
}

// Records answered DeliveryFailed or left out of the answer are sent again
// with retryHint raised; throttling and function errors are retried.
func TestRetries(t *testing.T) {
	var f *fakeLambda
	// The function's behaviour follows how often the records were sent
	// (their retryHint): throttled, then a function error, then a partial
	// answer, then Ok.
	f = &fakeLambda{received: map[string]int{}, handle: func(_ int, ev Event) (int, map[string]string, string) {
		switch ev.Records[0].Metadata.RetryHint {
		case 0:
			return 429, map[string]string{"X-Amzn-ErrorType": "TooManyRequestsException"}, `{"Type":"User","message":"Rate Exceeded."}`
		case 1:
			return 200, map[string]string{"X-Amz-Function-Error": "Unhandled"}, `{"errorMessage":"boom","errorType":"Error"}`
		case 2:
			// Ok for the first record, DeliveryFailed for the second, the
			// third left out.
			f.mu.Lock()
			f.received[string(ev.Records[0].Data)]++
			f.mu.Unlock()
			b, _ := json.Marshal(Response{Records: []ResponseRecord{{ev.Records[0].RecordID, "Ok"}, {ev.Records[1].RecordID, "DeliveryFailed"}}})
			return 200, nil, string(b)
		}
		return 200, nil, ""
	}}
	api := &countingAPI{API: newClient(t, f)}
	s, err := NewSink(api, Options{Function: "post", Options: deliver.Options{BackoffBase: time.Millisecond, BackoffMax: 2 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"a", "b", "c"} {
		s.Add(context.Background(), deliver.Entry{Data: []byte(d)})
	}
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	last := f.events[len(f.events)-1]
	if len(last.Records) != 2 || string(last.Records[0].Data) != "b" || string(last.Records[1].Data) != "c" {
		t.Fatalf("last invocation %+v", last.Records)
	}
	if last.Records[0].Metadata.RetryHint != 3 || last.Records[0].RecordID != f.events[0].Records[1].RecordID {
		t.Errorf("retryHint %d, id %s vs %s", last.Records[0].Metadata.RetryHint, last.Records[0].RecordID, f.events[0].Records[1].RecordID)
	}
	if api.transport == 0 {
		// Each record was acknowledged once. (A response lost in transport
		// makes the whole call go again: at least once, then.)
		if len(f.events) != 4 {
			t.Fatalf("%d invocations, want 4", len(f.events))
		}
		for _, d := range []string{"a", "b", "c"} {
			if f.received[d] != 1 {
				t.Errorf("%s received %d times", d, f.received[d])
			}
		}
	}

	// An attempt limit makes a function that never acknowledges an error.
	never := &fakeLambda{received: map[string]int{}, handle: func(int, Event) (int, map[string]string, string) { return 200, nil, `{"records":[]}` }}
	s2, _ := NewSink(newClient(t, never), Options{Function: "post", MaxAttempts: 3, Options: deliver.Options{BackoffBase: time.Millisecond}})
	s2.Add(context.Background(), deliver.Entry{Data: []byte("x")})
	if err := s2.Flush(context.Background()); err == nil || !strings.Contains(err.Error(), "not delivered after 3 attempts") {
		t.Fatalf("err = %v", err)
	}
}

// countingAPI counts calls that failed in transport (no answer read).
type countingAPI struct {
	API
	transport int
}

func (c *countingAPI) Invoke(ctx context.Context, in *lambda.InvokeInput, o ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	out, err := c.API.Invoke(ctx, in, o...)
	var re interface{ HTTPStatusCode() int }
	if err != nil && errors.As(err, &re) && re.HTTPStatusCode() == 200 {
		c.transport++
	}
	return out, err
}
