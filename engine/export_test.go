package engine

import (
	"testing"

	"github.com/streamsql/streamsql/app"
)

// For benchmarks in package engine_test (which may import packages that
// import engine, such as observe).

func BenchRecording(b *testing.B) string { return benchRecording(b) }

func BenchApp(code string) *app.Application { return benchApp(code) }

const TumblingSQL = tumblingSQL
