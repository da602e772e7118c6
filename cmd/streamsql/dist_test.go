package main

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// version names the commit the binary was built from, as the toolchain
// stamps it (or as -ldflags -X main.commit gives it).
func TestVersionPrintsCommit(t *testing.T) {
	info := &debug.BuildInfo{GoVersion: "go1.25.0", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	want := "streamsql " + version + " (module v1.2.3, commit 0123456789ab (2026-12-01T10:00:00Z), modified, go1.25.0)"
	if got := versionLine(info, true); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	commit = "feedbeef"
	defer func() { commit = "" }()
	if got := versionLine(&debug.BuildInfo{GoVersion: "go1.25.0", Main: debug.Module{Version: "(devel)"}}, true); !strings.Contains(got, "commit feedbeef") {
		t.Errorf("-X main.commit: %s", got)
	}
	if code, out, _ := runCLI("version"); code != 0 || !strings.HasPrefix(out, "streamsql "+version+" (") {
		t.Errorf("version: exit %d %q", code, out)
	}
}

// completion prints a script per shell that completes every command and
// asks the binary for each command's flags.
func TestCompletionScripts(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, out, errOut := runCLI("completion", shell)
		if code != 0 || !strings.Contains(out, "streamsql __flags") {
			t.Fatalf("%s: exit %d %s\n%s", shell, code, errOut, out)
		}
		for _, c := range commandNames {
			if !regexp.MustCompile(`[ '"]` + c + `[ '"\n]`).MatchString(out) {
				t.Errorf("%s: command %s not completed", shell, c)
			}
		}
		if path, err := exec.LookPath(shell); err == nil {
			f, _ := os.CreateTemp(t.TempDir(), "completion")
			f.WriteString(out)
			f.Close()
			if b, err := exec.Command(path, "-n", f.Name()).CombinedOutput(); err != nil {
				t.Errorf("%s -n: %v\n%s", shell, err, b)
			}
		}
	}
	_, out, _ := runCLI("__flags", "run")
	for _, f := range []string{"--replay\n", "--out\n", "--fail-on-error\n", "--connect-timeout\n"} {
		if !strings.Contains(out, f) {
			t.Errorf("__flags run lacks %s", f)
		}
	}
	if _, out, _ = runCLI("__flags", "check"); !strings.Contains(out, "--schema\n") || strings.Contains(out, "--replay") {
		t.Errorf("__flags check:\n%s", out)
	}
	// Every command in the usage text is completed.
	for _, line := range strings.Split(usage, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "streamsql" && strings.HasPrefix(line, "  ") {
			found := false
			for _, c := range commandNames {
				found = found || c == f[1]
			}
			if !found {
				t.Errorf("usage names %s, completion does not", f[1])
			}
		}
	}
}

// The distribution: an Apache-2.0 LICENSE, a go install line, and a
// Dockerfile that builds a static image (built here only where a Docker
// daemon answers).
func TestDistribution(t *testing.T) {
	lic, _ := os.ReadFile("../../LICENSE")
	if !strings.Contains(string(lic), "Apache License") || !strings.Contains(string(lic), "Version 2.0, January 2004") {
		t.Error("LICENSE is not the Apache License 2.0")
	}
	readme, _ := os.ReadFile("../../README.md")
	if !strings.Contains(string(readme), "go install github.com/streamsql/streamsql/cmd/streamsql@") {
		t.Error("README has no go install line")
	}
	docker, _ := os.ReadFile("../../Dockerfile")
	for _, want := range []string{"CGO_ENABLED=0", "FROM scratch", "main.commit=${COMMIT}", "ca-certificates.crt"} {
		if !strings.Contains(string(docker), want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("docker is not installed: the image build is not tried")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := exec.CommandContext(ctx, "docker", "info").Run(); err != nil {
		t.Skip("no Docker daemon answers: the image build is not tried")
	}
	tag := "streamsql-test:" + strings.ToLower(t.Name())
	if b, err := exec.Command("docker", "build", "-q", "-t", tag, "--build-arg", "COMMIT=test", "../..").CombinedOutput(); err != nil {
		t.Fatalf("docker build: %v\n%s", err, b)
	}
	defer exec.Command("docker", "rmi", tag).Run()
	b, err := exec.Command("docker", "run", "--rm", tag, "version").CombinedOutput()
	if err != nil || !strings.Contains(string(b), "commit test") {
		t.Fatalf("docker run version: %v\n%s", err, b)
	}
}
