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
	if err := r.Validate(); err != nil {
		return err
	}
	files := []struct {
		name  string
		write func(io.Writer, *Run) error
	}{
		{SummaryFile, WriteSummary},
		{LatencyFile, WriteLatencyPlot},
		{RateFile, WriteRatePlot},
		{TimelineFile, WriteTimeline},
	}
	for _, f := range files {
		if err := writeFileAtomic(filepath.Join(dir, f.name), func(w io.Writer) error { return f.write(w, r) }); err != nil {
			return err
		}
	}
	return nil
}

// writeFileAtomic writes path through a temporary sibling, synced and
// renamed over path; on any error the temporary file is removed.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("report: %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, removeIfExists(tmp.Name()))
		}
	}()
	bw := bufio.NewWriterSize(tmp, 64<<10)
	if err = write(bw); err != nil {
		tmp.Close()
		return fmt.Errorf("report: %s: %w", path, err)
	}
	if err = bw.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("report: %s: %w", path, err)
	}
	if err = tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("report: %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("report: %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("report: %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("report: %s: %w", path, err)
	}
	return nil
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
