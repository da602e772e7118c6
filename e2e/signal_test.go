package e2e

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/streamsql/streamsql/app"
	"github.com/streamsql/streamsql/internal/awstest"
)

// liveProcess is a `streamsql run` process reading live.
type liveProcess struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr strings.Builder
	in     int64 // records read, from the progress lines
	lines  chan struct{}
	exited chan struct{}
	code   int
}

var progressRE = regexp.MustCompile(`progress: in (\d+) `)

func startLive(t *testing.T, env []string, args ...string) *liveProcess {
	t.Helper()
	p := &liveProcess{lines: make(chan struct{}, 1000), exited: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"run"}, args...)...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout = io.Discard
	pipe, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.stderr.WriteString(line + "\n")
			if m := progressRE.FindStringSubmatch(line); m != nil {
				p.in, _ = strconv.ParseInt(m[1], 10, 64)
			}
			p.mu.Unlock()
			select {
			case p.lines <- struct{}{}:
			default:
			}
		}
		err := p.cmd.Wait()
		if ee, ok := err.(*exec.ExitError); ok {
			p.code = ee.ExitCode()
		}
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

func (p *liveProcess) read() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.in
}

func (p *liveProcess) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// waitRead waits until the process has read at least n records.
func (p *liveProcess) waitRead(t *testing.T, n int64) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for p.read() < n {
		select {
		case <-p.lines:
		case <-p.exited:
			t.Fatalf("the process exited early (%d):\n%s", p.code, p.log())
		case <-deadline:
			t.Fatalf("read %d records, want %d\n%s", p.read(), n, p.log())
		}
	}
}

func (p *liveProcess) wait(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-p.exited:
		return p.code
	case <-time.After(within):
		t.Fatalf("the process did not exit within %v\n%s", within, p.log())
	}
	return -1
}

// summaryRE reads the end-of-run summary: records read, then the rows of
// DESTINATION_SQL_STREAM (counts print with thousands separators).
var summaryRE = regexp.MustCompile(`([\d,]+) records read \((?s:.*?)output DESTINATION_SQL_STREAM: ([\d,]+) rows`)

func summary(t *testing.T, log string) (in, out int) {
	t.Helper()
	m := summaryRE.FindStringSubmatch(log)
	if m == nil {
		t.Fatalf("no summary:\n%s", log)
	}
	in, _ = strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
	out, _ = strconv.Atoi(strings.ReplaceAll(m[2], ",", ""))
	return in, out
}

