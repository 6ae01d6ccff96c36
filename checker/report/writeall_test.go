package report

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteAll(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, WriteAll(dir, testRun()))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		info, err := e.Info()
		require.NoError(t, err)
		assert.Positive(t, info.Size(), e.Name())
		assert.Equal(t, os.FileMode(0o644), info.Mode().Perm(), e.Name())
	}
	assert.ElementsMatch(t, []string{TimelineFile, LatencyFile, RateFile, SummaryFile}, names, "exactly the reports, no temporary files left")

	page, err := os.ReadFile(filepath.Join(dir, TimelineFile))
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(string(page), "</html>\n"), "complete page")
	for _, svg := range []string{LatencyFile, RateFile} {
		doc, err := os.ReadFile(filepath.Join(dir, svg))
		require.NoError(t, err)
		svgTexts(t, doc)
	}
}

func TestWriteAllErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no", "such", "dir")
	err := WriteAll(missing, testRun())
	require.Error(t, err)
	assert.Contains(t, err.Error(), filepath.Join(missing, SummaryFile), "the error names the file")

	r := testRun()
	r.Nodes = nil
	dir := t.TempDir()
	require.Error(t, WriteAll(dir, r))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "an invalid run writes nothing")
}

// TestWriteFileAtomic: a failed write leaves the previous file untouched
// and no temporary file behind; a successful one replaces it whole.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, TimelineFile)
	require.NoError(t, os.WriteFile(path, []byte("previous report"), 0o644))

	boom := errors.New("boom")
	err := writeFileAtomic(path, func(w io.Writer) error {
		_, _ = io.WriteString(w, strings.Repeat("half a page ", 20000)) // past the buffer: bytes reach the temp file
		return boom
	})
	require.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), path)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "previous report", string(got), "the old file survives a failed write")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left behind")

	require.NoError(t, writeFileAtomic(path, func(w io.Writer) error {
		_, err := io.WriteString(w, "new report")
		return err
	}))
	got, err = os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "new report", string(got))
	entries, err = os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1)
}
