package report_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck"
	"github.com/raftcheck/raftcheck/checker/report"
)

// TestBrowser loads the reports of real generated runs in headless
// Chromium: timeline.html and linearizability.html of a valid run and of a
// failing one (a planted stale-read bug under partitions, so the pages show
// a violation), a synthetic run with markup planted in every string, a
// minimal run, and the page `raftcheck check --out` writes for a history
// whose keys hold <script>. It fails on any console error, uncaught
// exception, failed load or dialog, checks that the pages drew what they
// must and answer hover and clicks, saves screenshots and prints their
// paths. It first proves the detector on a deliberately broken page. Run
// it with `make test-browser`.
func TestBrowser(t *testing.T) {
	if os.Getenv("RAFTCHECK_BROWSER") != "1" {
		t.Skip("set RAFTCHECK_BROWSER=1 (make test-browser) to run the headless-browser test")
	}
	bin := chromiumPath(t)
	out := browserOutDir(t)
	t.Logf("reports and screenshots in %s", out)

	valid, validDir := realRun(t, out, "valid", nil)
	require.Equal(t, raftcheck.Valid, valid.Verdict, "the clean run: %v", valid.Reasons)
	failing, failDir := realRun(t, out, "failing", func(c *raftcheck.Config) {
		c.Bugs = []raftcheck.BugName{raftcheck.BugStaleLocalRead}
		c.Nemesis = []raftcheck.Fault{raftcheck.FaultPartitionIsolateLeader, raftcheck.FaultPartitionRandomHalves}
	})
	require.Equal(t, raftcheck.Invalid, failing.Verdict)
	require.NotEmpty(t, failing.Counterexample, "the failing run has a linearizability counterexample: %v", failing.Reasons)

	broken := filepath.Join(out, "broken.html")
	require.NoError(t, os.WriteFile(broken, []byte(brokenPage), 0o644))

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	b, err := startBrowser(ctx, bin, t.TempDir())
	require.NoError(t, err)
	defer func() { assert.NoError(t, b.stop()) }()
	shots := &shotSaver{t: t, dir: out}

	t.Run("detector", func(t *testing.T) {
		// Each planted problem must be reported; the wait for them is bounded
		// by the load's context, not by a fixed pause a busy machine could
		// outlast.
		planted := map[string]string{
			"planted console error": "console.error must be reported",
			"uncaught exception":    "an uncaught exception must be reported",
			"missing-image.png":     "a failed load must be reported",
			"dialog opened":         "a JavaScript dialog must be reported",
		}
		all := func(probs []string) bool {
			joined := strings.Join(probs, "\n")
			for want := range planted {
				if !strings.Contains(joined, want) {
					return false
				}
			}
			return true
		}
		res, err := b.load(ctx, broken, loadOptions{until: all})
		require.NoError(t, err)
		joined := strings.Join(res.problems, "\n")
		t.Logf("the detector reports, as it must:\n%s", joined)
		for want, why := range planted {
			assert.Contains(t, joined, want, why)
		}
	})

	t.Run("valid timeline", func(t *testing.T) {
		res, err := b.load(ctx, filepath.Join(validDir, report.TimelineFile), loadOptions{
			ready: timelineReady,
			check: func(ctx context.Context, p *pageSession) error {
				return exerciseTimeline(ctx, t, p, shots, "timeline-valid-zoom.png")
			},
		})
		require.NoError(t, err)
		assert.Empty(t, res.problems, "timeline.html must load without console errors")
		shots.save("timeline-valid.png", res.screenshot)
	})

	t.Run("valid linearizability", func(t *testing.T) {
		res, err := b.load(ctx, filepath.Join(validDir, "linearizability.html"), loadOptions{
			ready: linReady,
			check: func(ctx context.Context, p *pageSession) error {
				var badge string
				if err := p.eval(ctx, "document.querySelector('#rc-head .rc-badge').textContent", &badge); err != nil {
					return err
				}
				assert.Equal(t, "linearizable", badge)
				var boxes int
				if err := p.eval(ctx, "document.querySelectorAll('#canvas rect.history-rect').length", &boxes); err != nil {
					return err
				}
				assert.Greater(t, boxes, 100, "porcupine drew the history's operations")
				return nil
			},
		})
		require.NoError(t, err)
		assert.Empty(t, res.problems, "linearizability.html must load without console errors")
		shots.save("linearizability-valid.png", res.screenshot)
	})

	t.Run("failing timeline", func(t *testing.T) {
		res, err := b.load(ctx, filepath.Join(failDir, report.TimelineFile), loadOptions{
			ready: timelineReady,
			check: func(ctx context.Context, p *pageSession) error {
				if err := exerciseTimeline(ctx, t, p, shots, "timeline-invalid-messages.png"); err != nil {
					return err
				}
				return exerciseCounterexample(ctx, t, p, failing, shots)
			},
		})
		require.NoError(t, err)
		assert.Empty(t, res.problems, "timeline.html must load without console errors")
		shots.save("timeline-invalid.png", res.screenshot)
	})

	t.Run("failing linearizability", func(t *testing.T) {
		res, err := b.load(ctx, filepath.Join(failDir, "linearizability.html"), loadOptions{
			ready: linReady,
			check: func(ctx context.Context, p *pageSession) error { return exerciseLinPage(ctx, t, p, failing, shots) },
		})
		require.NoError(t, err)
		assert.Empty(t, res.problems, "linearizability.html must load without console errors")
		shots.save("linearizability-invalid.png", res.screenshot)
	})

	t.Run("hostile synthetic timeline", func(t *testing.T) {
		// markup in the title, config, fault detail, stats, keys and values
		dir := filepath.Join(out, "hostile")
		require.NoError(t, os.MkdirAll(dir, 0o755))
		r := report.HostileRun()
		require.NoError(t, report.WriteAll(dir, r))
		res, err := b.load(ctx, filepath.Join(dir, report.TimelineFile), loadOptions{
			ready: timelineReady,
			check: func(ctx context.Context, p *pageSession) error {
				var title string
				if err := p.eval(ctx, "document.getElementById('title').textContent", &title); err != nil {
					return err
				}
				assert.Equal(t, r.Title, title, "markup in the title stays text")
				tip, err := hoverOpWithKey(ctx, p, report.HostileKey)
				if err != nil {
					return err
				}
				assert.Contains(t, tip, report.HostileKey, "hover over an op shows its key, as text")
				return nil
			},
		})
		require.NoError(t, err)
		assert.Empty(t, res.problems, "a hostile run's timeline.html must load without console errors")
	})

	t.Run("minimal run", func(t *testing.T) {
		// no ops, messages, faults or final rows: the page must still draw
		dir := filepath.Join(out, "minimal")
		require.NoError(t, os.MkdirAll(dir, 0o755))
		require.NoError(t, report.WriteAll(dir, &report.Run{Nodes: []int{1}, End: int64(500 * time.Millisecond)}))
		res, err := b.load(ctx, filepath.Join(dir, report.TimelineFile), loadOptions{ready: timelineReady})
		require.NoError(t, err)
		assert.Empty(t, res.problems, "a minimal run's timeline.html must load without console errors")
	})

	t.Run("long run", func(t *testing.T) {
		// 10 minutes of faults: about 48,000 ops. Measures, asserts nothing
		// about speed; set RAFTCHECK_BROWSER_BIG=1 to run it.
		if os.Getenv("RAFTCHECK_BROWSER_BIG") != "1" {
			t.Skip("set RAFTCHECK_BROWSER_BIG=1 to measure a 10-minute run's pages")
		}
		_, dir := realRun(t, out, "long", func(c *raftcheck.Config) { c.MaxTime = raftcheck.Duration(10 * time.Minute) })
		for _, page := range []string{report.TimelineFile, "linearizability.html"} {
			ready := timelineReady
			if page != report.TimelineFile {
				ready = linReady
			}
			start := time.Now()
			res, err := b.load(ctx, filepath.Join(dir, page), loadOptions{ready: ready, check: func(ctx context.Context, p *pageSession) error {
				t.Logf("%s: loaded and drawn in %v", page, time.Since(start).Round(time.Millisecond))
				if page == report.TimelineFile {
					logRender(ctx, t, p)
				}
				return nil
			}})
			require.NoError(t, err)
			assert.Empty(t, res.problems)
		}
	})

	t.Run("cli check page with script keys", func(t *testing.T) {
		page := checkPageWithScriptKeys(t, out)
		res, err := b.load(ctx, page, loadOptions{
			ready: linReady,
			check: func(ctx context.Context, p *pageSession) error {
				var text string
				if err := p.eval(ctx, "document.body.innerText", &text); err != nil {
					return err
				}
				assert.Contains(t, text, `put("<script>alert(`, "the key is shown as text")
				var injected int
				if err := p.eval(ctx, "document.querySelectorAll('script').length + document.querySelectorAll('img').length", &injected); err != nil {
					return err
				}
				assert.Equal(t, 2, injected, "only the page's own two scripts: no element came from the history")
				return nil
			},
		})
		require.NoError(t, err)
		assert.Empty(t, res.problems, "the check page must load without console errors or dialogs")
		shots.save("check-script-keys.png", res.screenshot)
	})
}

