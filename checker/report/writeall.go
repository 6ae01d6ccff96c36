package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Names of the files WriteAll writes.
const (
	TimelineFile = "timeline.html"
	LatencyFile  = "latency.svg"
	RateFile     = "rate.svg"
	SummaryFile  = "summary.txt"
)

// WriteAll writes summary.txt, latency.svg, rate.svg and timeline.html into
// dir, which must exist. Each file is written to a temporary file in dir
// and renamed into place, so a reader never sees a half-written report and
// a failure leaves any earlier version intact. It stops at the first error.
func WriteAll(dir string, r *Run) error {
	p, err := prepare(r)
	if err != nil {
		return err
	}
	plots := newPlotInputs(p)
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{SummaryFile, func(w io.Writer) error { return writeSummary(w, r) }},
		{LatencyFile, plots.writeLatency},
		{RateFile, plots.writeRate},
		{TimelineFile, p.writeTimeline},
	}
	for _, f := range files {
		if err := writeFileAtomic(filepath.Join(dir, f.name), f.write); err != nil {
			return err
		}
	}
	return nil
}

// writeFileAtomic writes path through a temporary sibling, synced and
// renamed over path; on any error the temporary file is removed.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("report: %s: %w", path, err)
	}
	err = fill(tmp, write)
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return errors.Join(fmt.Errorf("report: %s: %w", path, err), removeIfExists(tmp.Name()))
	}
	return nil
}

// fill writes f through a buffer, makes it readable by all (CreateTemp
// makes it private; reports are meant to be shared), syncs it so that the
// rename never exposes an empty file after a machine crash, and closes it.
func fill(f *os.File, write func(io.Writer) error) error {
	bw := bufio.NewWriterSize(f, 64<<10)
	err := write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
