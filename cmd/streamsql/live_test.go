package main

import (
	"os"
	"strings"
	"testing"
	"time"
)

func init() {
	// A live run without credentials must not go looking for the EC2
	// instance metadata service from a test.
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	os.Setenv("AWS_CONFIG_FILE", os.DevNull)
	os.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		os.Unsetenv(k)
	}
}

func TestParsePosition(t *testing.T) {
	for in, want := range map[string]string{"": "", "now": "NOW", "TRIM_HORIZON": "TRIM_HORIZON", "last_stopped_point": "LAST_STOPPED_POINT", "2026-01-05T10:00:00Z": "AT_TIMESTAMP"} {
		got, ts, err := parsePosition(in)
		if err != nil || got != want {
			t.Errorf("%q: %q %v", in, got, err)
		}
		if want == "AT_TIMESTAMP" && !ts.Equal(time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("timestamp %v", ts)
		}
	}
	if _, _, err := parsePosition("yesterday"); err == nil {
		t.Error("bad position accepted")
	}
}

// Without --replay and without credentials, run says how to feed the input
// or reach AWS (exit 2), without waiting on the network.
func TestLiveWithoutCredentials(t *testing.T) {
	start := time.Now()
	code, _, errOut := runCLI("run", "../../examples/spend/app.yaml")
	if code != 2 || !strings.Contains(errOut, "--replay: no recording given") || !strings.Contains(errOut, "AWS credentials") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if time.Since(start) > 15*time.Second {
		t.Fatalf("took %v", time.Since(start))
	}
}

// unreachable points every AWS client at a closed port with a region and
// credentials, so only the connection fails.
func unreachable(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
}

// A stream that cannot be reached: record says what it retries and why,
// fails within --connect-timeout and leaves no empty recording behind.
func TestRecordUnreachableFails(t *testing.T) {
	unreachable(t)
	out := t.TempDir() + "/rec.jsonl"
	start := time.Now()
	code, _, errOut := runCLI("record", "--stream", "clicks", "--out", out, "--connect-timeout", "2s")
	if code != 1 || !strings.Contains(errOut, "kinesis ListShards clicks: dial tcp 127.0.0.1:1: connect: connection refused; retrying") ||
		!strings.Contains(errOut, "no answer from Kinesis for stream clicks within 2s") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("an empty recording was left behind")
	}
	// Stopped by --until before the stream ever answered: still a failure.
	code, _, errOut = runCLI("record", "--stream", "clicks", "--out", out, "--until", "1s")
	if code != 1 || !strings.Contains(errOut, "the stream never answered (last error: dial tcp 127.0.0.1:1") {
		t.Fatalf("--until: exit %d\n%s", code, errOut)
	}
}

// A live run against an unreachable stream: progress says no record came
// yet and why, and the run fails within --connect-timeout.
func TestLiveRunUnreachableFails(t *testing.T) {
	unreachable(t)
	code, _, errOut := runCLI("run", "../../examples/spend/app.yaml", "--connect-timeout", "2s", "--progress-every", "100ms", "--checkpoint-dir", t.TempDir())
	if code != 1 || !strings.Contains(errOut, "no answer from Kinesis for stream purchases within 2s") ||
		!strings.Contains(errOut, "progress: no record yet: Kinesis stream purchases has not answered yet (retrying: dial tcp 127.0.0.1:1") ||
		strings.Contains(errOut, "lag 0 ms, last record arrived 0 ms ago") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
}

// Each command's messages name its own flags: record without a region
// speaks of --stream, not of run's --replay.
func TestRecordMessagesNameRecordFlags(t *testing.T) {
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	code, _, errOut := runCLI("record", "--stream", "clicks", "--out", t.TempDir()+"/r.jsonl")
	if code != 2 || strings.Contains(errOut, "--replay") || !strings.Contains(errOut, "record --stream clicks: no AWS region") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	code, _, errOut = runCLI("record", "--stream", "clicks")
	if code != 2 || strings.Contains(errOut, "--replay") || !strings.Contains(errOut, "record: needs --stream NAME and --out FILE") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
}