const (
	timelineReady = "window.raftcheckTimeline && window.raftcheckTimeline.ready === true"
	linReady      = "window.raftcheckLin && window.raftcheckLin.ready === true"
)

// realRun runs a short standard run (with edit applied) into out/store and
// returns its result and report directory.
func realRun(t *testing.T, out, name string, edit func(*raftcheck.Config)) (*raftcheck.Result, string) {
	t.Helper()
	cfg := raftcheck.DefaultConfig()
	cfg.Name = name
	cfg.Store = filepath.Join(out, "store")
	cfg.MaxTime = raftcheck.Duration(30 * time.Second)
	cfg.RecoveryTime = raftcheck.Duration(5 * time.Second)
	if edit != nil {
		edit(&cfg)
	}
	res, err := raftcheck.Run(cfg)
	require.NoError(t, err)
	require.DirExists(t, res.Store)
	t.Logf("%s run: %s, reports in %s", name, res.Verdict, res.Store)
	return res, res.Store
}

type shotSaver struct {
	t   *testing.T
	dir string
}

func (s *shotSaver) save(name string, png []byte) {
	path := filepath.Join(s.dir, name)
	require.NoError(s.t, os.WriteFile(path, png, 0o644))
	s.t.Logf("screenshot: %s", path)
}

// pageData reads the run data embedded in the timeline.
type pageData struct {
	Faults []json.RawMessage `json:"faults"`
	Msgs   struct {
		Sent []int64 `json:"sent"`
	} `json:"msgs"`
	Cex *struct {
		Ops     []int    `json:"ops"`
		Culprit int      `json:"culprit"`
		Explain []string `json:"explain"`
	} `json:"cex"`
}

