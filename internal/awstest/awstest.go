// Package awstest runs the connector tests against real local AWS servers:
// moto_server (Kinesis, Firehose, S3 and more on one port) and kinesalite (a
// second Kinesis server). Main, called from a package's TestMain, installs
// kinesalite with scripts/aws-servers, starts both as children of the test
// process, points the standard AWS environment at them with
// dummy credentials, runs the tests and stops the servers.
//
// A missing tool (moto_server, node, npm) on a developer's machine skips the
// tests that need the servers, each with a one-line reason saying what to
// install, and the other tests of the package still run. Under CI (CI=true,
// as every CI system sets it) a missing tool fails the test binary at once:
// nothing is skipped there.
//
// STREAMSQL_MOTO and STREAMSQL_KINESALITE, when set to endpoints, are used
// instead of starting servers (to share one pair across packages by hand).
package awstest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// Region is the region every test client uses.
const Region = "us-east-1"

// Endpoints of the running servers (set by Main).
var (
	Moto       string
	Kinesalite string
)

// missing, when set, says why the servers are not running (a tool is not
// installed, outside CI): Need skips with it.
var missing string

// Main starts the servers, runs the tests and stops the servers; it never
// returns.
func Main(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintf(os.Stderr, "awstest: %v\n", err)
		os.Exit(1)
	}
	os.Exit(code)
}

// InCI tells whether the tests run under CI (CI=true or 1), where a missing
// server is an error rather than a reason to skip.
func InCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v == "true" || v == "1" || v == "yes"
}

// Need skips the test when the AWS servers could not be started on this
// machine (outside CI), with the one-line reason.
func Need(t testing.TB) {
	t.Helper()
	if missing != "" {
		t.Skip(missing)
	}
}

// missingTool is a tool the servers need that is not installed.
type missingTool struct{ msg string }

func (e *missingTool) Error() string { return e.msg }

func run(m *testing.M) (int, error) {
	Moto, Kinesalite = os.Getenv("STREAMSQL_MOTO"), os.Getenv("STREAMSQL_KINESALITE")
	if Moto == "" || Kinesalite == "" {
		stop, err := start()
		var mt *missingTool
		switch {
		case err != nil && errors.As(err, &mt) && !InCI():
			missing = "needs the local AWS servers: " + mt.msg + " (with CI=true this fails instead)"
			fmt.Fprintf(os.Stderr, "awstest: skipping the tests that need the AWS servers: %s\n", mt.msg)
			return m.Run(), nil
		case err != nil:
			return 1, err
		}
		defer stop()
	}
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           "test",
		"AWS_SECRET_ACCESS_KEY":       "test",
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  Region,
		"AWS_ENDPOINT_URL":            Moto,
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
	} {
		os.Setenv(k, v)
	}
	os.Unsetenv("AWS_PROFILE")
	return m.Run(), nil
}

