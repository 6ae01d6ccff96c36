package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeResults makes a stored run's directory holding results.json (raw)
// and the named report files.
func writeResults(t *testing.T, dir, results string, files ...string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "results.json"), []byte(results), 0o644))
	for _, f := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), []byte(strings.Repeat("<p>report "+f+"</p>\n", 200)), 0o644))
	}
}

// TestServeRunPage: a run's page gives its verdict, the anomaly's sentence
// and the invariants broken (escaped), links to each report with what it
// shows and back to the index; the index links to it. Paths that are no
// run are not found.
func TestServeRunPage(t *testing.T) {
	store := t.TempDir()
	run := "20260101T000000.000000000Z-seed7"
	writeResults(t, filepath.Join(store, "stale", run), `{"seed":7,"verdict":"invalid",
	  "reasons":["linearizability: stale read: the get(\"<b>\")…","single-vote at 1s: node 2 voted twice"],
	  "anomaly":{"kind":"stale-read","summary":"stale read: the get(\"<b>\") at history #6 did not see put(\"<b>\", \"1\")"},
	  "invariants":[{"invariant":"single-vote","evidence":"node 2 voted for 1 and 3 in term 4","count":3}],
	  "replay":"raftcheck run --seed 7"}`,
		"timeline.html", "linearizability.html", "porcupine.html", "summary.txt", "extra.log")
	srv := serveStore(t, store)

	_, index := fetch(t, srv, "/")
	page := "/run/stale/" + run + "/"
	assert.Contains(t, index, `<a href="`+page+`">stale/`+run+`</a>`, "the index links to the run's page")
	assert.Contains(t, index, "stale read: the get(&#34;&lt;b&gt;&#34;)", "the index shows the anomaly's sentence, escaped")

	code, body := fetch(t, srv, page)
	require.Equal(t, http.StatusOK, code, body)
	assert.Contains(t, body, `<a href="/">← all runs</a>`)
	assert.Contains(t, body, `<span class="badge invalid">invalid</span>`)
	assert.Contains(t, body, `<p class="anomaly">stale read: the get(&#34;&lt;b&gt;&#34;) at history #6`)
	assert.NotContains(t, body, "<b>&#34;", "no markup from the results")
	assert.Contains(t, body, "invariant broken: single-vote</b> — node 2 voted for 1 and 3 in term 4 (breached 3 times")
	assert.Contains(t, body, "<code>raftcheck run --seed 7</code>")
	links := []string{"timeline.html", "linearizability.html", "porcupine.html", "summary.txt", "results.json", "extra.log"}
	last := -1
	for _, f := range links {
		i := strings.Index(body, `<a href="/runs/stale/`+run+`/`+f+`">`+f+`</a>`)
		assert.Greater(t, i, last, "%s linked, in the page's order", f)
		last = i
		code, _ := fetch(t, srv, "/runs/stale/"+run+"/"+f)
		assert.Equal(t, http.StatusOK, code, f)
	}
	assert.Contains(t, body, "porcupine.html</a> — porcupine&#39;s visualization of the whole history")

	for _, p := range []string{"/run/stale/", "/run/stale/nope/", "/run/stale/" + run + "/x/", "/run/../stale/" + run + "/", "/run/.x/" + run + "/"} {
		code, _ := fetch(t, srv, p)
		assert.Equal(t, http.StatusNotFound, code, p)
	}
}

