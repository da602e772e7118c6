package awstest

import (
	"bytes"
	"crypto/md5"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// FaultMix is a mix of the failures PutRecords shows under load, each a
// probability: Throttle answers a whole call with
// ProvisionedThroughputExceededException (nothing written); EntryFail fails
// each entry of a call that goes through (the others are written, as a
// shard over its limit does); LostAnswer writes the call's entries and then
// drops the connection before the answer (the caller cannot tell what was
// written).
type FaultMix struct {
	Throttle, LostAnswer, EntryFail float64
	Seed                            uint64
	// HotBelow, if set, fails every entry whose hash key (its
	// ExplicitHashKey, else the MD5 of its partition key) is below it: a
	// shard over its limit (the first half of a two-shard stream is below
	// 2^127).
	HotBelow *big.Int
}

// FaultyKinesis is a proxy in front of a real Kinesis server that injects a
// FaultMix into PutRecords; every other call passes through. It remembers
// which payloads were written by a call whose answer was lost: the only
// records a caller may rightly deliver twice.
type FaultyKinesis struct {
	URL string

	mu      sync.Mutex
	rng     *rand.Rand
	mix     FaultMix
	backend *url.URL
	lost    map[string]int // payload -> written by that many lost calls
	Stats   FaultStats
}

// FaultStats count what the proxy did to PutRecords.
type FaultStats struct {
	Calls, Throttled, Lost int
	Entries, EntryFailed   int
}

// NewFaultyKinesis starts the proxy; it stops with the test.
func NewFaultyKinesis(t testing.TB, backend string, mix FaultMix) *FaultyKinesis {
	t.Helper()
	u, err := url.Parse(backend)
	if err != nil {
		t.Fatal(err)
	}
	f := &FaultyKinesis{rng: rand.New(rand.NewPCG(mix.Seed, 1)), mix: mix, backend: u, lost: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".PutRecords") {
			rp.ServeHTTP(w, r)
			return
		}
		f.putRecords(w, r)
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// LostCalls is how many lost calls wrote payload (0: none; a copy beyond
// the first is then a duplicate no lost answer explains).
func (f *FaultyKinesis) LostCalls(payload string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lost[payload]
}

// Counts returns a copy of the proxy's figures.
func (f *FaultyKinesis) Counts() FaultStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.Stats
}

type putEntry struct {
	Data            []byte `json:"Data"` // base64 in JSON, as the protocol has it
	PartitionKey    string `json:"PartitionKey"`
	ExplicitHashKey string `json:"ExplicitHashKey,omitempty"`
}

type putRequest struct {
	StreamName string     `json:"StreamName,omitempty"`
	StreamARN  string     `json:"StreamARN,omitempty"`
	Records    []putEntry `json:"Records"`
}

type putResult struct {
	SequenceNumber string `json:"SequenceNumber,omitempty"`
	ShardId        string `json:"ShardId,omitempty"`
	ErrorCode      string `json:"ErrorCode,omitempty"`
	ErrorMessage   string `json:"ErrorMessage,omitempty"`
}

func (f *FaultyKinesis) putRecords(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req putRequest
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.Stats.Calls++
	throttle := f.rng.Float64() < f.mix.Throttle
	lose := !throttle && f.rng.Float64() < f.mix.LostAnswer
	fail := make([]bool, len(req.Records))
	if !throttle {
		f.Stats.Entries += len(req.Records)
		for i := range fail {
			fail[i] = f.rng.Float64() < f.mix.EntryFail || f.mix.HotBelow != nil && hashKey(req.Records[i]).Cmp(f.mix.HotBelow) < 0
			if fail[i] {
				f.Stats.EntryFailed++
			}
		}
	}
	if throttle {
		f.Stats.Throttled++
	}
	f.mu.Unlock()
	if throttle {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"__type":"ProvisionedThroughputExceededException","message":"Rate exceeded for stream `+req.StreamName+`"}`)
		return
	}
	pass := putRequest{StreamName: req.StreamName, StreamARN: req.StreamARN}
	for i, e := range req.Records {
		if !fail[i] {
			pass.Records = append(pass.Records, e)
		}
	}
	var written []putResult
	if len(pass.Records) > 0 {
		var err error
		if written, err = f.forward(r, pass); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
	}
	if lose {
		f.mu.Lock()
		f.Stats.Lost++
		for k, e := range pass.Records {
			if written[k].ErrorCode == "" {
				f.lost[string(e.Data)]++
			}
		}
		f.mu.Unlock()
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	out := struct {
		FailedRecordCount int         `json:"FailedRecordCount"`
		Records           []putResult `json:"Records"`
	}{}
	k := 0
	for i := range req.Records {
		if fail[i] {
			out.FailedRecordCount++
			out.Records = append(out.Records, putResult{ErrorCode: "ProvisionedThroughputExceededException",
				ErrorMessage: "Rate exceeded for shard shardId-000000000000 in stream " + req.StreamName})
			continue
		}
		res := written[k]
		k++
		if res.ErrorCode != "" {
			out.FailedRecordCount++
		}
		out.Records = append(out.Records, res)
	}
	b, _ := json.Marshal(out)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Write(b)
}

// forward sends the entries that pass to the real server and returns its
// per-entry answer.
func (f *FaultyKinesis) forward(r *http.Request, req putRequest) ([]putResult, error) {
	body, _ := json.Marshal(req)
	out, err := http.NewRequestWithContext(r.Context(), http.MethodPost, f.backend.String()+"/", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for _, h := range []string{"X-Amz-Target", "Content-Type", "Authorization", "X-Amz-Date"} {
		out.Header.Set(h, r.Header.Get(h))
	}
	resp, err := http.DefaultClient.Do(out)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("backend: %s: %s", resp.Status, data)
	}
	var ans struct{ Records []putResult }
	if err := json.Unmarshal(data, &ans); err != nil {
		return nil, err
	}
	if len(ans.Records) != len(req.Records) {
		return nil, fmt.Errorf("backend answered %d of %d records", len(ans.Records), len(req.Records))
	}
	return ans.Records, nil
}

// Delivered checks what reached the stream behind the proxy (got: payload ->
// copies) against what was sent: every payload at least once, and a
// second copy only for each lost answer of a call that carried it. It
// returns the number of duplicates.
func (f *FaultyKinesis) Delivered(t testing.TB, got map[string]int, sent []string) (dups int) {
	t.Helper()
	for _, p := range sent {
		switch k := got[p]; {
		case k == 0:
			t.Errorf("%s lost", p)
		case k-1 > f.LostCalls(p):
			t.Errorf("%s arrived %d times, but only %d call(s) carrying it lost their answer", p, k, f.LostCalls(p))
		default:
			dups += k - 1
		}
	}
	return dups
}

// hashKey is where Kinesis puts an entry: its explicit hash key, else the
// MD5 of its partition key as a 128-bit number.
func hashKey(e putEntry) *big.Int {
	if e.ExplicitHashKey != "" {
		if v, ok := new(big.Int).SetString(e.ExplicitHashKey, 10); ok {
			return v
		}
	}
	sum := md5.Sum([]byte(e.PartitionKey))
	return new(big.Int).SetBytes(sum[:])
}
