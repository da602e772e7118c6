// Package lambda delivers records to an AWS Lambda function in the event
// format Kinesis Data Analytics used for a Lambda destination:
//
//	{"invocationId": "...", "applicationArn": "...",
//	 "records": [{"recordId": "...", "lambdaDeliveryRecordMetadata": {"retryHint": 0}, "data": "<base64>"}]}
//
// The function answers {"records": [{"recordId": "...", "result": "Ok" | "DeliveryFailed"}]};
// records marked DeliveryFailed, or missing from the answer, are sent again
// with a higher retryHint. It knows nothing of SQL.
package lambda

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/streamsql/streamsql/connectors/deliver"
)

// API is the part of the Lambda client the sink uses.
type API interface {
	Invoke(context.Context, *lambda.InvokeInput, ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// Limits of one invocation: the synchronous request payload is at most
// 6 MB, and base64 makes data 4/3 larger, so at most 4 MiB of record data
// (and 500 records) go in one event.
var Limits = deliver.Limits{Records: 500, Bytes: 4 << 20, RecordBytes: 4 << 20}

// Event is the request payload.
type Event struct {
	InvocationID   string        `json:"invocationId"`
	ApplicationARN string        `json:"applicationArn"`
	Records        []EventRecord `json:"records"`
}

// EventRecord is one record of an Event.
type EventRecord struct {
	RecordID string         `json:"recordId"`
	Metadata RecordMetadata `json:"lambdaDeliveryRecordMetadata"`
	Data     []byte         `json:"data"` // base64 in JSON
}

// RecordMetadata carries the retry count of a record.
type RecordMetadata struct {
	RetryHint int `json:"retryHint"`
}

// Response is the function's answer.
type Response struct {
	Records []ResponseRecord `json:"records"`
}

// ResponseRecord is the result for one record.
type ResponseRecord struct {
	RecordID string `json:"recordId"`
	Result   string `json:"result"`
}

// Options configure a Sink.
type Options struct {
	Function       string // name or ARN (with an optional version or alias)
	ApplicationARN string // put in every event
	MaxAttempts    int    // per record; 0: retry until delivered
	deliver.Options
}

// Sink invokes the function with batches of records.
type Sink struct {
	*deliver.Batcher
	invocations int64
}

// Invocations counts the calls made.
func (s *Sink) Invocations() int64 { return s.invocations }

// NewSink makes a sink; Add queues records, Flush delivers them.
func NewSink(api API, o Options) (*Sink, error) {
	if o.Function == "" {
		return nil, errors.New("no Lambda function")
	}
	s := &Sink{}
	prefix := randomID()
	var seq int64
	// A record's id and how often it was sent ride in its entry's Key
	// ("ID:SENDS") between attempts.
	put := func(ctx context.Context, es []deliver.Entry) (deliver.Result, error) {
		s.invocations++
		ev := Event{InvocationID: prefix + "-" + strconv.FormatInt(s.invocations, 10), ApplicationARN: o.ApplicationARN, Records: make([]EventRecord, len(es))}
		for i := range es {
			if es[i].Key == "" {
				seq++
				es[i].Key = prefix + ":" + strconv.FormatInt(seq, 10) + ":0"
			}
			id, hint := splitKey(es[i].Key)
			ev.Records[i] = EventRecord{RecordID: id, Metadata: RecordMetadata{RetryHint: hint}, Data: es[i].Data}
			// A send again, for whatever reason, counts one more.
			es[i].Key = id + ":" + strconv.Itoa(hint+1)
		}
		payload, err := json.Marshal(ev)
		if err != nil {
			return deliver.Result{}, err
		}
		out, err := api.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(o.Function), InvocationType: types.InvocationTypeRequestResponse, Payload: payload})
		if err != nil {
			return deliver.Result{}, err
		}
		if out.FunctionError != nil {
			return deliver.Result{}, &FunctionError{Kind: *out.FunctionError, Payload: string(out.Payload)}
		}
		var resp Response
		if err := json.Unmarshal(out.Payload, &resp); err != nil {
			return deliver.Result{}, &FunctionError{Kind: "Malformed response", Payload: string(out.Payload)}
		}
		ok := make(map[string]bool, len(resp.Records))
		for _, r := range resp.Records {
			if r.Result == "Ok" {
				ok[r.RecordID] = true
			}
		}
		var res deliver.Result
		for i, r := range ev.Records {
			if ok[r.RecordID] {
				continue
			}
			if res.Failed == nil {
				res.Code, res.Message = "DeliveryFailed", "record "+r.RecordID+" not acknowledged Ok by the function"
			}
			res.Failed = append(res.Failed, i)
		}
		return res, nil
	}
	do := o.Options
	do.Limits, do.Put, do.Transient, do.MaxAttempts = Limits, put, transient, o.MaxAttempts
	do.Name = "Lambda function " + o.Function
	s.Batcher = deliver.New(do)
	return s, nil
}

// splitKey reads "ID:HINT" (the record id and its retry count, kept in the
// entry's key between attempts).
func splitKey(k string) (string, int) {
	for i := len(k) - 1; i >= 0; i-- {
		if k[i] == ':' {
			n, _ := strconv.Atoi(k[i+1:])
			return k[:i], n
		}
	}
	return k, 0
}

func randomID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// FunctionError is an invocation whose function failed (an unhandled
// error) or answered something other than the response format. It is
// retried like a throttled call.
type FunctionError struct {
	Kind    string
	Payload string
}

func (e *FunctionError) Error() string {
	p := e.Payload
	if len(p) > 200 {
		p = p[:200] + "..."
	}
	return fmt.Sprintf("function error (%s): %s", e.Kind, p)
}

func transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var fe *FunctionError
	if errors.As(err, &fe) {
		return true
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "TooManyRequestsException", "ServiceException", "ResourceNotReadyException", "EC2ThrottledException", "ResourceConflictException":
			return true
		}
	}
	return retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary
}
