package live

import (
	"testing"

	"github.com/streamsql/streamsql/internal/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }
