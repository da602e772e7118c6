package live

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/smithy-go/logging"

	"github.com/streamsql/streamsql/internal/event"
)

// sdkLogger sends the AWS SDK's own lines (its warnings, which it would
// print on stderr in a shape of its own) through the run's logger, so
// --log-format json leaves no plain line.
func sdkLogger(log *slog.Logger) logging.Logger {
	return logging.LoggerFunc(func(c logging.Classification, format string, args ...any) {
		level := slog.LevelWarn
		if c == logging.Debug {
			level = slog.LevelDebug
		}
		log.Log(context.Background(), level, fmt.Sprintf(format, args...), "event", event.SDK)
	})
}
