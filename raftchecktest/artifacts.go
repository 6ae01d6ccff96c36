package raftchecktest

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// ArtifactsEnv is the environment variable that says where failing runs'
// reports go: CI sets it to the directory it uploads.
const ArtifactsEnv = "RAFTCHECK_ARTIFACTS"

// defaultArtifactsBase is the directory under os.TempDir() used when
// ArtifactsEnv is not set.
const defaultArtifactsBase = "raftcheck-artifacts"

// ArtifactsDir is where the helpers keep the reports of t's failing runs:
// $RAFTCHECK_ARTIFACTS (or os.TempDir()/raftcheck-artifacts), then the
// test's package import path, then its name (a subtest's name is nested
// directories). Nothing is created until a run fails.
func ArtifactsDir(t testing.TB) string { return artifactsDir(t, "") }

// artifactsDir is ArtifactsDir with the Artifacts option's base, if any.
func artifactsDir(t testing.TB, base string) string {
	if base == "" {
		base = os.Getenv(ArtifactsEnv)
	}
	if base == "" {
		base = filepath.Join(os.TempDir(), defaultArtifactsBase)
	}
	parts := []string{base}
	for _, p := range strings.Split(testPackage(), "/") {
		parts = append(parts, safeName(p))
	}
	for _, p := range strings.Split(t.Name(), "/") {
		parts = append(parts, safeName(p))
	}
	return filepath.Join(parts...)
}

// testPackage is the import path of the package under test: a test binary
// is built as <import path>.test. Without build information it is the
// working directory's name (go test runs a test in its package's
// directory).
func testPackage() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		if p, ok := strings.CutSuffix(bi.Path, ".test"); ok && p != "" {
			return p
		}
	}
	if wd, err := os.Getwd(); err == nil {
		return filepath.Base(wd)
	}
	return "unknown"
}

// safeName makes s one portable path element: anything but letters,
// digits and ._=+- becomes _, and . or .. becomes _.
func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._=+-", c) >= 0) {
			b[i] = '_'
		}
	}
	if s = string(b); s == "" || s == "." || s == ".." {
		return "_"
	}
	return s
}
