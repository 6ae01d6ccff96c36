package raftchecktest

import (
	"context"
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/raftcheck/raftcheck"
)

// TestReplayCommandForms: the replay command runs raftcheck's CLI as the
// test's module gets raftcheck.
func TestReplayCommandForms(t *testing.T) {
	cfg := raftcheck.DefaultConfig()
	cfg.Seed, cfg.Nodes = 7, 3
	const run = " run --seed 7 --nodes 3"
	replace := func(path, version, dir string) *struct{ Path, Version, Dir string } {
		return &struct{ Path, Version, Dir string }{path, version, dir}
	}
	for _, tc := range []struct {
		name string
		m    *module
		want string
	}{
		{"unknown", nil, "go run github.com/raftcheck/raftcheck/cmd/raftcheck" + run},
		{"raftcheck itself", &module{main: true, Dir: "/src/raft check"}, "go -C '/src/raft check' run ./cmd/raftcheck" + run},
		{"raftcheck itself, no go.mod found", &module{main: true}, "go run github.com/raftcheck/raftcheck/cmd/raftcheck" + run},
		{"a version", &module{Version: "v1.2.3"}, "go run github.com/raftcheck/raftcheck/cmd/raftcheck@v1.2.3" + run},
		{"a pseudo-version", &module{Version: "v0.0.0-20260101000000-abcdefabcdef"}, "go run github.com/raftcheck/raftcheck/cmd/raftcheck@v0.0.0-20260101000000-abcdefabcdef" + run},
		{"a fork", &module{Version: "v1.2.3", Replace: replace("example.com/fork", "v1.2.4", "")}, "go run example.com/fork/cmd/raftcheck@v1.2.4" + run},
		{"a local checkout", &module{Version: "v0.0.0", Replace: replace("../raftcheck", "", "/home/me/raftcheck")}, "go -C /home/me/raftcheck run ./cmd/raftcheck" + run},
	} {
		assert.Equal(t, tc.want, tc.m.command(cfg), tc.name)
	}
}

// TestResolveModule reads raftcheck's version from build information when
// it lists the dependency, and knows raftcheck's own tests.
func TestResolveModule(t *testing.T) {
	wd, err := filepath.Abs(".")
	assert.NoError(t, err)
	root := filepath.Dir(wd)
	ctx := context.Background()

	self := resolveModule(ctx, &debug.BuildInfo{Main: debug.Module{Path: modulePath}}, wd)
	assert.Equal(t, &module{main: true, Dir: root}, self)

	dep := resolveModule(ctx, &debug.BuildInfo{Main: debug.Module{Path: "example.com/m"},
		Deps: []*debug.Module{{Path: "example.com/other", Version: "v9"}, {Path: modulePath, Version: "v1.2.3"}}}, wd)
	assert.Equal(t, "v1.2.3", dep.Version)
	assert.Nil(t, dep.Replace)

	local := resolveModule(ctx, &debug.BuildInfo{Main: debug.Module{Path: "example.com/m"},
		Deps: []*debug.Module{{Path: modulePath, Version: "v0.0.0", Replace: &debug.Module{Path: "../vendor/raftcheck"}}}}, wd)
	assert.Equal(t, filepath.Join(root, "..", "vendor", "raftcheck"), local.Replace.Dir, "relative to the main module's go.mod")

	// This test binary lists no dependencies, as every test binary: go
	// list answers, and here raftcheck is the main module.
	listed := resolveModule(ctx, &debug.BuildInfo{Main: debug.Module{Path: "example.com/m"}}, wd)
	if assert.NotNil(t, listed) {
		assert.True(t, listed.main)
		assert.Equal(t, root, listed.Dir)
	}
}
