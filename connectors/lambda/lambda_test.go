package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
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
	w.WriteHeader(status)
	io.WriteString(w, resp)
}

func newClient(t *testing.T, h http.Handler) *lambda.Client {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
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
	if len(f.events) != 3 || len(f.events[0].Records) != 500 || len(f.events[2].Records) != 100 {
		t.Fatalf("%d invocations", len(f.events))
	}
	if !strings.HasPrefix(f.paths[0], "POST /2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:post/invocations RequestResponse") {
		t.Errorf("request %q", f.paths[0])
	}
	ids := map[string]bool{}
	for _, ev := range f.events {
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
	if len(f.received) != 1100 || f.received[`{"N":1099}`] != 1 {
		t.Fatalf("received %d", len(f.received))
	}
}

// Records answered DeliveryFailed or left out of the answer are sent again
// with retryHint raised; throttling and function errors are retried.
func TestRetries(t *testing.T) {
	var f *fakeLambda
	f = &fakeLambda{received: map[string]int{}, handle: func(call int, ev Event) (int, map[string]string, string) {
		switch call {
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
	s, err := NewSink(newClient(t, f), Options{Function: "post", Options: deliver.Options{BackoffBase: time.Millisecond, BackoffMax: 2 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"a", "b", "c"} {
		s.Add(context.Background(), deliver.Entry{Data: []byte(d)})
	}
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(f.events) != 4 {
		t.Fatalf("%d invocations, want 4", len(f.events))
	}
	last := f.events[3]
	if len(last.Records) != 2 || string(last.Records[0].Data) != "b" || string(last.Records[1].Data) != "c" {
		t.Fatalf("last invocation %+v", last.Records)
	}
	// Three sends before: throttled, function error, partial answer.
	if last.Records[0].Metadata.RetryHint != 3 || last.Records[0].RecordID != f.events[2].Records[1].RecordID {
		t.Errorf("retryHint %d, id %s vs %s", last.Records[0].Metadata.RetryHint, last.Records[0].RecordID, f.events[2].Records[1].RecordID)
	}
	for _, d := range []string{"a", "b", "c"} {
		if f.received[d] != 1 {
			t.Errorf("%s received %d times", d, f.received[d])
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
