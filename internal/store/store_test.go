package store

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLinkLatestConcurrent: runs sharing a store in one process (a sweep
// with --keep-all) all relink latest at once; every call succeeds, latest
// ends at one of the runs and no temporary link is left behind.
func TestLinkLatestConcurrent(t *testing.T) {
	root := t.TempDir()
	const workers, each = 8, 25
	now := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	dirs := make(chan string, workers*each)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				dir, err := MakeRunDir(root, "run", uint64(w), now) // same name for every i: suffixed
				if err != nil {
					errs <- err
					continue
				}
				dirs <- dir
				errs <- linkLatest(root, dir)
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	close(dirs)
	for err := range errs {
		require.NoError(t, err)
	}
	seen := map[string]bool{}
	for d := range dirs {
		require.False(t, seen[d], "%s handed out twice", d)
		seen[d] = true
	}
	assert.Len(t, seen, workers*each)
	target, err := os.Readlink(filepath.Join(root, "latest"))
	require.NoError(t, err)
	assert.True(t, seen[filepath.Join(root, target)], "latest -> %s is one of the runs", target)
	leftovers, err := filepath.Glob(filepath.Join(root, ".latest*"))
	require.NoError(t, err)
	assert.Empty(t, leftovers)
}

// TestMakeRunDirNames: the documented layout, and a second run of the same
// seed in the same nanosecond gets its own directory.
func TestMakeRunDirNames(t *testing.T) {
	root := t.TempDir()
	now := time.Date(2026, 11, 27, 11, 27, 14, 737840188, time.UTC)
	a, err := MakeRunDir(root, "run", 7, now)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(root, "run", "20261127T112714.737840188Z-seed7"), a)
	b, err := MakeRunDir(root, "run", 7, now)
	require.NoError(t, err)
	assert.Equal(t, a+"-2", b)
	assert.DirExists(t, PartialDir(b), "reserved by its partial directory")
	assert.NoDirExists(t, b, "the run directory appears only when saved")
}

// TestWriteFileAtomic: the file appears whole with shareable permissions; a
// failed write leaves neither the file nor a temporary behind.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "results.json")
	require.NoError(t, writeFileAtomic(path, func(w *bufio.Writer) error {
		_, err := w.WriteString("{}\n")
		return err
	}))
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "{}\n", string(raw))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())

	boom := errors.New("boom")
	other := filepath.Join(dir, "history.jsonl")
	err = writeFileAtomic(other, func(w *bufio.Writer) error {
		_, _ = w.WriteString("half")
		return boom
	})
	require.ErrorIs(t, err, boom)
	assert.NoFileExists(t, other)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "only results.json: no temporary file left")
}

// TestSaveFailureLeavesNoRunDir: a run whose files cannot all be written
// (here its linearizability page fails half way) leaves neither its run
// directory nor the partial one: an interrupted write is never mistaken
// for a run.
func TestSaveFailureLeavesNoRunDir(t *testing.T) {
	root := t.TempDir()
	dir, err := MakeRunDir(root, "run", 1, time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC))
	require.NoError(t, err)
	boom := errors.New("boom")
	err = Save(root, dir, Run{LinPage: func(w io.Writer) error {
		_, _ = w.Write([]byte("<html>half"))
		return boom
	}})
	require.ErrorIs(t, err, boom)
	assert.NoDirExists(t, dir)
	assert.NoDirExists(t, PartialDir(dir))
	entries, err := os.ReadDir(filepath.Join(root, "run"))
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing left under the run's name")
	assert.NoFileExists(t, filepath.Join(root, "latest"))
}

// TestCheck: a store that can take a run passes and is left as it was
// found; one that cannot is an error naming the path.
func TestCheck(t *testing.T) {
	t.Run("missing store", func(t *testing.T) {
		root := filepath.Join(t.TempDir(), "a", "store")
		require.NoError(t, Check(root, "run"))
		assert.NoDirExists(t, filepath.Dir(root), "the check makes no directory")
	})
	t.Run("existing store", func(t *testing.T) {
		root := t.TempDir()
		require.NoError(t, Check(root, "run"))
		entries, err := os.ReadDir(root)
		require.NoError(t, err)
		assert.Empty(t, entries)
	})
	t.Run("existing name kept", func(t *testing.T) {
		root := t.TempDir()
		require.NoError(t, os.Mkdir(filepath.Join(root, "run"), 0o755))
		require.NoError(t, Check(root, "run"))
		assert.DirExists(t, filepath.Join(root, "run"))
	})
	t.Run("store is a file", func(t *testing.T) {
		root := filepath.Join(t.TempDir(), "f")
		require.NoError(t, os.WriteFile(root, nil, 0o644))
		err := Check(root, "run")
		require.Error(t, err)
		assert.Contains(t, err.Error(), root+" is not a directory")
	})
	t.Run("name is a file", func(t *testing.T) {
		root := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(root, "run"), nil, 0o644))
		err := Check(root, "run")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "is not a directory")
	})
	t.Run("unwritable", func(t *testing.T) {
		if _, err := os.Stat("/proc/self"); err != nil {
			t.Skip("needs /proc: a directory no file can be created in")
		}
		err := Check("/proc/raftcheck-store", "run")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "cannot write in /proc")
	})
}

// TestLatestIsTheLastToFinish: latest follows the last run to finish
// writing, not the latest start (in a parallel sweep the two differ), and
// docs/reports.md says so rather than "the newest run".
func TestLatestIsTheLastToFinish(t *testing.T) {
	root := t.TempDir()
	early := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	late, err := MakeRunDir(root, "run", 2, early.Add(time.Second))
	require.NoError(t, err)
	first, err := MakeRunDir(root, "run", 1, early)
	require.NoError(t, err)
	require.NoError(t, linkLatest(root, late))
	require.NoError(t, linkLatest(root, first)) // started first, finished last
	target, err := os.Readlink(filepath.Join(root, "latest"))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join("run", filepath.Base(first)), target)

	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "reports.md"))
	require.NoError(t, err)
	text := strings.Join(strings.Fields(string(doc)), " ") // sentences wrap
	assert.Contains(t, text, "points at the last run to finish")
	assert.NotContains(t, text, "points at the newest run")
}
