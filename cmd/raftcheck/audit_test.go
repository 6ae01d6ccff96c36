package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCheckInputMessages: bad history files are reported naming the file and
// line, with the values as written (exit 254); an empty etcd log needs no
// --model (etcd logs are always the register model).
func TestCheckInputMessages(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
		return name
	}
	hdr := `{"raftcheck_history":1}` + "\n"
	for _, c := range []struct {
		name, text string
		args       []string
		code       int
		want       string
	}{
		{"big.edn", "{:process 0, :type :invoke, :f :write, :value 99999999999999999999, :time 1}\n", nil, exitUsage,
			`big.edn:1: integer "99999999999999999999" does not fit in 64 bits`},
		{"float.jsonl", hdr + `{"process":0,"type":"invoke","f":"write","value":1.5,"time":1}` + "\n", nil, exitUsage,
			`float.jsonl:2: field "value": expected an integer, got the non-integer number "1.5"` + "\n"},
		{"nested.jsonl", hdr + `{"process":0,"type":"invoke","f":"write","value":[1,[2,[3]]],"time":1}` + "\n", []string{"--model", "register"}, exitUsage,
			"op 0: write of the list [1 [2 [3]]], want an integer"},
		{"str.jsonl", hdr + `{"process":0,"type":"invoke","f":"write","value":"1","time":1}` + "\n", []string{"--model", "register"}, exitUsage,
			`op 0: write of the string "1", want an integer`},
		{"keyed.edn", "{:process 0, :type :invoke, :f :write, :key \"a\", :value 1}\n{:process 0, :type :ok, :f :write, :key \"a\", :value 1}\n", nil, exitValid,
			"VALID    keyed.edn (edn, model register"},
		{"empty.log", "", []string{"--format", "etcd-log"}, exitValid, "VALID    empty.log (etcd-log, model register"},
	} {
		t.Run(c.name, func(t *testing.T) {
			file := write(c.name, c.text)
			r := cli(t, dir, nil, append(append([]string{"check"}, c.args...), file)...)
			assert.Equal(t, c.code, r.code, "%s", r)
			assert.Contains(t, r.stdout+r.stderr, c.want)
			assert.NotContains(t, r.stderr, "interface {}")
			assert.NotContains(t, r.stderr, "cannot detect")
		})
	}
}