// start installs kinesalite if needed (scripts/aws-servers install),
// starts moto_server and kinesalite on loopback ports as children that die
// with the test process (even when a test panics), waits until both
// answer, and returns the function stopping them.
func start() (func(), error) {
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	moto := []string{"moto_server"}
	if _, err := exec.LookPath("moto_server"); err != nil {
		if exec.Command("python3", "-c", "import moto.server").Run() != nil {
			return nil, &missingTool{"moto_server is not on PATH (pip install 'moto[server]')"}
		}
		moto = []string{"python3", "-m", "moto.server"}
	}
	kdir := filepath.Join(root, "scripts", "kinesalite")
	if _, err := os.Stat(filepath.Join(kdir, "node_modules", "kinesalite")); err != nil {
		if _, err := exec.LookPath("npm"); err != nil {
			return nil, &missingTool{"npm is not installed; kinesalite is installed with it (apt-get install npm)"}
		}
	}
	if _, err := exec.LookPath("node"); err != nil {
		return nil, &missingTool{"node is not installed; kinesalite runs on it (apt-get install nodejs)"}
	}
	var stderr bytes.Buffer
	install := exec.Command(filepath.Join(root, "scripts", "aws-servers"), "install")
	install.Stderr = &stderr
	if err := install.Run(); err != nil {
		return nil, fmt.Errorf("scripts/aws-servers install: %v\n%s", err, stderr.String())
	}

	var procs []*server
	var stopping atomic.Bool
	stop := func() {
		stopping.Store(true)
		for _, p := range procs {
			p.cmd.Process.Signal(syscall.SIGTERM)
		}
		for _, p := range procs {
			select {
			case <-p.done:
			case <-time.After(5 * time.Second):
				p.cmd.Process.Kill()
				<-p.done
			}
		}
	}
	watch := func(name string, cmd *exec.Cmd, log *tailBuffer) {
		procs = append(procs, watchServer(name, cmd, log, &stopping, os.Stderr))
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	motoLog := &tailBuffer{}
	mc := exec.Command(moto[0], append(moto[1:], "-H", "127.0.0.1", "-p", strconv.Itoa(port))...)
	mc.Stdout, mc.Stderr, mc.SysProcAttr = motoLog, motoLog, childAttr()
	if err := mc.Start(); err != nil {
		return nil, fmt.Errorf("starting moto_server: %v", err)
	}
	watch("moto_server", mc, motoLog)
	kc := exec.Command("node", filepath.Join(kdir, "serve.js"), "0")
	kc.SysProcAttr = childAttr()
	klog := &tailBuffer{}
	kc.Stderr = klog
	kout, err := kc.StdoutPipe()
	if err != nil {
		stop()
		return nil, err
	}
	if err := kc.Start(); err != nil {
		stop()
		return nil, fmt.Errorf("starting kinesalite: %v", err)
	}
	watch("kinesalite", kc, klog)
	endpoint := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(kout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "http://") {
				endpoint <- sc.Text()
			}
		}
	}()
	select {
	case Kinesalite = <-endpoint:
	case <-time.After(30 * time.Second):
		stop()
		return nil, fmt.Errorf("kinesalite did not start within 30 s: %s", klog.String())
	}
	Moto = fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(Moto + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("moto_server did not answer at %s within 30 s: %s", Moto, motoLog.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return stop, nil
}

// server is a started server process; done closes when it has exited.
type server struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// watchServer waits for a started server; one that exits before stopping
// is set has its exit status and the end of its output written to report,
// so that a test failing with "connection refused" can be diagnosed.
func watchServer(name string, cmd *exec.Cmd, log *tailBuffer, stopping *atomic.Bool, report io.Writer) *server {
	p := &server{cmd: cmd, done: make(chan struct{})}
	go func() {
		err := cmd.Wait()
		if !stopping.Load() {
			fmt.Fprintf(report, "awstest: %s exited while the tests ran (%v); the end of its output:\n%s\n", name, err, log.String())
		}
		close(p.done)
	}()
	return p
}

// tailBuffer keeps the last 16 KB written to it, safe for the goroutine
// copying a child's output and a reader at once.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

const tailMax = 16 << 10

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if n := len(b.buf); n > tailMax {
		b.buf = append(b.buf[:0], b.buf[n-tailMax:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Config is the standard AWS configuration as the binary loads it (from the
// environment Main set), with endpoint, if not empty, as the base endpoint
// of every service.
func Config(t testing.TB, endpoint string) aws.Config {
	t.Helper()
	Need(t)
	var opts []func(*config.LoadOptions) error
	if endpoint != "" {
		opts = append(opts, config.WithBaseEndpoint(endpoint))
	}
	cfg, err := config.LoadDefaultConfig(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

var seq atomic.Int64

// Name returns a resource name unique within the run of the test binary.
func Name(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano()%1e9, seq.Add(1))
}

// Fault decides, for one request through a Proxy, whether to answer it
// with an error instead of passing it on. target is the X-Amz-Target
// header (the operation of a JSON protocol call, e.g.
// "Kinesis_20131202.GetRecords"), n counts the calls of that target
// (1-based), body is the request body. ok=false passes the request on.
type Fault func(target string, n int, body []byte) (status int, response string, ok bool)

// Proxy is an httptest server in front of a real server (backend) that
// records every call and injects faults: throttling, server errors, or
// rewritten responses, for the behaviours local servers never show.
type Proxy struct {
	URL   string
	mu    sync.Mutex
	calls map[string][]time.Time
	// Rewrite, if set, may replace the backend's response body for a target.
	Rewrite func(target string, n int, req, resp []byte) []byte
	down    atomic.Bool
}

// SetDown starts (true) or ends an outage: while it lasts, every
// connection is closed without an answer, as a server that went away.
func (p *Proxy) SetDown(down bool) { p.down.Store(down) }

// Calls returns the arrival times of the calls of target.
func (p *Proxy) Calls(target string) []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Time(nil), p.calls[target]...)
}

// NewProxy starts a proxy to backend; it stops with the test.
func NewProxy(t testing.TB, backend string, fault Fault) *Proxy {
	t.Helper()
	Need(t)
	u, err := url.Parse(backend)
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{calls: map[string][]time.Time{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.down.Load() {
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		target := r.Header.Get("X-Amz-Target")
		if target == "" {
			target = r.Method + " " + r.URL.Path
		}
		p.mu.Lock()
		p.calls[target] = append(p.calls[target], time.Now())
		n := len(p.calls[target])
		rewrite := p.Rewrite
		p.mu.Unlock()
		if fault != nil {
			if status, resp, ok := fault(target, n, body); ok {
				w.Header().Set("Content-Type", "application/x-amz-json-1.1")
				w.WriteHeader(status)
				io.WriteString(w, resp)
				return
			}
		}
		if rewrite == nil {
			rp.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		rp.ServeHTTP(rec, r)
		out := rewrite(target, n, body, rec.Body.Bytes())
		for k, v := range rec.Header() {
			if k != "Content-Length" && k != "Content-Encoding" && k != "X-Amz-Crc32" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(rec.Code)
		w.Write(out)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// BatchSize reads a PutRecords or PutRecordBatch request body (as a Proxy
// fault sees it) and returns its number of records and their payload bytes.
func BatchSize(body []byte) (records, bytes int) {
	var in struct{ Records []struct{ Data string } }
	json.Unmarshal(body, &in)
	for _, r := range in.Records {
		d, _ := base64.StdEncoding.DecodeString(r.Data)
		bytes += len(d)
	}
	return len(in.Records), bytes
}
