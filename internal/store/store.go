// Package store writes the result store: <root>/<name>/<timestamp>-seed<seed>/
// holds one run's files and <root>/latest links to the newest run. It knows
// file layout and atomic writes only; what goes in the files is the caller's.
package store

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"
)

// The result store: <root>/<name>/<timestamp>-seed<seed>/ holds one run's files
// (results.json, history.jsonl, history.edn, linearizability.html,
// timeline.html, latency.svg, rate.svg, summary.txt);
// <root>/latest links to the newest run. Every file is written to a temporary
// name and renamed into place, so a reader never sees half a report.

// storeTimeFormat sorts lexically in time order and is safe in file names.
const storeTimeFormat = "20060102T150405.000000000Z"

// maxRunDirTries bounds the search for a free run directory name.
const maxRunDirTries = 100

// MakeRunDir reserves the directory for one run and returns its path. The
// directory itself appears only when Save completes: until then the run's
// files are written into a hidden sibling (PartialDir), so a run that fails
// or is interrupted while writing leaves no empty or half-written run
// directory. Two runs of one seed starting in the same nanosecond (parallel
// processes sharing a store) get distinct directories: the second gets a
// "-2" suffix, and so on.
func MakeRunDir(root, name string, seed uint64, now time.Time) (string, error) {
	parent := filepath.Join(root, name)
	base := filepath.Join(parent, fmt.Sprintf("%s-seed%d", now.UTC().Format(storeTimeFormat), seed))
	dir := base
	for try := 1; try <= maxRunDirTries; try++ {
		err := reserve(parent, dir)
		if err == nil {
			return dir, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("store: %w", err)
		}
		dir = fmt.Sprintf("%s-%d", base, try+1)
	}
	return "", fmt.Errorf("store: %s: %d directories of that name exist", base, maxRunDirTries)
}

// reserve claims dir by creating its partial directory, unless dir exists
// already (fs.ErrExist either way when taken).
func reserve(parent, dir string) error {
	if _, err := os.Lstat(dir); err == nil {
		return fs.ErrExist
	}
	err := os.Mkdir(PartialDir(dir), 0o755)
	if errors.Is(err, fs.ErrNotExist) {
		// The parent is missing (first run of this name), or a Check of
		// another process removed it as this one made it: make it again.
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return err
		}
		err = os.Mkdir(PartialDir(dir), 0o755)
	}
	return err
}

// PartialDir is where Save writes the files of the run directory dir
// before renaming it into place: a hidden sibling, which `raftcheck serve`
// and readers of the store skip.
func PartialDir(dir string) string {
	return filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".partial")
}

// Discard removes what a reserved run directory holds so far, for a run
// that will not be saved after all.
func Discard(dir string) error {
	return os.RemoveAll(PartialDir(dir))
}

// Check reports whether a run named name could be stored under root, before
// it runs: the nearest of root/name, root and their parents that exists is
// a directory, and a file can be written in it. It makes no directory (a
// passing sweep writes nothing, and runs checking side by side must not
// remove what another is making) and leaves nothing behind.
func Check(root, name string) error {
	p := filepath.Join(root, name)
	for {
		fi, err := os.Stat(p)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("store: %s is not a directory", p)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return fmt.Errorf("store: %w", err)
		}
		if filepath.Dir(p) == p {
			return fmt.Errorf("store: %w", err)
		}
		p = filepath.Dir(p)
	}
	f, err := os.CreateTemp(p, ".write-test*")
	if err != nil {
		return fmt.Errorf("store: cannot write in %s: %w", p, err)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// writeFileAtomic writes path through a buffered, synced temp file and renames it into place.
func writeFileAtomic(path string, write func(w *bufio.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	bw := bufio.NewWriterSize(tmp, 64<<10)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		// CreateTemp makes the file private (0600); run files are meant to be
		// shared (CI artifacts, `raftcheck serve`), like the reports beside them.
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		// Sync before the rename, or a machine crash could leave the new name
		// pointing at an empty file.
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// latestSeq makes the temporary link names of concurrent linkLatest calls in
// one process distinct (the pid tells processes apart).
var latestSeq atomic.Uint64

// linkLatest points <root>/latest at dir (atomically: a new link renamed over
// the old). Concurrent runs sharing a store each leave a valid link; the last
// rename wins.
func linkLatest(root, dir string) error {
	rel, err := filepath.Rel(root, dir)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	tmp := filepath.Join(root, fmt.Sprintf(".latest.tmp%d.%d", os.Getpid(), latestSeq.Add(1)))
	if err := os.Symlink(rel, tmp); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(root, "latest")); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// WriteFile writes path atomically (through a synced temp file renamed into
// place): a file of its own that a command adds to a run directory.
func WriteFile(path string, write func(w *bufio.Writer) error) error {
	return writeFileAtomic(path, write)
}
