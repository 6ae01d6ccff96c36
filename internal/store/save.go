package store

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/checker/report"
	"github.com/raftcheck/raftcheck/histories"
)

// Run is what one run's directory holds.
type Run struct {
	History histories.History       // history.jsonl and history.edn
	LinPage func(w io.Writer) error // linearizability.html
	// FullPage writes porcupine's page of the whole history
	// (checker.PorcupineFile); nil: none.
	FullPage func(w io.Writer) error
	Report   *report.Run // timeline.html, latency.svg, rate.svg, summary.txt
	// Results is written as results.json, last: its presence marks a
	// complete run directory.
	Results any
}

// Save writes r into dir (reserved by MakeRunDir under root): every file
// into its partial directory, results.json last, then renames it to dir and
// points <root>/latest at it. On an error before the rename the partial
// directory is removed: no run directory appears.
func Save(root, dir string, r Run) error {
	part := PartialDir(dir)
	if err := writeRun(part, r); err != nil {
		os.RemoveAll(part)
		return err
	}
	if err := os.Rename(part, dir); err != nil {
		os.RemoveAll(part)
		return fmt.Errorf("store: %w", err)
	}
	return linkLatest(root, dir)
}

// SaveInPlace writes r's files into dir, which exists already (a live run
// keeps its nodes' working directories and logs there while it runs), with
// results.json last, and points root/latest at it.
func SaveInPlace(root, dir string, r Run) error {
	if err := writeRun(dir, r); err != nil {
		return err
	}
	return linkLatest(root, dir)
}

// writeRun writes r's files into dir, results.json last.
func writeRun(dir string, r Run) error {
	if err := writeFileAtomic(filepath.Join(dir, "history.jsonl"), func(w *bufio.Writer) error {
		return histories.Write(w, r.History, histories.JSONL)
	}); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, "history.edn"), func(w *bufio.Writer) error {
		return histories.Write(w, r.History, histories.EDN)
	}); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, "linearizability.html"), func(w *bufio.Writer) error {
		return r.LinPage(w)
	}); err != nil {
		return err
	}
	if r.FullPage != nil {
		if err := writeFileAtomic(filepath.Join(dir, checker.PorcupineFile), func(w *bufio.Writer) error {
			return r.FullPage(w)
		}); err != nil {
			return err
		}
	}
	if err := report.WriteAll(dir, r.Report); err != nil {
		return fmt.Errorf("store: reports: %w", err)
	}
	return writeFileAtomic(filepath.Join(dir, "results.json"), func(w *bufio.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r.Results)
	})
}
