package report

import (
	"io"
	"testing"
)

// countingWriter counts what a writer produces, so benchmarks can report
// file sizes.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// BenchmarkWriters writes each report of the 70 s test run (about 6,000
// ops and 80k messages) and reports its size.
func BenchmarkWriters(b *testing.B) {
	r := testRun()
	for _, bc := range []struct {
		name  string
		write func(io.Writer, *Run) error
	}{
		{"timeline", WriteTimeline},
		{"latency", WriteLatencyPlot},
		{"rate", WriteRatePlot},
		{"summary", WriteSummary},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var size int64
			for b.Loop() {
				var c countingWriter
				if err := bc.write(&c, r); err != nil {
					b.Fatal(err)
				}
				size = c.n
			}
			b.ReportMetric(float64(size)/1e6, "MB/file")
		})
	}
}

// BenchmarkWriteAll writes every report into a directory, atomically.
func BenchmarkWriteAll(b *testing.B) {
	r := testRun()
	dir := b.TempDir()
	for b.Loop() {
		if err := WriteAll(dir, r); err != nil {
			b.Fatal(err)
		}
	}
}
