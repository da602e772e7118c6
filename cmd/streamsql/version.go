package main

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// commit is set with -ldflags "-X main.commit=SHA" where the toolchain
// cannot stamp the binary (a Docker build without .git); the stamp wins.
var commit string

// versionLine is what `streamsql version` prints: the release, the module
// version go install recorded, and the commit the binary was built from
// (with "modified" when the tree had uncommitted changes), as the Go
// toolchain stamps them into every binary built in a git checkout.
func versionLine(info *debug.BuildInfo, ok bool) string {
	s := "streamsql " + version
	if !ok || info == nil {
		return s + " (no build information)"
	}
	var parts []string
	if v := info.Main.Version; v != "" && v != "(devel)" {
		parts = append(parts, "module "+v)
	}
	settings := map[string]string{}
	for _, kv := range info.Settings {
		settings[kv.Key] = kv.Value
	}
	if settings["vcs.revision"] == "" && commit != "" {
		settings["vcs.revision"] = commit
	}
	if rev := settings["vcs.revision"]; rev != "" {
		c := "commit " + rev[:min(12, len(rev))]
		if t := settings["vcs.time"]; t != "" {
			c += " (" + t + ")"
		}
		if settings["vcs.modified"] == "true" {
			c += ", modified"
		}
		parts = append(parts, c)
	} else if len(parts) == 0 {
		parts = append(parts, "commit unknown (built outside a git checkout)")
	}
	parts = append(parts, info.GoVersion)
	return fmt.Sprintf("%s (%s)", s, strings.Join(parts, ", "))
}

func printVersion() string { return versionLine(debug.ReadBuildInfo()) }