func readPageData(ctx context.Context, p *pageSession) (*pageData, error) {
	var raw string
	if err := p.eval(ctx, "document.getElementById('run-data').textContent", &raw); err != nil {
		return nil, err
	}
	var d pageData
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		return nil, fmt.Errorf("run data: %w", err)
	}
	return &d, nil
}

type drawnCounts struct{ Segs, Pauses, Ops, Bars, Faults, Arrows, Leaders, TwoLeaders, Cex, Groups int }

// logRender logs how long the page's script takes to redraw the whole run
// and a tenth of it (what a pan or zoom costs), for the report; it asserts
// nothing about speed.
func logRender(ctx context.Context, t *testing.T, p *pageSession) {
	var ms struct{ Whole, Tenth float64 }
	err := p.eval(ctx, `(() => { const tl = window.raftcheckTimeline;
	  tl.setView(0, 1e12); const whole = tl.renderMs(); const d = JSON.parse(document.getElementById('run-data').textContent).duration;
	  tl.setView(d * 0.45, d * 0.55); const tenth = tl.renderMs(); tl.setView(0, 1e12); return {whole, tenth}; })()`, &ms)
	if err != nil {
		t.Logf("render timing: %v", err)
		return
	}
	t.Logf("timeline redraw: whole run %.0f ms, a tenth of it %.0f ms (script only)", ms.Whole, ms.Tenth)
}

