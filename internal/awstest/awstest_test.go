package awstest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestMain(m *testing.M) { Main(m) }

// Both servers answer real SDK calls made with the environment Main set.
func TestServersAnswer(t *testing.T) {
	Need(t)
	ctx := context.Background()
	for _, ep := range []string{Moto, Kinesalite} {
		c := kinesis.NewFromConfig(Config(t, ep))
		name := Name("probe")
		if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(1)}); err != nil {
			t.Fatalf("%s: CreateStream: %v", ep, err)
		}
		out, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{})
		if err != nil {
			t.Fatalf("%s: ListStreams: %v", ep, err)
		}
		found := false
		for _, n := range out.StreamNames {
			found = found || n == name
		}
		if !found {
			t.Fatalf("%s: stream %s not listed in %v", ep, name, out.StreamNames)
		}
	}
	// The default chain (AWS_ENDPOINT_URL) reaches moto's S3.
	s := s3.NewFromConfig(Config(t, ""))
	if _, err := s.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(Name("probe"))}); err != nil {
		t.Fatalf("S3 CreateBucket through AWS_ENDPOINT_URL: %v", err)
	}
}

// A machine without moto_server gets a message saying what to install.
func TestMissingServerMessage(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := start()
	if err == nil || !strings.Contains(err.Error(), "moto_server is not on PATH") || !strings.Contains(err.Error(), "pip install") {
		t.Fatalf("err = %v", err)
	}
}

// On a machine without the servers' tools, this test binary (run again
// with an empty PATH) skips the tests that need them with a one-line
// reason and passes; with CI=true it fails, loudly.
func TestMissingToolsSkipOutsideCIFailInCI(t *testing.T) {
	if os.Getenv("STREAMSQL_MOTO") != "" {
		t.Skip("servers given by STREAMSQL_MOTO: Main does not start any")
	}
	child := func(ci string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestServersAnswer$", "-test.v")
		cmd.Env = append(os.Environ(), "PATH="+t.TempDir(), "CI="+ci, "STREAMSQL_MOTO=", "STREAMSQL_KINESALITE=")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := child("")
	if err != nil || !strings.Contains(out, "--- SKIP: TestServersAnswer") || !strings.Contains(out, "needs the local AWS servers: moto_server is not on PATH (pip install 'moto[server]')") {
		t.Errorf("without CI: %v\n%s", err, out)
	}
	out, err = child("true")
	if err == nil || strings.Contains(out, "SKIP") || !strings.Contains(out, "awstest: moto_server is not on PATH") {
		t.Errorf("with CI=true: %v\n%s", err, out)
	}
}

// TestServerDeathIsReported: a server that exits while the tests run has
// its exit status and its last output reported; one stopped is not.
func TestServerDeathIsReported(t *testing.T) {
	run := func(stopped bool) string {
		log := &tailBuffer{}
		cmd := exec.Command("sh", "-c", "echo listening; echo 'Error: EADDRINUSE' >&2; exit 3")
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var stopping atomic.Bool
		stopping.Store(stopped)
		var report tailBuffer
		<-watchServer("kinesalite", cmd, log, &stopping, &report).done
		return report.String()
	}
	got := run(false)
	for _, want := range []string{"kinesalite exited while the tests ran (exit status 3)", "listening", "Error: EADDRINUSE"} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	if got := run(true); got != "" {
		t.Errorf("a stopped server was reported: %q", got)
	}
	var b tailBuffer
	b.Write(bytes.Repeat([]byte("x"), tailMax))
	b.Write([]byte("end"))
	if s := b.String(); len(s) != tailMax || !strings.HasSuffix(s, "end") {
		t.Errorf("tail of %d bytes ending %q", len(s), s[len(s)-3:])
	}
}
