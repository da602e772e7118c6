package s3ref

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamsql/streamsql/internal/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// The object is fetched from the real S3; an unchanged object is not
// fetched again (304 on If-None-Match); a new version is.
func TestFetchAndETag(t *testing.T) {
	awstest.Need(t)
	bucket := awstest.Bucket(t)
	etag1 := awstest.PutObject(t, bucket, "ref/users.csv", []byte("u1,F,1\n"))
	proxy := awstest.NewProxy(t, awstest.Moto, nil)
	c := s3.NewFromConfig(awstest.Config(t, proxy.URL))
	o, err := New(c, "arn:aws:s3:::"+bucket, "ref/users.csv")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	data, changed, err := o.Fetch(ctx)
	if err != nil || !changed || string(data) != "u1,F,1\n" || o.ETag() != etag1 {
		t.Fatalf("first fetch: %q %v %v etag %s/%s", data, changed, err, o.ETag(), etag1)
	}
	data, changed, err = o.Fetch(ctx)
	if err != nil || changed || data != nil {
		t.Fatalf("unchanged object: %q %v %v", data, changed, err)
	}
	awstest.PutObject(t, bucket, "ref/users.csv", []byte("u1,F,1\nu2,M,2\n"))
	data, changed, err = o.Fetch(ctx)
	if err != nil || !changed || string(data) != "u1,F,1\nu2,M,2\n" || o.ETag() == etag1 {
		t.Fatalf("new version: %q %v %v", data, changed, err)
	}
	if _, err := New(c, "arn:aws:s3:::"+bucket, "missing.csv"); err != nil {
		t.Fatal(err)
	}
	missing, _ := New(c, "arn:aws:s3:::"+bucket, "missing.csv")
	if _, _, err := missing.Fetch(ctx); err == nil || !strings.Contains(err.Error(), "NoSuchKey") {
		t.Fatalf("missing object: %v", err)
	}
}

// Watch hands out each new version once.
func TestWatch(t *testing.T) {
	awstest.Need(t)
	bucket := awstest.Bucket(t)
	awstest.PutObject(t, bucket, "t.json", []byte(`{"v":1}`))
	o, err := New(s3.NewFromConfig(awstest.Config(t, awstest.Moto)), bucket, "t.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := o.Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []string
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		o.Watch(ctx, 50*time.Millisecond, func(b []byte) { mu.Lock(); got = append(got, string(b)); mu.Unlock() }, func(err error) { t.Error(err) })
		close(done)
	}()
	time.Sleep(300 * time.Millisecond)
	awstest.PutObject(t, bucket, "t.json", []byte(`{"v":2}`))
	time.Sleep(400 * time.Millisecond)
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(got, "|") != `{"v":2}` {
		t.Fatalf("updates %q; want the new version once", got)
	}
}

func TestParseBucketARN(t *testing.T) {
	for in, want := range map[string]string{"arn:aws:s3:::news-reference": "news-reference", "plain": "plain"} {
		if got, err := ParseBucketARN(in); got != want || err != nil {
			t.Errorf("%s: %s %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "arn:aws:s3:::", "arn:aws:kinesis:us-east-1:1:stream/x", "a/b"} {
		if _, err := ParseBucketARN(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
