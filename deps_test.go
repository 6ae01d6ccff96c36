package raftcheck

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goTool is the go command that builds this test, for tests that ask it
// about the module.
func goTool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	_, err := exec.LookPath(p)
	require.NoError(t, err, "no go command on PATH or in GOROOT")
	return p
}

// apiAllowedDeps are the only packages from outside the standard library
// that importing the public API may link: this module's own, and
// porcupine (the linearizability search), and etcd's Raft with the
// protobuf runtime its messages need (--raft etcd runs it in the
// simulator; the registry links it). The reports are drawn by hand
// (checker/report/svgchart.go) so that no plotting library, with its
// fonts and its PDF and LaTeX back ends, lands in every test binary.
var apiAllowedDeps = []string{"github.com/raftcheck/raftcheck", "github.com/anishathalye/porcupine",
	"go.etcd.io/raft/v3", "github.com/gogo/protobuf", "github.com/golang/protobuf", "google.golang.org/protobuf"}

// TestAPIImportGraph pins what a program that imports the public API, or
// a test that imports raftchecktest, links: nothing outside the standard
// library but apiAllowedDeps.
func TestAPIImportGraph(t *testing.T) {
	for _, pkg := range []string{"github.com/raftcheck/raftcheck", "github.com/raftcheck/raftcheck/raftchecktest"} {
		out, err := exec.Command(goTool(t), "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).CombinedOutput()
		require.NoError(t, err, "%s", out)
		deps := strings.Fields(string(out))
		require.Contains(t, deps, pkg, "go list lists the package itself")
		for _, d := range deps {
			allowed := false
			for _, a := range apiAllowedDeps {
				allowed = allowed || d == a || strings.HasPrefix(d, a+"/")
			}
			assert.True(t, allowed, "%s imports %s, outside the standard library and %v", pkg, d, apiAllowedDeps)
			assert.NotContains(t, d, "gonum", "%s must not link a plotting library", pkg)
		}
	}
}
