package report

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/histories"
)

// hostile strings planted in the browser run: if any of them became markup
// the page would open a dialog, load a missing image or throw.
const (
	hostileKey   = `<script>alert("key")</script>`
	hostileValue = `"><img src=x onerror=alert(1)>`
	hostileText  = `</script><script>alert(2)</script>`
)

// browserRun is testRun with hostile text in keys, values, names and the
// header.
func browserRun() *Run {
	r := testRun()
	r.Title += " <b>not bold</b>"
	r.Config = append(r.Config, KV{"note", hostileText})
	r.Faults[0].Detail += " " + hostileText
	r.Stats = append(r.Stats, KV{hostileKey, hostileValue})
	// Rename the first key the clients use, and mark string values at
	// element boundaries (" y" ends every value of the synthetic kv
	// workload), so the history stays linearizable: the porcupine stand-in
	// checks it.
	target := ""
	for _, op := range r.History {
		if op.Process != histories.NemesisProcess && op.Key != "" {
			target = op.Key
			break
		}
	}
	for i := range r.History {
		op := &r.History[i]
		if op.Process == histories.NemesisProcess || target == "" || op.Key != target {
			continue
		}
		op.Key = hostileKey
		if v, ok := op.Value.(string); ok {
			op.Value = strings.ReplaceAll(v, " y", " y"+hostileValue)
		}
	}
	return r
}

// TestBrowser loads timeline.html (and a porcupine linearizability.html)
// from a generated run in headless Chromium, fails on any console error,
// uncaught exception, failed load or dialog, checks the page drew its
// lanes, ops, faults and arrows and shows hover details, and saves
// screenshots next to the reports. It also proves the detector on a
// deliberately broken page. Run it with `make test-browser`.
func TestBrowser(t *testing.T) {
	if os.Getenv("RAFTCHECK_BROWSER") != "1" {
		t.Skip("set RAFTCHECK_BROWSER=1 (make test-browser) to run the headless-browser test")
	}
	bin := chromiumPath(t)
	out := browserOutDir(t)
	t.Logf("reports and screenshots in %s", out)

	r := browserRun()
	require.NoError(t, WriteAll(out, r))
	require.NoError(t, writeFileAtomic(filepath.Join(out, "linearizability.html"), func(w io.Writer) error {
		return writeLinearizabilityStandIn(w, r)
	}))
	broken := filepath.Join(out, "broken.html")
	require.NoError(t, os.WriteFile(broken, []byte(brokenPage), 0o644))

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	b, err := startBrowser(ctx, bin, t.TempDir())
	require.NoError(t, err)
	defer func() { assert.NoError(t, b.stop()) }()

	t.Run("detector", func(t *testing.T) {
		res, err := b.load(ctx, broken, loadOptions{settle: 300 * time.Millisecond})
		require.NoError(t, err)
		joined := strings.Join(res.problems, "\n")
		t.Logf("the detector reports, as it must:\n%s", joined)
		assert.Contains(t, joined, "planted console error", "console.error must be reported")
		assert.Contains(t, joined, "uncaught exception", "an uncaught exception must be reported")
		assert.Contains(t, joined, "missing-image.png", "a failed load must be reported")
		assert.Contains(t, joined, "dialog opened", "a JavaScript dialog must be reported")
	})

	t.Run("timeline", func(t *testing.T) {
		page := filepath.Join(out, TimelineFile)
		res, err := b.load(ctx, page, loadOptions{
			ready: "window.raftcheckTimeline && window.raftcheckTimeline.ready === true",
			check: func(ctx context.Context, p *pageSession) error { return exerciseTimeline(ctx, t, p, r, out) },
		})
		require.NoError(t, err)
		assert.Empty(t, res.problems, "timeline.html must load without console errors")
		shot := filepath.Join(out, "timeline.png")
		require.NoError(t, os.WriteFile(shot, res.screenshot, 0o644))
		t.Logf("screenshot: %s", shot)
	})

	t.Run("minimal run", func(t *testing.T) {
		// no ops, messages, faults or final rows: the page must still draw
		dir := filepath.Join(out, "minimal")
		require.NoError(t, os.MkdirAll(dir, 0o755))
		require.NoError(t, WriteAll(dir, &Run{Nodes: []int{1}, End: 500 * ms}))
		res, err := b.load(ctx, filepath.Join(dir, TimelineFile), loadOptions{
			ready: "window.raftcheckTimeline && window.raftcheckTimeline.ready === true",
		})
		require.NoError(t, err)
		assert.Empty(t, res.problems, "a minimal run's timeline.html must load without console errors")
	})

	t.Run("linearizability", func(t *testing.T) {
		page := filepath.Join(out, "linearizability.html")
		res, err := b.load(ctx, page, loadOptions{settle: 1500 * time.Millisecond})
		require.NoError(t, err)
		assert.Empty(t, res.problems, "linearizability.html must load without console errors")
		shot := filepath.Join(out, "linearizability.png")
		require.NoError(t, os.WriteFile(shot, res.screenshot, 0o644))
		t.Logf("screenshot: %s", shot)
	})
}

