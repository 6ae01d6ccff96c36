package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"path/filepath"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/internal/live/maelstrom"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testNode runs the node's loop in-process on pipes.
type testNode struct {
	t    *testing.T
	in   *io.PipeWriter
	out  chan []byte
	done chan error
	id   int
}

func startNode(t *testing.T, dir string, args ...string) *testNode {
	t.Helper()
	var stderr bytes.Buffer
	cfg, err := parseFlags(append([]string{"--node-dir", dir, "--tick", "2ms", "--election-ticks", "5", "--heartbeat-ticks", "1"}, args...), &stderr)
	require.NoError(t, err, stderr.String())
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	n := &testNode{t: t, in: inW, out: make(chan []byte, 100), done: make(chan error, 1)}
	logger := log.New(io.Discard, "", 0)
	go func() {
		err := run(cfg, inR, outW, logger)
		outW.Close()
		n.done <- err
	}()
	go func() {
		s := bufio.NewScanner(outR)
		for s.Scan() {
			n.out <- append([]byte(nil), s.Bytes()...)
		}
		close(n.out)
	}()
	t.Cleanup(func() { n.stop() })
	return n
}

func (n *testNode) stop() error {
	n.in.Close()
	select {
	case err := <-n.done:
		n.done <- err
		return err
	case <-time.After(10 * time.Second):
		n.t.Fatal("the node did not stop at the end of stdin")
		return nil
	}
}

func (n *testNode) send(body string) {
	n.t.Helper()
	n.id++
	line := fmt.Sprintf(`{"src":"c1","dest":"n0","body":%s}`, body)
	_, err := n.in.Write([]byte(line + "\n"))
	require.NoError(n.t, err)
}

// reply waits (bounded) for the next line and returns its body.
func (n *testNode) reply() map[string]any {
	n.t.Helper()
	select {
	case line, ok := <-n.out:
		require.True(n.t, ok, "stdout closed")
		var m struct {
			Src, Dest string
			Body      map[string]any
		}
		require.NoError(n.t, json.Unmarshal(line, &m), "%s", line)
		return m.Body
	case <-time.After(20 * time.Second):
		n.t.Fatal("no reply within 20s")
		return nil
	}
}

// call sends body until the node, once elected, answers it otherwise than
// with code 11; returns the answer.
func (n *testNode) call(body string) map[string]any {
	n.t.Helper()
	for range 12000 { // a minute of polling: a hang guard a loaded machine cannot reach
		n.send(body)
		r := n.reply()
		if r["type"] == "error" && r["code"] == float64(maelstrom.TemporarilyUnavailable) {
			time.Sleep(5 * time.Millisecond)
			continue
		}
		return r
	}
	n.t.Fatal("never elected")
	return nil
}

func initBody(id string, ids ...string) string {
	b, _ := json.Marshal(maelstrom.InitBody{Type: "init", MsgID: 1, NodeID: id, NodeIDs: ids})
	return string(b)
}

func TestSingleNodeLinKV(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, dir)
	n.send(`{"type":"read","msg_id":1,"key":1}`)
	r := n.reply()
	assert.Equal(t, float64(11), r["code"], "before init: temporarily unavailable")

	n.send(initBody("n0", "n0"))
	r = n.reply()
	require.Equal(t, "init_ok", r["type"])
	assert.Equal(t, float64(1), r["in_reply_to"])

	for _, tc := range []struct {
		name, req string
		want      map[string]any
	}{
		{"read missing", `{"type":"read","msg_id":2,"key":1}`, map[string]any{"type": "error", "code": float64(20)}},
		{"write int", `{"type":"write","msg_id":3,"key":1,"value":4}`, map[string]any{"type": "write_ok"}},
		{"read int", `{"type":"read","msg_id":4,"key":1}`, map[string]any{"type": "read_ok", "value": float64(4)}},
		{"string key is another key", `{"type":"read","msg_id":5,"key":"1"}`, map[string]any{"type": "error", "code": float64(20)}},
		{"cas mismatch", `{"type":"cas","msg_id":6,"key":1,"from":5,"to":6}`, map[string]any{"type": "error", "code": float64(22)}},
		{"cas missing key", `{"type":"cas","msg_id":7,"key":9,"from":5,"to":6}`, map[string]any{"type": "error", "code": float64(20)}},
		{"cas to a string", `{"type":"cas","msg_id":8,"key":1,"from":4,"to":"x y"}`, map[string]any{"type": "cas_ok"}},
		{"read keeps the JSON type", `{"type":"read","msg_id":9,"key":1}`, map[string]any{"type": "read_ok", "value": "x y"}},
		{"not supported", `{"type":"txn","msg_id":10}`, map[string]any{"type": "error", "code": float64(10)}},
		{"no key", `{"type":"read","msg_id":11}`, map[string]any{"type": "error", "code": float64(12)}},
		{"no value", `{"type":"write","msg_id":12,"key":1}`, map[string]any{"type": "error", "code": float64(12)}},
	} {
		r := n.call(tc.req)
		var req map[string]any
		require.NoError(t, json.Unmarshal([]byte(tc.req), &req))
		assert.Equal(t, req["msg_id"], r["in_reply_to"], tc.name)
		for k, v := range tc.want {
			assert.Equal(t, v, r[k], "%s: %s", tc.name, k)
		}
	}
	require.NoError(t, n.stop(), "the node exits cleanly at the end of stdin")

	// Restarted on its directory, the node has kept the write.
	n = startNode(t, dir)
	n.send(initBody("n0", "n0"))
	require.Equal(t, "init_ok", n.reply()["type"])
	r = n.call(`{"type":"read","msg_id":1,"key":1}`)
	assert.Equal(t, "x y", r["value"])
	require.NoError(t, n.stop())

	// The directory is n0's: another node may not use it.
	n = startNode(t, dir)
	n.send(initBody("n1", "n0", "n1"))
	r = n.reply()
	assert.Equal(t, "error", r["type"])
	assert.Contains(t, r["text"], "holds the state of n0")
}

func TestDefaultNodeDirIsNamedAfterTheNode(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, id := range []string{"n1", "../n1"} {
		var stderr bytes.Buffer
		cfg, err := parseFlags([]string{"--tick", "2ms"}, &stderr)
		require.NoError(t, err)
		inR, inW := io.Pipe()
		var out bytes.Buffer
		done := make(chan error, 1)
		go func() { done <- run(cfg, inR, &out, log.New(io.Discard, "", 0)) }()
		_, err = inW.Write([]byte(`{"src":"c0","dest":"` + id + `","body":` + initBody(id, "n0", id) + "}\n"))
		require.NoError(t, err)
		inW.Close()
		require.NoError(t, <-done)
		if id == "n1" {
			assert.Contains(t, out.String(), "init_ok")
			assert.FileExists(t, filepath.Join("n1", identityFile))
		} else {
			assert.Contains(t, out.String(), "cannot name a directory")
		}
	}
}

func TestFlags(t *testing.T) {
	var stderr bytes.Buffer
	_, err := parseFlags([]string{"--election-ticks", "2", "--heartbeat-ticks", "2"}, &stderr)
	assert.Error(t, err)
	assert.Contains(t, stderr.String(), "--election-ticks")
	_, err = parseFlags([]string{"extra"}, &stderr)
	assert.Error(t, err)
	cfg, err := parseFlags([]string{"--unsafe-reads"}, &stderr)
	require.NoError(t, err)
	assert.True(t, cfg.unsafeReads)
	assert.Equal(t, 2, realMain([]string{"--tick", "0s"}, nil, io.Discard, io.Discard))
}
