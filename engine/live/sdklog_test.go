package live

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/logging"
)

// The AWS SDK's own lines go through the run's logger (JSON lines with
// --log-format json), not to stderr in the SDK's shape.
func TestSDKLinesGoThroughTheLogger(t *testing.T) {
	var b strings.Builder
	lo := &Options{Config: &aws.Config{}, Log: slog.New(slog.NewJSONHandler(&b, nil))}
	if err := lo.load(context.Background()); err != nil {
		t.Fatal(err)
	}
	lo.cfg.Logger.Logf(logging.Warn, "Response has no supported checksum. Not validating response payload. (%s)", "GetObject")
	var line struct{ Level, Msg, Event string }
	if err := json.Unmarshal([]byte(b.String()), &line); err != nil || strings.Count(b.String(), "\n") != 1 {
		t.Fatalf("logged %q: %v", b.String(), err)
	}
	if line.Level != "WARN" || line.Event != "aws_sdk" || line.Msg != "Response has no supported checksum. Not validating response payload. (GetObject)" {
		t.Errorf("line %+v", line)
	}
}
