package live

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/streamsql/streamsql/engine"
)

// s3Store keeps checkpoints as S3 objects <prefix>/<app>.checkpoint.<seq>.
// An object is written whole or not at all (S3 has no partial objects);
// each is written only if it does not exist yet (If-None-Match: *), so
// an instance that lost the application to another cannot overwrite the
// newer owner's checkpoint of the same number: it is fenced off.
type s3Store struct {
	client       *s3sdk.Client
	bucket, base string
}

// NewS3Store returns the store of the application named app at where
// (s3://bucket/prefix).
func NewS3Store(cfg aws.Config, where, app string) (Store, error) {
	rest := strings.TrimPrefix(where, "s3://")
	bucket, prefix, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return nil, &engine.ConfigError{Field: "--checkpoint", Msg: fmt.Sprintf("%q names no bucket: want s3://bucket/prefix", where)}
	}
	prefix = strings.Trim(prefix, "/")
	if prefix != "" {
		prefix += "/"
	}
	client := s3sdk.NewFromConfig(cfg, func(so *s3sdk.Options) { so.DisableLogOutputChecksumValidationSkipped = true })
	return &s3Store{client: client, bucket: bucket, base: prefix + unsafeName.ReplaceAllString(app, "_") + ".checkpoint."}, nil
}

func (s *s3Store) key(seq int64) string { return fmt.Sprintf("%s%012d", s.base, seq) }

func (s *s3Store) Where(seq int64) string { return "s3://" + s.bucket + "/" + s.key(seq) }

func (s *s3Store) Put(ctx context.Context, seq int64, data []byte) error {
	_, err := s.client.PutObject(ctx, &s3sdk.PutObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.key(seq)),
		Body: bytes.NewReader(data), IfNoneMatch: aws.String("*")})
	var ae smithy.APIError
	if errors.As(err, &ae) && (ae.ErrorCode() == "PreconditionFailed" || ae.ErrorCode() == "ConditionalRequestConflict") {
		return fmt.Errorf("%w: %s exists already", ErrFenced, s.Where(seq))
	}
	return err
}

func (s *s3Store) List(ctx context.Context) ([]int64, error) {
	var seqs []int64
	p := s3sdk.NewListObjectsV2Paginator(s.client, &s3sdk.ListObjectsV2Input{Bucket: aws.String(s.bucket), Prefix: aws.String(s.base)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range page.Contents {
			if n, err := strconv.ParseInt(strings.TrimPrefix(aws.ToString(o.Key), s.base), 10, 64); err == nil {
				seqs = append(seqs, n)
			}
		}
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	return seqs, nil
}

func (s *s3Store) Get(ctx context.Context, seq int64) ([]byte, error) {
	out, err := s.client.GetObject(ctx, &s3sdk.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.key(seq))})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

func (s *s3Store) Delete(ctx context.Context, seq int64) error {
	_, err := s.client.DeleteObject(ctx, &s3sdk.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.key(seq))})
	return err
}