func tooltip(ctx context.Context, p *pageSession) (string, error) {
	var tip string
	err := p.eval(ctx, "document.getElementById('tooltip').hidden ? '' : document.getElementById('tooltip').textContent", &tip)
	return tip, err
}

// hoverAt moves the mouse over the element the script returns ({x, y} of
// its centre, after scrolling it into view) and returns the tooltip.
func hoverAt(ctx context.Context, p *pageSession, find string) (string, error) {
	var pos *struct{ X, Y float64 }
	if err := p.eval(ctx, find, &pos); err != nil {
		return "", err
	}
	if pos == nil {
		return "", fmt.Errorf("nothing to hover: %s", find)
	}
	if err := p.mouseMove(ctx, pos.X, pos.Y); err != nil {
		return "", err
	}
	return tooltip(ctx, p)
}

// centreOf is a script returning the centre of the first element matching
// the selector expression sel, scrolled into view.
func centreOf(sel string) string {
	return `(() => { const e = ` + sel + `; if (!e) return null; e.scrollIntoView({block: 'center'});
	  const b = e.getBoundingClientRect(); return {x: b.left + Math.min(b.width / 2, 30), y: b.top + b.height / 2}; })()`
}

func hoverOpWithKey(ctx context.Context, p *pageSession, key string) (string, error) {
	return hoverAt(ctx, p, `(() => { const d = JSON.parse(document.getElementById('run-data').textContent);
	  const k = d.keys.indexOf(`+jsString(key)+`);
	  for (let i = 0; i < d.ops.key.length; i++) if (d.ops.key[i] === k) {
	    const e = document.querySelector('[data-k="o' + i + '"]'); if (!e) continue;
	    e.scrollIntoView({block: 'center'}); const b = e.getBoundingClientRect();
	    return {x: b.left + b.width / 2, y: b.top + b.height / 2}; }
	  return null; })()`)
}

