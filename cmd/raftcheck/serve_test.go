package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServe: `serve --port 0` prints the bound address; the index lists the
// runs newest first, coloured by verdict, with links to each report; Ctrl-C
// stops it with exit 0.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	// An invalid run first (a sweep stores only its failing seeds), then a valid one.
	r := cli(t, dir, nil, "sweep", "--count", "20", "--read-mode", "local", "--fail-fast", "--workers", "1", "--json", "--progress=false", "--store", "st")
	require.Equal(t, exitInvalid, r.code, "%s", r)
	var sw sweepJSONOut
	decodeOne(t, r.stdout, &sw)
	require.Len(t, sw.Failures, 1)
	older := rel(t, dir, sw.Failures[0].Store)
	older = strings.TrimPrefix(older, "st/")
	r = cli(t, dir, nil, "run", "--seed", "4", "--max-time", "5s", "--json", "--store", "st")
	require.Equal(t, exitValid, r.code, "%s", r)
	var run runJSONOut
	decodeOne(t, r.stdout, &run)
	newer := strings.TrimPrefix(run.Store, "st/")

	ctx, cancel := context.WithTimeout(context.Background(), execLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, "serve", "--store", "st", "--port", "0")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer cmd.Process.Kill() // no-op once it has exited
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err, "stderr: %s", stderr.String())
	m := regexp.MustCompile(`^serving st on (http://127\.0\.0\.1:(\d+)/) \(Ctrl-C to stop\)\n$`).FindStringSubmatch(line)
	require.NotNil(t, m, "first line: %q", line)
	require.NotEqual(t, "0", m[2], "the printed port is the bound one")
	base := m[1]

	index := get(t, base)
	iNew, iOld := strings.Index(index, newer), strings.Index(index, older)
	require.True(t, iNew >= 0 && iOld >= 0, "both runs listed:\n%s", index)
	assert.Less(t, iNew, iOld, "newest first")
	assert.Regexp(t, `<tr class="valid"><td><a href="/run/`+regexp.QuoteMeta(newer)+`/">`+regexp.QuoteMeta(newer)+`</a></td>`, index)
	assert.Regexp(t, `<tr class="invalid"><td><a href="/run/`+regexp.QuoteMeta(older)+`/">`+regexp.QuoteMeta(older)+`</a></td>`, index)
	assert.Contains(t, index, ".valid{background:")
	assert.Contains(t, index, ".invalid{background:")
	// Every report is linked, and the links work.
	for _, f := range []string{"timeline.html", "linearizability.html", "summary.txt", "results.json"} {
		link := "/runs/" + older + "/" + f
		assert.Contains(t, index, `href="`+link+`"`)
	}
	// The failing run's page: verdict, the anomaly's sentence, its reports.
	runPage := get(t, strings.TrimSuffix(base, "/")+"/run/"+older+"/")
	assert.Contains(t, runPage, `<span class="badge invalid">invalid</span>`)
	assert.Regexp(t, `<p class="anomaly">(stale read|lost write|duplicate apply|value never written|real-time order|not linearizable)`, runPage)
	assert.Contains(t, runPage, `href="/runs/`+older+`/linearizability.html"`)
	page := get(t, strings.TrimSuffix(base, "/")+"/runs/"+older+"/timeline.html")
	assert.Contains(t, page, "<html")
	summary := get(t, strings.TrimSuffix(base, "/")+"/runs/latest/summary.txt")
	assert.Contains(t, summary, "Node ID", "latest is served too")
	resp, err := http.Get(base + "nope")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	_, _ = io.Copy(io.Discard, stdout)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		assert.NoError(t, err, "Ctrl-C stops serve with exit 0; stderr: %s", stderr.String())
	case <-time.After(execLimit / 2):
		t.Fatal("serve did not stop on SIGINT")
	}
}

// get fetches url and returns the body of a 200 response.
func get(t testing.TB, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", url, body)
	return string(body)
}
