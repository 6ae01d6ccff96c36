package histories

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// checkReadResult is what every reader must guarantee for any input: an error
// is a *ParseError; an accepted history re-encodes in every writable format
// and reads back equal.
func checkReadResult(t *testing.T, h History, err error) {
	t.Helper()
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error is not a *ParseError: %v", err)
		}
		return
	}
	for _, f := range []Format{JSONL, EDN} {
		var buf bytes.Buffer
		if err := Write(&buf, h, f); err != nil {
			t.Fatalf("accepted history does not write as %v: %v", f, err)
		}
		again, _, err := Parse(buf.Bytes(), "rewrite", f)
		if err != nil {
			t.Fatalf("%v rewrite does not read back: %v\n%s", f, err, buf.Bytes())
		}
		if d := Diff(h, again); d != "" {
			t.Fatalf("%v rewrite reads back different: %s", f, d)
		}
	}
}

func addFileSeeds(f *testing.F, pattern string) {
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed files match %s", pattern)
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func addWrittenSeeds(f *testing.F, format Format) {
	for _, h := range []History{awkwardHistory(), simulateHistory(60, 4, 3, true, 7)} {
		var buf bytes.Buffer
		if err := Write(&buf, h, format); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
}

func fuzzFormat(f *testing.F, format Format) {
	f.Fuzz(func(t *testing.T, data []byte) {
		h, _, err := Parse(data, "fuzz", format)
		checkReadResult(t, h, err)
	})
}

func FuzzReadJSONL(f *testing.F) {
	addWrittenSeeds(f, JSONL)
	f.Add([]byte("{\"raftcheck_history\":1,\"meta\":{\"a\":[1.5,true,null]}}\n{\"process\":\"nemesis\",\"type\":\"info\",\"f\":\"x\",\"value\":[\"\\ud83d\\ude42\"]}"))
	f.Add([]byte("{\"raftcheck_history\":2}"))
	fuzzFormat(f, JSONL)
}

func FuzzReadEDN(f *testing.F) {
	addWrittenSeeds(f, EDN)
	addFileSeeds(f, "testdata/edn/*.edn")
	f.Add([]byte("[{:process 0, :type :invoke, :f :put, :key 3, :value [3 #_ 9 (1 :a)]}]\n; end"))
	f.Add([]byte(`{:process :nemesis, :type :info, :f "s", :value #{1.5 #inst "x"}, :error [:e "\u00e9"]}`))
	fuzzFormat(f, EDN)
}

func FuzzReadEtcdLog(f *testing.F) {
	addFileSeeds(f, filepath.Join(porcupineData, "jepsen", "etcd_00*.log"))
	f.Add([]byte("INFO  jepsen.util - 2\t:invoke\t:write\t4\nINFO  jepsen.util - 2\t:info\t:write\t:timed-out\n"))
	f.Add([]byte("INFO  jepsen.util - 1\t:invoke\t:read\tnil\nINFO  jepsen.util - 1\t:fail\t:read\t:timed-out"))
	fuzzFormat(f, EtcdLog)
}

func FuzzReadKnossos(f *testing.F) {
	addFileSeeds(f, "testdata/knossos/*.edn")
	f.Add([]byte(`{:process 1, :type :ok, :f :get, :key "9", :value ""}`))
	fuzzFormat(f, KnossosKV)
}

// FuzzDetect: detection never panics and a detected format is one Parse knows.
func FuzzDetect(f *testing.F) {
	addWrittenSeeds(f, JSONL)
	addWrittenSeeds(f, EDN)
	addFileSeeds(f, "testdata/knossos/*.edn")
	f.Fuzz(func(t *testing.T, data []byte) {
		format, err := Detect(data)
		if err != nil {
			return
		}
		h, _, err := Parse(data, "fuzz", format)
		checkReadResult(t, h, err)
	})
}