// newsToStream is the news application reading `in` and writing JSON rows
// to the stream `out` only, saved as a file.
func newsToStream(t *testing.T, in, out, bucket string) string {
	a := newsApp(t, in, out, "unused", bucket)
	a.Outputs = []app.Output{{Name: "DESTINATION_SQL_STREAM", DestinationSchema: app.DestinationSchema{RecordFormatType: "JSON"},
		KinesisStreamsOutput: &app.ResourceRef{ResourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/" + out}}}
	return writeApp(t, a)
}

// SIGTERM mid-stream with --close-windows-on-stop: the process stops
// reading, delivers every row of what it read (its open windows closed),
// and exits 0; a second run from LAST_STOPPED_POINT reads the
// rest, and the two runs' rows together hold the news totals exactly: no
// record lost, none counted twice.
func TestSIGTERMDrainsAndResumes(t *testing.T) {
	awstest.Need(t)
	kc, in, out, bucket := newsResources(t, awstest.Kinesalite, 2)
	appFile := newsToStream(t, in, out, bucket)
	env := []string{"AWS_ENDPOINT_URL_KINESIS=" + awstest.Kinesalite}
	cp := t.TempDir()
	clicks := recording(t, "../examples/news/clicks.jsonl")

	putAll(t, kc, in, clicks[:200])
	p := startLive(t, env, appFile, "--start-position", "LAST_STOPPED_POINT", "--checkpoint-dir", cp, "--progress-every", "1ns", "--close-windows-on-stop")
	// No checkpoint yet: LAST_STOPPED_POINT starts at NOW, so the first
	// records are the ones sent from here on.
	time.Sleep(1500 * time.Millisecond)
	putAll(t, kc, in, clicks[200:350])
	p.waitRead(t, 100)
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t, 20*time.Second); code != 0 {
		t.Fatalf("exit %d after SIGTERM\n%s", code, p.log())
	}
	in1, out1 := summary(t, p.log())
	if in1 < 100 || in1 > 150 || out1 == 0 {
		t.Fatalf("first run: %d records in, %d rows out\n%s", in1, out1, p.log())
	}
	rows1 := payloadLines(readStream(t, kc, out, out1))
	if len(rows1) != out1 {
		t.Fatalf("the stream holds %d rows, the run delivered %d", len(rows1), out1)
	}

	putAll(t, kc, in, clicks[350:])
	rest := int64(150 - in1 + 150)
	p2 := startLive(t, env, appFile, "--start-position", "LAST_STOPPED_POINT", "--checkpoint-dir", cp, "--progress-every", "1ns", "--close-windows-on-stop")
	p2.waitRead(t, rest)
	time.Sleep(500 * time.Millisecond)
	p2.cmd.Process.Signal(syscall.SIGINT)
	if code := p2.wait(t, 20*time.Second); code != 0 {
		t.Fatalf("second run: exit %d\n%s", code, p2.log())
	}
	in2, out2 := summary(t, p2.log())
	if int64(in2) != rest {
		t.Fatalf("second run read %d records, want the %d not read before\n%s", in2, rest, p2.log())
	}
	all := payloadLines(readStream(t, kc, out, out1+out2))
	// The 300 clicks sent while a run was reading, counted once each.
	want := totals(t, replayRows(t, clicks[200:]))
	if got := totals(t, all); !reflect.DeepEqual(got, want) {
		t.Fatalf("totals over both runs\ngot  %v\nwant %v", got, want)
	}
}

// A second signal while the drain waits on a destination exits at once
// with status 1.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	awstest.Need(t)
	kc, in, out, bucket := newsResources(t, awstest.Kinesalite, 1)
	release := make(chan struct{})
	slow := awstest.NewProxy(t, awstest.Kinesalite, func(target string, _ int, _ []byte) (int, string, bool) {
		if strings.HasSuffix(target, ".PutRecords") {
			select {
			case <-release:
			case <-time.After(10 * time.Second):
			}
		}
		return 0, "", false
	})
	t.Cleanup(func() { close(release) })
	clicks := recording(t, "../examples/news/clicks.jsonl")
	putAll(t, kc, in, clicks[:50])
	p := startLive(t, []string{"AWS_ENDPOINT_URL_KINESIS=" + slow.URL}, newsToStream(t, in, out, bucket),
		"--start-position", "TRIM_HORIZON", "--checkpoint-dir", t.TempDir(), "--progress-every", "1ns", "--close-windows-on-stop")
	p.waitRead(t, 50)
	p.cmd.Process.Signal(syscall.SIGTERM)
	// Wait for the drain to reach the slow PutRecords.
	deadline := time.Now().Add(10 * time.Second)
	for len(slow.Calls("Kinesis_20131202.PutRecords")) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if len(slow.Calls("Kinesis_20131202.PutRecords")) == 0 {
		t.Fatalf("the drain never delivered\n%s", p.log())
	}
	start := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t, 3*time.Second); code != 1 {
		t.Fatalf("exit %d after a second signal\n%s", code, p.log())
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v to exit", d)
	}
	if !strings.Contains(p.log(), "second signal") {
		t.Fatalf("no message:\n%s", p.log())
	}
}

// replayRows runs the news application on records through the binary's
// replay and returns its rows.
func replayRows(t *testing.T, recs []inputRecord) []string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "rec-*.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	w := newRecWriter(f)
	for i, r := range recs {
		r.Arrival = int64(i) * 100
		w.Write(r)
	}
	w.Flush()
	f.Close()
	code, stdout, errOut := streamsql(t, nil, "run", "../examples/news/app.yaml", "--replay", f.Name(), "--format", "ndjson")
	if code != 0 {
		t.Fatalf("replay: %d %s", code, errOut)
	}
	return strings.Split(strings.TrimSpace(stdout), "\n")
}
