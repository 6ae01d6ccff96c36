package raftcheck

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// The result store: <root>/<name>/<timestamp>-seed<seed>/ holds one run's files;
// <root>/latest links to the newest run. Every file is written to a temporary
// name and renamed into place, so a reader never sees half a report.

// storeTimeFormat sorts lexically in time order and is safe in file names.
const storeTimeFormat = "20060102T150405.000000000Z"

// makeRunDir creates the directory for one run.
func makeRunDir(root, name string, seed uint64, now time.Time) (string, error) {
	dir := filepath.Join(root, name, fmt.Sprintf("%s-seed%d", now.UTC().Format(storeTimeFormat), seed))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	return dir, nil
}

// writeFileAtomic writes path through a buffered temp file and renames it into place.
func writeFileAtomic(path string, write func(w *bufio.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	bw := bufio.NewWriterSize(tmp, 64<<10)
	if err := write(bw); err != nil {
		tmp.Close()
		return fmt.Errorf("store: writing %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("store: writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("store: writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// linkLatest points <root>/latest at dir (atomically: a new link renamed over the old).
func linkLatest(root, dir string) error {
	rel, err := filepath.Rel(root, dir)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	tmp := filepath.Join(root, fmt.Sprintf(".latest.tmp%d", os.Getpid()))
	_ = os.Remove(tmp)
	if err := os.Symlink(rel, tmp); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(root, "latest")); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store: %w", err)
	}
	return nil
}
