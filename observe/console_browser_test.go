//go:build unix

package observe

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/streamsql/streamsql/engine"
)

// chromium finds Debian's chromium through scripts/chromium (which
// installs it when it can); without it the test is skipped, except in CI.
func chromium(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("../scripts/chromium", "path").CombinedOutput()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	path := lines[len(lines)-1]
	if err != nil || !strings.HasPrefix(path, "/") {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no headless chromium for the browser test: %v\n%s", err, out)
		}
		t.Skipf("no headless chromium (scripts/chromium: %s)", strings.TrimSpace(string(out)))
	}
	return path
}

// artefacts is where the browser test keeps its screenshots:
// $STREAMSQL_ARTEFACTS, else a folder under the system's temp dir.
func artefacts(t *testing.T) string {
	dir := os.Getenv("STREAMSQL_ARTEFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "streamsql-artefacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// feedSlowly writes n click records to a FIFO over about the given time,
// so that the replay reading it runs while the browser watches.
func feedSlowly(t *testing.T, fifo string, n int, over time.Duration) {
	f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	actions := []string{"impression", "impression", "impression", "click"}
	const chunk = 1000
	pause := over / time.Duration((n+chunk-1)/chunk)
	for i := 0; i < n; i++ {
		data := fmt.Sprintf(`{"USER_ID":"u%03d","ARTICLE_ID":"a%d","ACTION":"%s","DEVICE":{"os":"android"}}`, 1+i%30, i%7, actions[i%4])
		fmt.Fprintf(w, `{"ApproximateArrivalTimestamp":%q,"Data":%q,"PartitionKey":"u%d","SequenceNumber":"%d","ShardId":"shardId-000000000000"}`+"\n",
			base.Add(time.Duration(i)*10*time.Millisecond).Format("2006-01-02T15:04:05.000Z"), base64.StdEncoding.EncodeToString([]byte(data)), i%30, 1000+i)
		if i%chunk == chunk-1 {
			w.Flush()
			time.Sleep(pause)
		}
	}
	w.Flush()
}

// The console in a real headless Chromium: the page loads, the graph
// shows the pumps with counts, and rows appear while a replay runs; at the
// end the page says the run finished with every record counted.
// Screenshots are kept in the artefact folder.
func TestConsoleInBrowser(t *testing.T) {
	bin := chromium(t)
	a, _, _ := newsReplay(t)
	fifo := filepath.Join(t.TempDir(), "clicks.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	const records = 40000
	hub := New(Options{Logger: discard()})
	srv, err := hub.Serve("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	url := "http://" + srv.Addr() + "/"

	// The profile folder is removed by hand: chromium's helpers may still
	// write to it for a moment after the browser is told to stop.
	profile, err := os.MkdirTemp("", "streamsql-chromium")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(profile)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile), chromedp.WindowSize(1400, 1000))
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	defer cancelT()
	if err := chromedp.Run(ctx); err != nil { // start the browser before the replay
		t.Fatalf("chromium did not start: %v", err)
	}

	done := make(chan error, 1)
	go func() {
		_, err := engine.Run(context.Background(), engine.Options{App: a, Replays: []engine.Replay{{Path: fifo}},
			References: map[string]string{"users": filepath.Join(a.Dir, "users.csv")}, Stdout: io.Discard, Stderr: io.Discard, Observer: hub})
		done <- err
	}()
	go feedSlowly(t, fifo, records, 8*time.Second)

	dir := artefacts(t)
	var pumps, height int
	var dbg string
	if err := chromedp.Run(ctx,
		chromedp.Navigate(url),
		chromedp.WaitVisible(`svg g.pump`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("svg g.pump").length`, &pumps),
		chromedp.Evaluate(`Math.round(document.getElementById("graph-svg").getBoundingClientRect().height)`, &height),
		chromedp.Evaluate(`JSON.stringify([layout.width, layout.height, Object.values(layout.nodes).map(n => n.id + ":" + n.level)])`, &dbg),
	); err != nil {
		t.Fatalf("the console did not show the graph: %v", err)
	}
	if pumps != 2 || height < 60 {
		t.Errorf("the graph shows %d pumps, %d pixels high; want 2 pumps, readable (%s)", pumps, height, dbg)
	}
	// While the replay runs: rows of TMP_SQL_STREAM in the table, counts
	// on the edges, the run not finished.
	var state struct {
		Final   string `json:"final"`
		Records string `json:"records"`
		Rows    int    `json:"rows"`
		Counts  int    `json:"counts"`
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := chromedp.Run(ctx, chromedp.Evaluate(`pick("TMP_SQL_STREAM"), ({final: document.body.dataset.final || "", records: document.body.dataset.records || "",
			rows: document.querySelectorAll("#rows tbody tr").length,
			counts: [...document.querySelectorAll("svg .edge text")].filter(e => /[0-9]/.test(e.textContent)).length})`, &state))
		if err != nil {
			t.Fatal(err)
		}
		if state.Final == "false" && state.Rows > 0 && state.Counts > 0 {
			break
		}
		if state.Final == "true" || time.Now().After(deadline) {
			t.Fatalf("no rows seen while the replay ran: %+v", state)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var shot []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&shot, 100)); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "console-running.png"), shot, 0o644)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var final struct {
		Records string `json:"records"`
		Status  string `json:"status"`
		Rows    int    `json:"rows"`
	}
	deadline = time.Now().Add(10 * time.Second)
	for {
		chromedp.Run(ctx, chromedp.Evaluate(`pick("DESTINATION_SQL_STREAM"), ({records: document.body.dataset.records || "", status: document.getElementById("status").textContent,
			rows: document.querySelectorAll("#rows tbody tr").length})`, &final))
		if final.Status == "finished" && final.Records == fmt.Sprint(records) && final.Rows > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page after the run: %+v", final)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&shot, 100)); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "console-finished.png"), shot, 0o644)
	t.Logf("screenshots in %s", dir)
}
