package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDocCommands runs the raftcheck commands that README.md and docs/*.md
// show, so an example cannot rot: docs/doctest.md is the rule book. In
// short: a command is a line of a fenced block (no language, or sh, shell,
// console) that starts with raftcheck or ./bin/raftcheck, optionally after
// a "$ " prompt, VAR=value assignments and "cd DIR &&"; in a block that
// uses prompts only the prompted lines are commands. Each is run for real
// with the binary TestMain built, in a scratch directory per file (where a
// relative store/ lands; commands of one file run in order, so a replay
// finds the run before it). A "$ echo $?" line followed by a number names
// the exit code the command must give; without one it must give a verdict
// (0, 1 or 2). An HTML comment right before a block changes its mode:
//
//	<!-- doctest: parse REASON -->  only check that the flags parse
//	                                (the command is run with --help appended)
//	<!-- doctest: skip REASON -->   not checked at all
//
// for commands that need a binary, a network port, or minutes of running.
// Nothing is substituted into a command: a command too slow to run is
// parsed instead.
func TestDocCommands(t *testing.T) {
	var all []docCommand
	for _, file := range docFiles(t) {
		raw, err := os.ReadFile(filepath.Join(moduleDir, file))
		require.NoError(t, err)
		cmds, err := docCommands(file, string(raw))
		require.NoError(t, err)
		all = append(all, cmds...)
	}
	require.NotEmpty(t, all)
	var files []string
	counts := map[string]int{}
	for _, c := range all {
		if !slices.Contains(files, c.file) {
			files = append(files, c.file)
		}
		counts[c.mode]++
	}
	t.Logf("%d commands in %d files: %d run, %d parsed, %d skipped", len(all), len(files), counts[modeRun], counts[modeParse], counts[modeSkip])
	for _, file := range files {
		t.Run(strings.ReplaceAll(file, "/", "_"), func(t *testing.T) {
			t.Parallel()
			dir := docScratch(t)
			for _, c := range all {
				if c.file == file {
					c.check(t, dir)
				}
			}
		})
	}
}

// Modes of a documented command.
const (
	modeRun   = "run"
	modeParse = "parse"
	modeSkip  = "skip"
)

// docCommand is one raftcheck command found in the docs.
type docCommand struct {
	file string
	line int
	mode string
	env  []string
	dir  string   // from a leading "cd DIR &&", relative to the scratch directory
	args []string // after the program name
	want int      // expected exit code; -1: any verdict (0, 1, 2)
}

func (c docCommand) String() string {
	return fmt.Sprintf("%s:%d: raftcheck %s", c.file, c.line, strings.Join(c.args, " "))
}

// check runs c in dir (the file's scratch directory) as its mode says.
func (c docCommand) check(t *testing.T, dir string) {
	t.Helper()
	switch c.mode {
	case modeSkip:
		return
	case modeParse:
		args := append(slices.Clone(c.args), "--help")
		res := cli(t, filepath.Join(dir, c.dir), c.env, args...)
		if assert.Equal(t, exitValid, res.code, "%s: its flags do not parse\n%s", c, res) {
			assert.Contains(t, res.stdout, "Usage: raftcheck", "%s: --help printed no usage\n%s", c, res)
		}
		return
	}
	args, err := expandGlobs(filepath.Join(dir, c.dir), c.args)
	require.NoError(t, err, c.String())
	res := cli(t, filepath.Join(dir, c.dir), c.env, args...)
	if c.want >= 0 {
		assert.Equal(t, c.want, res.code, "%s: the docs show exit %d\n%s", c, c.want, res)
		return
	}
	assert.Contains(t, []int{exitValid, exitInvalid, exitUnknown}, res.code, "%s: no verdict\n%s", c, res)
}

// docScratch makes the directory a doc file's commands run in: empty but
// for links to histories/ and examples/, and to every test history by its
// base name (the docs' `raftcheck check etcd_000.log` runs as if in its
// directory).
func docScratch(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	root, err := filepath.Abs(moduleDir)
	require.NoError(t, err)
	for _, name := range []string{"histories", "examples"} {
		require.NoError(t, os.Symlink(filepath.Join(root, name), filepath.Join(dir, name)))
	}
	for _, pattern := range []string{"histories/testdata/*/*.edn", "histories/testdata/*/*.log", "histories/testdata/*/*/*.log"} {
		files, err := filepath.Glob(filepath.Join(root, pattern))
		require.NoError(t, err)
		for _, f := range files {
			link := filepath.Join(dir, filepath.Base(f))
			if _, err := os.Lstat(link); err == nil {
				continue
			}
			require.NoError(t, os.Symlink(f, link))
		}
	}
	return dir
}

// expandGlobs expands the arguments holding a glob pattern, as a shell
// would; a pattern that matches nothing is an error (the example is wrong).
func expandGlobs(dir string, args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		if !strings.ContainsAny(a, "*?[") {
			out = append(out, a)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(dir, a))
		if err != nil {
			return nil, fmt.Errorf("%q: %w", a, err)
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("%q matches no file", a)
		}
		for _, m := range matches {
			rel, err := filepath.Rel(dir, m)
			if err != nil {
				return nil, err
			}
			out = append(out, rel)
		}
	}
	return out, nil
}

// annotationRE matches a doctest annotation; the reason is required.
var annotationRE = regexp.MustCompile(`^<!--\s*doctest:\s*(\S+)\s*(.*?)\s*-->$`)

// shellLangs are the fence languages whose blocks hold commands.
var shellLangs = []string{"", "sh", "shell", "console", "bash"}

// docCommands extracts the raftcheck commands of one markdown file.
func docCommands(file, text string) ([]docCommand, error) {
	lines := strings.Split(text, "\n")
	var out []docCommand
	mode := modeRun
	annotated := 0 // line of a pending annotation
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if m := annotationRE.FindStringSubmatch(line); m != nil {
			if m[1] != modeParse && m[1] != modeSkip {
				return nil, fmt.Errorf("%s:%d: doctest mode %q: want parse or skip", file, i+1, m[1])
			}
			if m[2] == "" {
				return nil, fmt.Errorf("%s:%d: doctest %s without a reason", file, i+1, m[1])
			}
			mode, annotated = m[1], i+1
			continue
		}
		lang, isFence := strings.CutPrefix(line, "```")
		if !isFence {
			if annotated != 0 && line != "" {
				return nil, fmt.Errorf("%s:%d: doctest annotation not followed by a fenced block", file, annotated)
			}
			continue
		}
		end := i + 1
		for end < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[end]), "```") {
			end++
		}
		if slices.Contains(shellLangs, strings.TrimSpace(lang)) {
			cmds, err := blockCommands(file, i+2, lines[i+1:end], mode)
			if err != nil {
				return nil, err
			}
			out = append(out, cmds...)
		}
		mode, annotated, i = modeRun, 0, end
	}
	return out, nil
}

// blockCommands extracts the commands of one fenced block whose first line
// is line first of the file.
func blockCommands(file string, first int, block []string, mode string) ([]docCommand, error) {
	prompted := slices.ContainsFunc(block, func(l string) bool { return strings.HasPrefix(l, "$ ") })
	var out []docCommand
	for i := 0; i < len(block); i++ {
		n := first + i
		text := block[i]
		if prompted {
			var ok bool
			if text, ok = strings.CutPrefix(text, "$ "); !ok {
				continue
			}
		}
		for strings.HasSuffix(text, "\\") && i+1 < len(block) {
			i++
			text = strings.TrimSuffix(text, "\\") + " " + strings.TrimSpace(block[i])
		}
		if strings.TrimSpace(text) == "echo $?" {
			if len(out) > 0 && i+1 < len(block) {
				if code, err := strconv.Atoi(strings.TrimSpace(block[i+1])); err == nil {
					out[len(out)-1].want = code
				}
			}
			continue
		}
		c, ok, err := parseDocCommand(text)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, n, err)
		}
		if ok {
			c.file, c.line, c.mode = file, n, mode
			out = append(out, c)
		}
	}
	return out, nil
}

// programs are the names a documented command calls raftcheck by.
var programs = []string{"raftcheck", "./bin/raftcheck", "bin/raftcheck"}

// envRE matches a leading environment assignment.
var envRE = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*=`)

// parseDocCommand reads one command line: [VAR=value ...] [cd DIR &&]
// raftcheck ARGS [# comment]. ok is false for a line that does not call
// raftcheck (make, go, ls, output).
func parseDocCommand(text string) (c docCommand, ok bool, err error) {
	c.want = -1
	words := strings.Fields(text)
	if len(words) == 0 {
		return c, false, nil
	}
	if words[0] == "cd" && len(words) >= 3 && words[2] == "&&" {
		words = words[3:]
	}
	for len(words) > 0 && envRE.MatchString(words[0]) {
		words = words[1:]
	}
	if len(words) == 0 || !slices.Contains(programs, words[0]) {
		return c, false, nil
	}
	tokens, err := shellWords(text)
	if err != nil {
		return c, false, err
	}
	if len(tokens) >= 3 && tokens[0] == "cd" && tokens[2] == "&&" {
		c.dir, tokens = tokens[1], tokens[3:]
	}
	for len(tokens) > 0 && envRE.MatchString(tokens[0]) {
		c.env, tokens = append(c.env, tokens[0]), tokens[1:]
	}
	c.args = tokens[1:]
	return c, true, nil
}

// shellWords splits a command line as a POSIX shell would for the simple
// commands the docs show: words, '...' and "..." quoting, backslash escapes,
// and a # comment at the start of a word. Pipes, redirections, command
// substitution and other lists than "cd DIR &&" are refused: such an
// example must be annotated.
func shellWords(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case ch == ' ' || ch == '\t':
			if inWord {
				words, inWord = append(words, cur.String()), false
				cur.Reset()
			}
		case ch == '#' && !inWord:
			i = len(line)
		case ch == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated ' in %q", line)
			}
			cur.WriteString(line[i+1 : i+1+j])
			i, inWord = i+1+j, true
		case ch == '"':
			j := strings.IndexByte(line[i+1:], '"')
			if j < 0 {
				return nil, fmt.Errorf("unterminated \" in %q", line)
			}
			inner := line[i+1 : i+1+j]
			if strings.ContainsAny(inner, "$`\\") {
				return nil, fmt.Errorf("a \"...\" word with $, ` or \\ in %q: annotate the block (docs/doctest.md)", line)
			}
			cur.WriteString(inner)
			i, inWord = i+1+j, true
		case ch == '\\' && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
			inWord = true
		case ch == '&' && strings.HasPrefix(line[i:], "&&") && len(words) == 2 && words[0] == "cd" && !inWord:
			words = append(words, "&&")
			i++
		case strings.IndexByte("|&;<>()$`", ch) >= 0:
			return nil, fmt.Errorf("shell syntax %q in %q is more than the doc test runs: annotate the block (docs/doctest.md)", ch, line)
		default:
			cur.WriteByte(ch)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

func TestDocCommandParsing(t *testing.T) {
	for _, tc := range []struct {
		line string
		ok   bool
		env  []string
		dir  string
		args []string
	}{
		{line: "raftcheck run --seed 1   # a comment", ok: true, args: []string{"run", "--seed", "1"}},
		{line: `./bin/raftcheck run --store "" --name 'a b'`, ok: true, args: []string{"run", "--store", "", "--name", "a b"}},
		{line: "RAFTCHECK_SHARD=2/4 raftcheck sweep --seeds 1..20", ok: true, env: []string{"RAFTCHECK_SHARD=2/4"}, args: []string{"sweep", "--seeds", "1..20"}},
		{line: "cd histories/testdata && raftcheck check jepsen/*.log", ok: true, dir: "histories/testdata", args: []string{"check", "jepsen/*.log"}},
		{line: "make run    # one standard run", ok: false},
		{line: "go build -o bin/raftcheck ./cmd/raftcheck", ok: false},
		{line: "raftcheck: interrupt: finishing", ok: false},
	} {
		c, ok, err := parseDocCommand(tc.line)
		require.NoError(t, err, tc.line)
		assert.Equal(t, tc.ok, ok, tc.line)
		if ok {
			assert.Equal(t, tc.env, c.env, tc.line)
			assert.Equal(t, tc.dir, c.dir, tc.line)
			assert.Equal(t, tc.args, c.args, tc.line)
		}
	}
	for _, bad := range []string{"raftcheck run --json | jq .", "raftcheck run > out", "raftcheck run --seed $(date +%s)"} {
		_, _, err := parseDocCommand(bad)
		assert.Error(t, err, bad)
	}

	md := "<!-- doctest: parse takes minutes -->\n```\nraftcheck bugs --measure\n```\n\n" +
		"```\n$ raftcheck run --seed 1\nraftcheck output line\n$ echo $?\n0\n$ raftcheck sweep \\\n    --count 2\n```\n" +
		"```go\nraftcheck.Run(cfg)\n```\n"
	cmds, err := docCommands("x.md", md)
	require.NoError(t, err)
	require.Len(t, cmds, 3)
	assert.Equal(t, docCommand{file: "x.md", line: 3, mode: modeParse, args: []string{"bugs", "--measure"}, want: -1}, cmds[0])
	assert.Equal(t, docCommand{file: "x.md", line: 7, mode: modeRun, args: []string{"run", "--seed", "1"}, want: 0}, cmds[1])
	assert.Equal(t, docCommand{file: "x.md", line: 11, mode: modeRun, args: []string{"sweep", "--count", "2"}, want: -1}, cmds[2])

	_, err = docCommands("x.md", "<!-- doctest: skip -->\n```\nraftcheck run\n```\n")
	assert.ErrorContains(t, err, "without a reason")
	_, err = docCommands("x.md", "<!-- doctest: parse slow -->\n\ntext\n```\nraftcheck run\n```\n")
	assert.ErrorContains(t, err, "not followed by a fenced block")
}