// exerciseTimeline checks what the page drew from a real run and uses it
// like a person would: hover an op and a leader, zoom into a window with
// message arrows, hover an arrow.
func exerciseTimeline(ctx context.Context, t *testing.T, p *pageSession, shots *shotSaver, zoomShot string) error {
	d, err := readPageData(ctx, p)
	if err != nil {
		return err
	}
	var drawn drawnCounts
	if err := p.eval(ctx, "window.raftcheckTimeline.drawn()", &drawn); err != nil {
		return err
	}
	logRender(ctx, t, p)
	assert.Greater(t, drawn.Segs, 5, "role segments drawn")
	assert.Equal(t, len(d.Faults), drawn.Faults, "every fault window drawn")
	assert.Positive(t, len(d.Faults), "the run had faults")
	assert.Greater(t, drawn.Ops, 1000, "client op bars drawn")
	assert.Positive(t, drawn.Leaders, "the leader row drawn")
	assert.Positive(t, drawn.Groups, "partition sides lettered on the node lanes")

	tip, err := hoverAt(ctx, p, centreOf(`document.querySelector('[data-k^="o"]')`))
	if err != nil {
		return err
	}
	assert.Contains(t, tip, "latency", "hover over an op shows its latency")
	assert.Regexp(t, `node: n\d+, \w+ of term \d+ at completion`, tip, "hover over an op names the node that served it, with its role")

	tip, err = hoverAt(ctx, p, centreOf(`(() => { const d = JSON.parse(document.getElementById('run-data').textContent);
	  return document.querySelector('[data-k="s' + d.segs.state.indexOf(3) + '"]'); })()`))
	if err != nil {
		return err
	}
	assert.Regexp(t, `node \d+: leader, term \d+`, tip, "hover over a leader shows role and term")

	// Zoom onto a 50 ms message window in the middle of the traffic.
	require.NotEmpty(t, d.Msgs.Sent, "messages embedded")
	mid := d.Msgs.Sent[len(d.Msgs.Sent)/2]
	js := fmt.Sprintf("window.raftcheckTimeline.setMessageWindow(%d, 5e4); window.raftcheckTimeline.setView(%d, %d); window.raftcheckTimeline.drawn()", mid, mid-1e4, mid+6e4)
	if err := p.eval(ctx, js, &drawn); err != nil {
		return err
	}
	assert.Positive(t, drawn.Arrows, "arrows drawn in the zoomed window")
	tip, err = hoverAt(ctx, p, `(() => { const e = document.querySelector('line[data-k^="m"]'); e.scrollIntoView({block: 'center'});
	  const b = e.getBoundingClientRect(); return {x: b.left + b.width / 2, y: b.top + b.height / 2}; })()`)
	if err != nil {
		return err
	}
	assert.Regexp(t, `Msg\w+ n\d+ → n\d+`, tip, "hover over an arrow shows the message")
	shot, err := p.screenshot(ctx)
	if err != nil {
		return err
	}
	shots.save(zoomShot, shot)
	// back to the whole run for the main screenshot
	if err := p.eval(ctx, "window.raftcheckTimeline.setView(0, 1e12); window.scrollTo(0, 0); true", nil); err != nil {
		return err
	}
	return p.mouseMove(ctx, 0, 0)
}

// exerciseCounterexample checks the failing run's explanation panel and
// the counterexample drawn on the timeline, and saves the zoomed view.
func exerciseCounterexample(ctx context.Context, t *testing.T, p *pageSession, res *raftcheck.Result, shots *shotSaver) error {
	d, err := readPageData(ctx, p)
	if err != nil {
		return err
	}
	require.NotNil(t, d.Cex, "the page holds the counterexample")
	assert.Len(t, d.Cex.Ops, len(res.Counterexample))
	var panel struct {
		Hidden bool
		Items  int
		Text   string
	}
	if err := p.eval(ctx, `(() => { const b = document.getElementById('cex-box');
	  return {hidden: b.hidden, items: b.querySelectorAll('#cex-list li').length, text: b.textContent}; })()`, &panel); err != nil {
		return err
	}
	assert.False(t, panel.Hidden, "the explanation panel is shown")
	assert.Equal(t, len(res.Counterexample), panel.Items, "one line per counterexample op")
	assert.Regexp(t, `served by node \d+, (leader|follower|candidate|precandidate) of term \d+`, panel.Text, "the explanation names node, role and term")

	var drawn drawnCounts
	if err := p.eval(ctx, "window.raftcheckTimeline.zoomToCounterexample(); window.raftcheckTimeline.drawn()", &drawn); err != nil {
		return err
	}
	assert.Equal(t, len(res.Counterexample), drawn.Cex, "every counterexample op outlined when zoomed onto them")
	if err := p.eval(ctx, "window.scrollTo(0, 0); true", nil); err != nil {
		return err
	}
	shot, err := p.screenshot(ctx)
	if err != nil {
		return err
	}
	shots.save("timeline-invalid-zoom.png", shot)
	tip, err := hoverAt(ctx, p, centreOf(fmt.Sprintf(`document.querySelector('[data-k="o%d"]')`, d.Cex.Ops[len(d.Cex.Ops)-1])))
	if err != nil {
		return err
	}
	assert.Contains(t, tip, "counterexample", "hover over a counterexample op says so")
	if err := p.eval(ctx, "window.raftcheckTimeline.setView(0, 1e12); window.scrollTo(0, 0); true", nil); err != nil {
		return err
	}
	return p.mouseMove(ctx, 0, 0)
}

