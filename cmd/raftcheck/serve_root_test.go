package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serveStore starts the store handler on an httptest server over dir,
// read through an os.Root as `raftcheck serve` does.
func serveStore(t *testing.T, dir string) *httptest.Server {
	t.Helper()
	root, err := os.OpenRoot(dir)
	require.NoError(t, err)
	t.Cleanup(func() { root.Close() })
	srv := httptest.NewServer(storeHandler(root.FS(), io.Discard))
	t.Cleanup(srv.Close)
	return srv
}

// fetch returns the status and body of a GET of srv's path.
func fetch(t *testing.T, srv *httptest.Server, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

// writeRun makes a stored run's directory with a results.json and a summary.
func writeRun(t *testing.T, dir, verdict string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "results.json"), []byte(`{"seed":1,"verdict":"`+verdict+`","reasons":[]}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "summary.txt"), []byte("Node ID  State\n"), 0o644))
}

// TestServeStaysInStore: issue 15 part 5. Symlinks that lead out of the
// store are not followed, neither by the file server nor by the index; the
// store's own link, latest, still is.
func TestServeStaysInStore(t *testing.T) {
	base := t.TempDir()
	secret := filepath.Join(base, "secret.txt")
	require.NoError(t, os.WriteFile(secret, []byte("TOP SECRET"), 0o644))
	outside := filepath.Join(base, "outside")
	writeRun(t, filepath.Join(outside, "run", "x"), "invalid")
	store := filepath.Join(base, "st")
	run := filepath.Join(store, "run", "20260101T000000.000000000Z-seed1")
	writeRun(t, run, "valid")
	require.NoError(t, os.Symlink(secret, filepath.Join(run, "leak.txt")))
	require.NoError(t, os.Symlink(filepath.Join(outside, "run"), filepath.Join(store, "evil")))
	require.NoError(t, os.Symlink(filepath.Join(outside, "run", "x"), filepath.Join(store, "run", "linked")))
	require.NoError(t, os.Symlink("run/20260101T000000.000000000Z-seed1", filepath.Join(store, "latest")))
	srv := serveStore(t, store)

	for _, p := range []string{
		"/runs/run/20260101T000000.000000000Z-seed1/leak.txt",
		"/runs/evil/x/results.json",
		"/runs/run/linked/results.json",
	} {
		code, body := fetch(t, srv, p)
		assert.NotEqual(t, http.StatusOK, code, "%s served: %s", p, body)
		assert.NotContains(t, body, "TOP SECRET")
		assert.NotContains(t, body, `"invalid"`)
	}
	code, body := fetch(t, srv, "/runs/run/20260101T000000.000000000Z-seed1/summary.txt")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "Node ID")
	code, body = fetch(t, srv, "/runs/latest/summary.txt")
	assert.Equal(t, http.StatusOK, code, "latest links inside the store")
	assert.Contains(t, body, "Node ID")

	code, index := fetch(t, srv, "/")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, index, "1 runs", "only the run inside the store is listed")
	assert.NotContains(t, index, "leak.txt")
	assert.NotContains(t, index, "linked")
	assert.NotContains(t, index, "evil")
}

// TestServeEscapesRunNames: a run named with URL-special characters (%, ?,
// #) links to its files by an escaped path, and the links work.
func TestServeEscapesRunNames(t *testing.T) {
	store := t.TempDir()
	name := "a%b?c#d e"
	writeRun(t, filepath.Join(store, name, "20260101T000000.000000000Z-seed1"), "valid")
	srv := serveStore(t, store)
	_, index := fetch(t, srv, "/")
	link := "/runs/a%25b%3Fc%23d%20e/20260101T000000.000000000Z-seed1/summary.txt"
	assert.Contains(t, index, `href="`+link+`"`)
	code, body := fetch(t, srv, link)
	assert.Equal(t, http.StatusOK, code, body)
	assert.True(t, strings.HasPrefix(body, "Node ID"))
}
