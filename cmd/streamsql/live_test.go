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
