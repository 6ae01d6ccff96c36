package histories

import (
	"bytes"
	"io"
	"testing"
)

// benchHistory is a 10k-op history shaped like a run (5 nodes, 10 clients).
func benchHistory(b *testing.B) History {
	b.Helper()
	return simulateHistory(10_000, 10, 5, true, 42)
}

func benchmarkWrite(b *testing.B, f Format) {
	h := benchHistory(b)
	var buf bytes.Buffer
	if err := Write(&buf, h, f); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(io.Discard, h, f); err != nil {
			b.Fatal(err)
		}
	}
}

func benchmarkRead(b *testing.B, f Format) {
	h := benchHistory(b)
	var buf bytes.Buffer
	if err := Write(&buf, h, f); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		got, _, err := Parse(data, "bench", f)
		if err != nil || len(got) != len(h) {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteJSONL10k(b *testing.B) { benchmarkWrite(b, JSONL) }
func BenchmarkWriteEDN10k(b *testing.B)   { benchmarkWrite(b, EDN) }
func BenchmarkReadJSONL10k(b *testing.B)  { benchmarkRead(b, JSONL) }
func BenchmarkReadEDN10k(b *testing.B)    { benchmarkRead(b, EDN) }

// BenchmarkReadEtcdLogs reads all 80 shipped etcd logs.
func BenchmarkReadEtcdLogs(b *testing.B) {
	files := etcdLogFilesB(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, data := range files {
			if _, _, err := Parse(data, "bench", EtcdLog); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkValidate10k(b *testing.B) {
	h := benchHistory(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := Validate(h); err != nil {
			b.Fatal(err)
		}
	}
}
