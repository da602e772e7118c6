// Package s3ref fetches a reference data object from Amazon S3 (the
// application's BucketARN and FileKey) and, optionally, fetches it again on
// a period, skipping unchanged data by its ETag. It knows nothing of SQL:
// it hands out the object's bytes.
package s3ref

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// API is the part of the S3 client the loader uses.
type API interface {
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// ParseBucketARN returns the bucket of "arn:aws:s3:::BUCKET" (a bare
// bucket name is accepted too).
func ParseBucketARN(s string) (string, error) {
	if !strings.HasPrefix(s, "arn:") {
		if s == "" || strings.Contains(s, "/") {
			return "", fmt.Errorf("%q is not a bucket ARN (arn:aws:s3:::BUCKET)", s)
		}
		return s, nil
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[2] != "s3" || parts[5] == "" || strings.Contains(parts[5], "/") {
		return "", fmt.Errorf("%q is not a bucket ARN (arn:aws:s3:::BUCKET)", s)
	}
	return parts[5], nil
}

// Object is one reference object.
type Object struct {
	api    API
	Bucket string
	Key    string
	etag   string
}

// New returns the object at bucketARN/key.
func New(api API, bucketARN, key string) (*Object, error) {
	b, err := ParseBucketARN(bucketARN)
	if err != nil {
		return nil, err
	}
	if key == "" {
		return nil, errors.New("empty FileKey")
	}
	return &Object{api: api, Bucket: b, Key: key}, nil
}

// ETag is the ETag of the last fetched version ("" before the first).
func (o *Object) ETag() string { return o.etag }

// Fetch reads the object. After the first fetch it asks only for a
// version other than the one it has (If-None-Match): changed is false and
// data nil when the object is unchanged.
func (o *Object) Fetch(ctx context.Context) (data []byte, changed bool, err error) {
	in := &s3.GetObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String(o.Key)}
	if o.etag != "" {
		in.IfNoneMatch = aws.String(o.etag)
	}
	out, err := o.api.GetObject(ctx, in)
	if err != nil {
		var re *awshttp.ResponseError
		if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotModified {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("s3://%s/%s: %w", o.Bucket, o.Key, err)
	}
	defer out.Body.Close()
	etag := aws.ToString(out.ETag)
	if etag != "" && etag == o.etag {
		// A server that ignores If-None-Match: the ETag still tells.
		io.Copy(io.Discard, out.Body)
		return nil, false, nil
	}
	data, err = io.ReadAll(out.Body)
	if err != nil {
		return nil, false, fmt.Errorf("s3://%s/%s: %w", o.Bucket, o.Key, err)
	}
	o.etag = etag
	return data, true, nil
}

// Watch fetches the object every period until ctx ends and calls update
// with each new version's bytes (not the version already fetched). A
// failed fetch is reported to onError and tried again at the next period;
// the table in use stays as it was.
func (o *Object) Watch(ctx context.Context, period time.Duration, update func([]byte), onError func(error)) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		data, changed, err := o.Fetch(ctx)
		switch {
		case err != nil:
			if ctx.Err() == nil && onError != nil {
				onError(err)
			}
		case changed:
			update(data)
		}
	}
}
