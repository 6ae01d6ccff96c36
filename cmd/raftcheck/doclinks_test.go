package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The documentation is README.md and docs/*.md at the module root. These
// tests keep it honest: every relative link and #anchor resolves
// (TestDocLinks), and every raftcheck command it shows still runs
// (TestDocCommands, docs_test.go).

// moduleDir is the module root, seen from this package's directory.
const moduleDir = "../.."

// docFiles returns the documentation files, relative to the module root:
// README.md first, then docs/*.md in name order.
func docFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(moduleDir, "docs", "*.md"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no docs/*.md")
	out := []string{"README.md"}
	for _, f := range files {
		rel, err := filepath.Rel(moduleDir, f)
		require.NoError(t, err)
		out = append(out, rel)
	}
	return out
}

// mdLine is one line of a markdown file outside its fenced code blocks.
type mdLine struct {
	n    int // 1-based
	text string
}

// proseLines returns the lines of a markdown text that are not inside a
// fenced code block (``` fences).
func proseLines(text string) []mdLine {
	var out []mdLine
	fence := false
	for i, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fence = !fence
			continue
		}
		if !fence {
			out = append(out, mdLine{i + 1, line})
		}
	}
	return out
}

// headingRE matches an ATX heading.
var headingRE = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)

// anchors returns the anchors GitHub gives the headings of a markdown
// text: the heading lowercased, every character that is not a letter, a
// digit, a space, '-' or '_' dropped, spaces turned into '-'; a repeated
// anchor gets -1, -2, ...
func anchors(text string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	for _, l := range proseLines(text) {
		m := headingRE.FindStringSubmatch(l.text)
		if m == nil {
			continue
		}
		a := slug(m[1])
		if k := seen[a]; k > 0 {
			out[a+"-"+strconv.Itoa(k)] = true
		} else {
			out[a] = true
		}
		seen[a]++
	}
	return out
}

// slug is GitHub's anchor of one heading's text.
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// linkRE matches an inline link or image target: [text](target) or
// ![alt](target), with an optional "title".
var linkRE = regexp.MustCompile(`\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)

// inlineCodeRE matches inline code spans, whose brackets are not links.
var inlineCodeRE = regexp.MustCompile("`[^`]*`")

func TestSlug(t *testing.T) {
	for heading, want := range map[string]string{
		"Quick start":                        "quick-start",
		"The `raftcheck` command":            "the-raftcheck-command",
		"Exit codes (Jepsen's)":              "exit-codes-jepsens",
		"The Raft under test: `--raft`":      "the-raft-under-test---raft",
		"Raft ↔ storage contract":            "raft--storage-contract",
		"`raftcheck faults`, `scenarios`":    "raftcheck-faults-scenarios",
		"Live mode: testing real node procs": "live-mode-testing-real-node-procs",
	} {
		assert.Equal(t, want, slug(heading), heading)
	}
	got := anchors("# A\n## A\n```\n# not a heading\n```\n### A\n")
	assert.Equal(t, map[string]bool{"a": true, "a-1": true, "a-2": true}, got)
}

// TestDocLinks: every relative link and image in README.md and docs/*.md
// names a file or directory that exists, and every #anchor names a heading
// of the file it points into. Links to the web are not fetched.
func TestDocLinks(t *testing.T) {
	texts := map[string]string{}
	read := func(rel string) (string, bool) {
		if s, ok := texts[rel]; ok {
			return s, true
		}
		raw, err := os.ReadFile(filepath.Join(moduleDir, rel))
		if err != nil {
			return "", false
		}
		texts[rel] = string(raw)
		return texts[rel], true
	}
	checked := 0
	for _, file := range docFiles(t) {
		text, ok := read(file)
		require.True(t, ok, file)
		for _, l := range proseLines(text) {
			for _, m := range linkRE.FindAllStringSubmatch(inlineCodeRE.ReplaceAllString(l.text, ""), -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				checked++
				where := file + ":" + strconv.Itoa(l.n) + ": " + target
				path, anchor, _ := strings.Cut(target, "#")
				rel := file
				if path != "" {
					rel = filepath.Clean(filepath.Join(filepath.Dir(file), path))
					_, err := os.Stat(filepath.Join(moduleDir, rel))
					if !assert.NoError(t, err, "%s: the link's target does not exist", where) {
						continue
					}
				}
				if anchor == "" {
					continue
				}
				if !assert.True(t, strings.HasSuffix(rel, ".md"), "%s: an anchor into a file that is not markdown", where) {
					continue
				}
				target, ok := read(rel)
				require.True(t, ok, where)
				assert.True(t, anchors(target)[anchor], "%s: %s has no heading with anchor #%s", where, rel, anchor)
			}
		}
	}
	assert.Greater(t, checked, 20, "the docs' links were not found: is the link pattern still right?")
}
