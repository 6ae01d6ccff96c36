package raftchecktest

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck"
)

// modulePath is raftcheck's module, whose cmd/raftcheck replays a run.
const modulePath = "github.com/raftcheck/raftcheck"

// goListTimeout bounds the go list call that finds which raftcheck the
// test uses.
const goListTimeout = 10 * time.Second

// ReplayCommand is a shell command that replays the run cfg describes with
// raftcheck's CLI, runnable from the module whose test is running:
//
//   - go run github.com/raftcheck/raftcheck/cmd/raftcheck@<version> run ...
//     when the module requires a released (or pseudo-) version;
//   - go -C <dir> run ./cmd/raftcheck run ... when it replaces raftcheck
//     with a local checkout, or is raftcheck itself;
//   - go run <fork>/cmd/raftcheck@<version> run ... when it replaces
//     raftcheck with another module;
//   - go run github.com/raftcheck/raftcheck/cmd/raftcheck run ... when the
//     version cannot be found: run inside the module, it builds the version
//     the module selects (which may first need go.sum entries for the CLI's
//     own dependencies, that go mod download or -mod=mod adds).
//
// The version comes from the binary's build information or, in a test
// binary (which carries none about its dependencies), from go list -m run
// in the test's directory.
func ReplayCommand(cfg raftcheck.Config) string {
	ctx, cancel := context.WithTimeout(context.Background(), goListTimeout)
	defer cancel()
	return replayCommand(ctx, cfg)
}

// replayCommand is ReplayCommand with ctx bounding the go list call.
func replayCommand(ctx context.Context, cfg raftcheck.Config) string {
	wd, _ := os.Getwd()
	bi, _ := debug.ReadBuildInfo()
	return resolveModule(ctx, bi, wd).command(cfg)
}

// module is how the running binary gets raftcheck, in go list -m -json's
// terms.
type module struct {
	Version string
	Replace *struct{ Path, Version, Dir string }
	Dir     string // set for the main module, a local replacement, or the module cache
	main    bool   // raftcheck is the main module: its tests are running
}

// resolveModule finds raftcheck in bi (a test binary's lists no
// dependencies) or else asks go list in wd; nil when neither says.
func resolveModule(ctx context.Context, bi *debug.BuildInfo, wd string) *module {
	if bi != nil {
		if bi.Main.Path == modulePath {
			return &module{main: true, Dir: moduleRoot(wd)}
		}
		for _, d := range bi.Deps {
			if d.Path != modulePath {
				continue
			}
			m := &module{Version: d.Version}
			if r := d.Replace; r != nil {
				m.Replace = &struct{ Path, Version, Dir string }{Path: r.Path, Version: r.Version}
				if r.Version == "" {
					m.Replace.Dir = r.Path
					if !filepath.IsAbs(r.Path) {
						// A relative replacement is relative to the main module's go.mod.
						m.Replace.Dir = filepath.Join(moduleRoot(wd), r.Path)
					}
				}
			}
			return m
		}
	}
	return goList(ctx, wd)
}

// goList asks the go command in wd how the module there requires raftcheck.
func goList(ctx context.Context, wd string) *module {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.CommandContext(ctx, goCmd, "list", "-m", "-json", modulePath)
	cmd.Dir = wd
	out, err := cmd.Output()
	if err != nil {
		return nil
	}
	var m module
	if json.Unmarshal(out, &m) != nil {
		return nil
	}
	m.main = m.Version == "" && m.Replace == nil
	return &m
}

// command is the replay command of cfg for raftcheck as m says.
func (m *module) command(cfg raftcheck.Config) string {
	run := strings.TrimPrefix(raftcheck.ReplayCommand(cfg), "raftcheck ")
	switch {
	case m == nil || m.main && m.Dir == "":
		return "go run " + modulePath + "/cmd/raftcheck " + run
	case m.main:
		return "go -C " + quote(m.Dir) + " run ./cmd/raftcheck " + run
	case m.Replace == nil:
		return "go run " + modulePath + "/cmd/raftcheck@" + m.Version + " " + run
	case m.Replace.Version != "":
		return "go run " + m.Replace.Path + "/cmd/raftcheck@" + m.Replace.Version + " " + run
	default:
		return "go -C " + quote(filepath.Clean(m.Replace.Dir)) + " run ./cmd/raftcheck " + run
	}
}

// moduleRoot is the nearest directory at or above dir holding a go.mod, or
// "" when there is none.
func moduleRoot(dir string) string {
	for i := 0; dir != "" && i < 256; i++ {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return ""
}

// RerunCommand is the go test command that reruns t alone (each level of a
// subtest's name anchored) in its package, with -short when this run was
// shortened by it.
func RerunCommand(t testing.TB) string {
	var levels []string
	for _, p := range strings.Split(t.Name(), "/") {
		levels = append(levels, "^"+regexp.QuoteMeta(p)+"$")
	}
	cmd := "go test -run " + quote(strings.Join(levels, "/"))
	if isShort(t) {
		cmd += " -short"
	}
	return cmd + " " + quote(testPackage())
}

// quote quotes s for a POSIX shell unless it is made of safe characters.
func quote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,+@%", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