// exerciseLinPage checks the failing run's linearizability page: the
// verdict, the counterexample outlined, and "show" selecting an op in
// porcupine's diagram.
func exerciseLinPage(ctx context.Context, t *testing.T, p *pageSession, res *raftcheck.Result, shots *shotSaver) error {
	var head struct {
		Badge  string
		Items  int
		Marked int
		Mini   bool
	}
	if err := p.eval(ctx, `({badge: document.querySelector('#rc-head .rc-badge').textContent,
	  items: document.querySelectorAll('#rc-head ol.rc-cex li').length, marked: window.raftcheckLin.marked,
	  mini: !!document.querySelector('#rc-head iframe.rc-mini')})`, &head); err != nil {
		return err
	}
	assert.Equal(t, "not linearizable", head.Badge)
	assert.Equal(t, len(res.Counterexample), head.Items, "one explanation line per counterexample op")
	assert.Equal(t, len(res.Counterexample), head.Marked, "every counterexample op outlined in the diagram")
	assert.True(t, head.Mini, "the counterexample has a diagram of its own")
	var miniBoxes int
	if err := p.eval(ctx, `document.querySelector('#rc-head iframe.rc-mini').contentDocument.querySelectorAll('rect.history-rect').length`, &miniBoxes); err != nil {
		return err
	}
	assert.Equal(t, len(res.Counterexample), miniBoxes, "the small diagram draws exactly the counterexample")
	shot, err := p.screenshot(ctx)
	if err != nil {
		return err
	}
	shots.save("linearizability-invalid-head.png", shot)
	var selected bool
	if err := p.eval(ctx, `(() => { document.querySelector('#rc-head li.rc-culprit button.rc-show').click();
	  return !!document.querySelector('#canvas rect.selected'); })()`, &selected); err != nil {
		return err
	}
	assert.True(t, selected, "show selects the culprit in porcupine's diagram")
	return nil
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

// checkPageWithScriptKeys writes a JSON Lines history whose keys and values
// hold markup (and that is not linearizable, so the page explains it),
// checks it with the CLI (`raftcheck check --out`), and returns the page.
func checkPageWithScriptKeys(t *testing.T, out string) string {
	t.Helper()
	dir := filepath.Join(out, "cli-check")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	hist := filepath.Join(dir, "history.jsonl")
	require.NoError(t, os.WriteFile(hist, []byte(scriptHistory), 0o644))
	page := filepath.Join(dir, "x.html")
	cli := buildCLI(t)
	cmd := exec.Command(cli, "check", "--out", page, hist)
	outb, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("raftcheck check: %v\n%s", err, outb)
	}
	require.Equal(t, 1, cmd.ProcessState.ExitCode(), "the history is invalid: exit 1\n%s", outb)
	require.FileExists(t, page)
	return page
}

// scriptHistory: a put and an append whose keys and values are markup, and
// a read that misses the append.
const scriptHistory = `{"raftcheck_history":1}
{"index":0,"process":0,"type":"invoke","f":"put","key":"<script>alert(\"key\")</script>","value":"</script><script>alert(2)</script>","time":0}
{"index":1,"process":0,"type":"ok","f":"put","key":"<script>alert(\"key\")</script>","value":"</script><script>alert(2)</script>","time":10,"node":1}
{"index":2,"process":1,"type":"invoke","f":"append","key":"<script>alert(\"key\")</script>","value":"\"><img src=x onerror=alert(3)>","time":20}
{"index":3,"process":1,"type":"ok","f":"append","key":"<script>alert(\"key\")</script>","value":"\"><img src=x onerror=alert(3)>","time":30,"node":2}
{"index":4,"process":2,"type":"invoke","f":"get","key":"<script>alert(\"key\")</script>","value":null,"time":40}
{"index":5,"process":2,"type":"ok","f":"get","key":"<script>alert(\"key\")</script>","value":"</script><script>alert(2)</script>","time":50,"node":3}
`