// TestServeFilters: the index filters by verdict and by part of the name,
// and says how many of the runs it shows.
func TestServeFilters(t *testing.T) {
	store := t.TempDir()
	writeResults(t, filepath.Join(store, "alpha-bugs", "20260101T000001Z-seed1"), `{"seed":1,"verdict":"invalid","reasons":["r"]}`)
	writeResults(t, filepath.Join(store, "alpha-bugs", "20260101T000002Z-seed2"), `{"seed":2,"verdict":"valid","reasons":[]}`)
	writeResults(t, filepath.Join(store, "beta", "20260101T000003Z-seed3"), `{"seed":3,"verdict":"invalid","reasons":["r"]}`)
	writeResults(t, filepath.Join(store, "beta", "20260101T000004Z-seed4"), `{"seed":4,"verdict":"unknown","reasons":["r"]}`)
	srv := serveStore(t, store)
	cases := []struct {
		query string
		seeds []string
	}{
		{"", []string{"seed1", "seed2", "seed3", "seed4"}},
		{"?verdict=invalid", []string{"seed1", "seed3"}},
		{"?name=ALPHA", []string{"seed1", "seed2"}},
		{"?verdict=invalid&name=beta", []string{"seed3"}},
		{"?verdict=valid&name=beta", nil},
	}
	for _, c := range cases {
		code, body := fetch(t, srv, "/"+c.query)
		require.Equal(t, http.StatusOK, code)
		for _, s := range []string{"seed1", "seed2", "seed3", "seed4"} {
			want := false
			for _, w := range c.seeds {
				want = want || w == s
			}
			assert.Equal(t, want, strings.Contains(body, s+"/"), "%s lists %s: %v", c.query, s, want)
		}
		assert.Contains(t, body, " of 4 runs", c.query)
	}
	_, body := fetch(t, srv, "/?verdict=invalid")
	assert.Contains(t, body, `<option value="invalid" selected>`, "the filter shows what it filters by")
}

// TestServeGzip: responses are gzipped for clients that accept it (the
// index, the run page, HTML, SVG and JSON reports), and the content is the
// same; a range request, a client that does not accept gzip and a PNG get
// the bytes as they are.
func TestServeGzip(t *testing.T) {
	store := t.TempDir()
	run := filepath.Join(store, "g", "20260101T000000Z-seed1")
	writeResults(t, run, `{"seed":1,"verdict":"valid","reasons":[]}`, "timeline.html", "latency.svg")
	require.NoError(t, os.WriteFile(filepath.Join(run, "shot.png"), append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 4000)...), 0o644))
	srv := serveStore(t, store)
	// A transport that leaves decompression to the test.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	get := func(path string, hdr map[string]string) (*http.Response, []byte) {
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		require.NoError(t, err)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, b
	}
	gz := map[string]string{"Accept-Encoding": "gzip, deflate"}
	for _, p := range []string{"/", "/run/g/20260101T000000Z-seed1/", "/runs/g/20260101T000000Z-seed1/timeline.html", "/runs/g/20260101T000000Z-seed1/latency.svg", "/runs/g/20260101T000000Z-seed1/results.json"} {
		plain, want := get(p, nil)
		require.Equal(t, http.StatusOK, plain.StatusCode, p)
		assert.Empty(t, plain.Header.Get("Content-Encoding"), "%s: no gzip unless asked", p)
		resp, body := get(p, gz)
		require.Equal(t, http.StatusOK, resp.StatusCode, p)
		assert.Equal(t, "gzip", resp.Header.Get("Content-Encoding"), p)
		assert.Contains(t, resp.Header.Values("Vary"), "Accept-Encoding", p)
		zr, err := gzip.NewReader(bytes.NewReader(body))
		require.NoError(t, err, p)
		got, err := io.ReadAll(zr)
		require.NoError(t, err, p)
		assert.Equal(t, string(want), string(got), "%s: the same content", p)
		if strings.HasSuffix(p, ".html") {
			assert.Less(t, len(body), len(want)/4, "%s: compressed", p)
		}
	}
	resp, _ := get("/runs/g/20260101T000000Z-seed1/shot.png", gz)
	assert.Empty(t, resp.Header.Get("Content-Encoding"), "a PNG is compressed already")
	resp, body := get("/runs/g/20260101T000000Z-seed1/timeline.html", map[string]string{"Accept-Encoding": "gzip", "Range": "bytes=0-9"})
	assert.Equal(t, http.StatusPartialContent, resp.StatusCode)
	assert.Empty(t, resp.Header.Get("Content-Encoding"), "a range is served as it is")
	assert.Equal(t, "<p>report ", string(body))
	resp, _ = get("/", map[string]string{"Accept-Encoding": "gzip;q=0, identity"})
	assert.Empty(t, resp.Header.Get("Content-Encoding"), "gzip refused with q=0")
}
