package engine

import (
	"os/exec"
	"strings"
	"testing"
)

// The replay core runs with no AWS SDK linked in: every AWS service lives
// behind engine.Connectors in engine/live.
func TestReplayCoreImportsNoAWS(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps gave %d packages: %q", len(deps), out)
	}
	for _, d := range deps {
		if strings.HasPrefix(d, "github.com/aws/") || strings.HasPrefix(d, "github.com/streamsql/streamsql/engine/live") {
			t.Errorf("the replay core depends on %s", d)
		}
	}
}