// exerciseTimeline checks what the page drew and uses it like a person
// would: hover an op, zoom into a window with message arrows, hover an
// arrow.
func exerciseTimeline(ctx context.Context, t *testing.T, p *pageSession, r *Run, out string) error {
	var drawn struct{ Segs, Pauses, Ops, Faults, Arrows int }
	if err := p.eval(ctx, "window.raftcheckTimeline.drawn()", &drawn); err != nil {
		return err
	}
	assert.Greater(t, drawn.Segs, len(r.Nodes), "role segments drawn")
	assert.Positive(t, drawn.Pauses, "pause hatching drawn")
	assert.Equal(t, len(r.Faults), drawn.Faults, "every fault window drawn")
	assert.Greater(t, drawn.Ops, 1000, "client op bars drawn")
	assert.Positive(t, drawn.Arrows, "message arrows drawn in the default window")

	var title string
	if err := p.eval(ctx, "document.getElementById('title').textContent", &title); err != nil {
		return err
	}
	assert.Equal(t, r.Title, title, "markup in the title stays text")

	// Hover the op whose key is hostile: the tooltip shows it as text.
	var pos struct{ X, Y float64 }
	find := `(() => { const d = JSON.parse(document.getElementById('run-data').textContent);
	  const k = d.keys.indexOf(` + jsString(hostileKey) + `);
	  for (let i = 0; i < d.ops.key.length; i++) if (d.ops.key[i] === k) {
	    const e = document.querySelector('[data-k="o' + i + '"]'); if (!e) continue;
	    e.scrollIntoView({block: 'center'}); const b = e.getBoundingClientRect();
	    return {x: b.left + b.width / 2, y: b.top + b.height / 2}; }
	  return null; })()`
	if err := p.eval(ctx, find, &pos); err != nil {
		return err
	}
	if err := p.mouseMove(ctx, pos.X, pos.Y); err != nil {
		return err
	}
	var tip string
	if err := p.eval(ctx, "document.getElementById('tooltip').hidden ? '' : document.getElementById('tooltip').textContent", &tip); err != nil {
		return err
	}
	assert.Contains(t, tip, hostileKey, "hover over an op shows its key, as text")
	assert.Contains(t, tip, "latency", "hover over an op shows its latency")

	// Hover a leader's role segment: role and term.
	if err := p.eval(ctx, `(() => { const d = JSON.parse(document.getElementById('run-data').textContent);
	  const i = d.segs.state.indexOf(3); const e = document.querySelector('[data-k="s' + i + '"]');
	  e.scrollIntoView({block: 'center'}); const b = e.getBoundingClientRect();
	  return {x: b.left + Math.min(b.width / 2, 30), y: b.top + b.height / 2}; })()`, &pos); err != nil {
		return err
	}
	if err := p.mouseMove(ctx, pos.X, pos.Y); err != nil {
		return err
	}
	if err := p.eval(ctx, "document.getElementById('tooltip').hidden ? '' : document.getElementById('tooltip').textContent", &tip); err != nil {
		return err
	}
	assert.Regexp(t, `node \d: leader, term \d`, tip, "hover over a role segment shows role and term")

	// Zoom onto a busy 50 ms message window at the first election after
	// the leader is isolated: arrows drawn, dropped ones included.
	if err := p.eval(ctx, "window.raftcheckTimeline.setMessageWindow(5.2e6, 5e4); window.raftcheckTimeline.setView(5.19e6, 5.26e6); window.raftcheckTimeline.drawn()", &drawn); err != nil {
		return err
	}
	assert.Positive(t, drawn.Arrows, "arrows drawn in the zoomed window")
	var arrow struct{ X, Y float64 }
	if err := p.eval(ctx, `(() => { const e = document.querySelector('line[data-k^="m"]'); e.scrollIntoView({block: 'center'});
	  const b = e.getBoundingClientRect(); return {x: b.left + b.width / 2, y: b.top + b.height / 2}; })()`, &arrow); err != nil {
		return err
	}
	if err := p.mouseMove(ctx, arrow.X, arrow.Y); err != nil {
		return err
	}
	if err := p.eval(ctx, "document.getElementById('tooltip').hidden ? '' : document.getElementById('tooltip').textContent", &tip); err != nil {
		return err
	}
	assert.Regexp(t, `Msg\w+ n\d → n\d`, tip, "hover over an arrow shows the message")
	shot, err := p.screenshot(ctx)
	if err != nil {
		return err
	}
	zoom := filepath.Join(out, "timeline-zoom.png")
	if err := os.WriteFile(zoom, shot, 0o644); err != nil {
		return err
	}
	t.Logf("screenshot: %s", zoom)
	// back to the whole run for the main screenshot
	if err := p.eval(ctx, "window.raftcheckTimeline.setView(0, 1e12); window.scrollTo(0, 0); true", nil); err != nil {
		return err
	}
	return p.mouseMove(ctx, 0, 0)
}

// brokenPage proves the detector: each line is one kind of problem.
const brokenPage = `<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>broken</title></head><body>
<img src="missing-image.png" alt="">
<script>console.error("planted console error");</script>
<script>alert("planted dialog");</script>
<script>definitelyNotAFunction();</script>
</body></html>`

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
