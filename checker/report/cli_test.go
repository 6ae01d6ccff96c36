package report_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// buildCLI builds cmd/raftcheck into a directory removed after the test
// and returns its path (the build cache makes a rebuild quick).
func buildCLI(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "raftcheck")
	goBin := os.Getenv("GO") // as make passes it
	if goBin == "" {
		goBin = "go"
	}
	cmd := exec.Command(goBin, "build", "-o", path, "./cmd/raftcheck")
	cmd.Dir = filepath.Join("..", "..") // the module root
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "building the CLI: %s", out)
	return path
}

// TestCheckOutEscapesScriptKeys is the escaping acceptance end to end: a
// history file whose keys and values hold <script> and other markup,
// checked through the CLI (`raftcheck check --out x.html`), gives a page in
// which none of it is markup. (TestBrowser loads the same page in Chromium
// and fails on any dialog or error.)
func TestCheckOutEscapesScriptKeys(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI")
	}
	page := checkPageWithScriptKeys(t, t.TempDir())
	b, err := os.ReadFile(page)
	require.NoError(t, err)
	html := string(b)
	for _, planted := range []string{`<script>alert`, `<img src=x`, `</script><script>`} {
		assert.False(t, strings.Contains(html, planted), "planted markup %q appears unescaped", planted)
	}
	lower := strings.ToLower(html)
	assert.Equal(t, 1, strings.Count(lower, "<script"), "only the page's own script")
	assert.Equal(t, 1, strings.Count(lower, "</script"))
	// (assert.Contains would print the whole page on failure)
	assert.True(t, strings.Contains(html, "not linearizable"), "the page gives the verdict")
	assert.True(t, strings.Contains(html, `&#34;&lt;script&gt;alert(`), "the anomaly and the list show the key, escaped")
	assert.True(t, strings.Contains(html, `href="`+filepath.Base(strings.TrimSuffix(page, ".html"))+`.porcupine.html"`), "it links to porcupine's page of the whole history")

	// porcupine's page of the same history, written beside it
	b, err = os.ReadFile(strings.TrimSuffix(page, ".html") + ".porcupine.html")
	require.NoError(t, err)
	full := string(b)
	for _, planted := range []string{`<script>alert`, `<img src=x`, `</script><script>`} {
		assert.False(t, strings.Contains(full, planted), "planted markup %q appears unescaped in porcupine's page", planted)
	}
	lower = strings.ToLower(full)
	assert.Equal(t, 2, strings.Count(lower, "<script"), "only porcupine's page's two scripts (porcupine's and the header's)")
	assert.Equal(t, 2, strings.Count(lower, "</script"))
}
