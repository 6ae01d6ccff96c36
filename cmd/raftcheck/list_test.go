package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck"
	"github.com/raftcheck/raftcheck/nemesis"
)

// TestListCommands: faults, scenarios, bugs and version print their catalog
// (every entry, with its description) and exit 0.
func TestListCommands(t *testing.T) {
	dir := t.TempDir()

	r := cli(t, dir, nil, "faults")
	require.Equal(t, exitValid, r.code, "%s", r)
	assert.Regexp(t, `^FAULT\s+CATEGORY\s+DESCRIPTION\n`, r.stdout)
	for _, f := range nemesis.Catalog() {
		assert.Regexp(t, `(?m)^`+regexp.QuoteMeta(f.Name)+`\s+`+regexp.QuoteMeta(f.Category)+`\s+\S`, r.stdout, f.Name)
	}
	assert.Regexp(t, `(?m)^all\s+every fault above$`, r.stdout)

	r = cli(t, dir, nil, "scenarios")
	require.Equal(t, exitValid, r.code, "%s", r)
	assert.Regexp(t, `^SCENARIO\s+DESCRIPTION\n`, r.stdout)
	for _, s := range nemesis.Scenarios() {
		assert.Regexp(t, `(?m)^`+regexp.QuoteMeta(s.Name)+`\s+\S`, r.stdout, s.Name)
	}
	assert.Contains(t, r.stdout, "(the --chaos default)")

	r = cli(t, dir, nil, "bugs")
	require.Equal(t, exitValid, r.code, "%s", r)
	for _, b := range raftcheck.Bugs() {
		assert.Regexp(t, `(?m)^`+regexp.QuoteMeta(string(b.Name))+`\s+\S`, r.stdout, b.Name)
	}

	r = cli(t, dir, nil, "version")
	require.Equal(t, exitValid, r.code, "%s", r)
	assert.Equal(t, "raftcheck "+version+"\n", r.stdout)
}

// TestHelp: `help` lists every command; `<command> --help` prints its flags
// on stdout and exits 0; no command at all is a usage error.
func TestHelp(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		r := cli(t, dir, nil, args...)
		require.Equal(t, exitValid, r.code, "%v: %s", args, r)
		for _, c := range commands() {
			assert.Regexp(t, `(?m)^  `+c.name+`\s+\S`, r.stdout, c.name)
		}
		assert.Contains(t, r.stdout, "Exit codes: 0 valid, 1 invalid, 2 unknown, 254 bad arguments or input, 255 internal error.")
	}
	r := cli(t, dir, nil)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "Usage: raftcheck <command>", "a usage error goes to stderr")
	assert.Empty(t, r.stdout)

	flags := map[string][]string{
		"run":    {"--nodes", "--max-time", "--seed", "--clients", "--rate", "--workload", "--keys", "--read-mode", "--nemesis", "--nemesis-interval", "--chaos", "--chaos-scenario", "--swarm", "--message-drop-rate", "--message-dup-rate", "--latency", "--latency-dist", "--prevote", "--check-quorum", "--snapshot-every", "--recovery-time", "--check-timeout", "--check-memory", "--check-steps", "--store", "--json", "--trace", "--log-level"},
		"sweep":  {"--seeds", "--count", "--workers", "--fail-fast", "--shard", "--keep-all", "--json"},
		"suite":  {"--seeds-per", "--scenarios", "--fail-fast", "--json"},
		"check":  {"--format", "--model", "--out", "--check-timeout", "--check-memory", "--check-steps", "--json"},
		"replay": {"--json", "--store"},
		"serve":  {"--store", "--host", "--port"},
	}
	for cmd, want := range flags {
		r := cli(t, dir, nil, cmd, "--help")
		require.Equal(t, exitValid, r.code, "%s --help: %s", cmd, r)
		assert.True(t, strings.HasPrefix(r.stdout, "Usage: raftcheck "+cmd), r.stdout)
		for _, f := range want {
			assert.Regexp(t, `(?m)^\s+`+regexp.QuoteMeta(f)+`\b`, r.stdout, "%s %s", cmd, f)
		}
	}
}

// TestEveryCommandHelp: `<command> --help` and `help <command>` print the
// command's synopsis on stdout and exit 0, for every command.
func TestEveryCommandHelp(t *testing.T) {
	dir := t.TempDir()
	for _, c := range commands() {
		for _, args := range [][]string{{c.name, "--help"}, {"help", c.name}} {
			r := cli(t, dir, nil, args...)
			assert.Equal(t, exitValid, r.code, "%s: %s", args, r)
			assert.True(t, strings.HasPrefix(r.stdout, "Usage: raftcheck "+c.name), "%s: %s", args, r)
			assert.Empty(t, r.stderr, args)
		}
	}
}
