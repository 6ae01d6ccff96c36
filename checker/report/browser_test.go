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
	"github.com/raftcheck/raftcheck/checker"
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
	require.NotNil(t, failing.Anomaly, "the counterexample is classified")
	// Two leaders of one term (a planted stale vote reply): election
	// safety and the breaches that follow it, and every node asserting it.
	invRun, invDir := realRun(t, out, "invariants", func(c *raftcheck.Config) {
		c.Seed = 11
		c.MaxTime = raftcheck.Duration(20 * time.Second)
		c.PreVote = false
		c.HeartbeatTicks = 1
		c.ElectionTicks = 5
		c.Latency = raftcheck.Duration(20 * time.Millisecond)
		c.LatencyDist = "exponential"
		c.Nemesis = []raftcheck.Fault{raftcheck.FaultPartitionIsolateLeader, raftcheck.FaultPartitionRandomHalves}
		c.NemesisInterval = raftcheck.Duration(time.Second)
		c.Bugs = []raftcheck.BugName{raftcheck.BugStaleVoteReply}
	})
	require.Equal(t, raftcheck.Invalid, invRun.Verdict)
	require.NotEmpty(t, invRun.Invariants, "the stale vote reply breaks invariants: %v", invRun.Reasons)
	loads := &loadLog{}
	defer loads.print(t)

	broken := filepath.Join(out, "broken.html")
	require.NoError(t, os.WriteFile(broken, []byte(brokenPage), 0o644))

	guard := 4 * time.Minute // a hang guard, as every bound here
	if os.Getenv("RAFTCHECK_BROWSER_BIG") == "1" {
		guard = 15 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), guard)
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
		res, err := loads.load(ctx, b, "standard run, valid", filepath.Join(validDir, report.TimelineFile), loadOptions{
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
		res, err := loads.load(ctx, b, "standard run, valid", filepath.Join(validDir, "linearizability.html"), loadOptions{
			ready: linReady,
			check: func(ctx context.Context, p *pageSession) error {
				var page struct {
					Badge, Full string
					Boxes       int
				}
				if err := p.eval(ctx, `({badge: document.querySelector('#rc-head .rc-badge').textContent,
				  full: document.querySelector('.rc-full a').getAttribute('href'), boxes: window.raftcheckLin.boxes})`, &page); err != nil {
					return err
				}
				assert.Equal(t, "linearizable", page.Badge)
				assert.Equal(t, "porcupine.html", page.Full, "porcupine's page of the whole history is a link")
				assert.Zero(t, page.Boxes, "nothing to draw for a linearizable history")
				return nil
			},
		})
		require.NoError(t, err)
		assert.Empty(t, res.problems, "linearizability.html must load without console errors")
		assertSmallPage(t, res, time.Second)
		shots.save("linearizability-valid.png", res.screenshot)
	})

	t.Run("valid porcupine page", func(t *testing.T) {
		res, err := loads.load(ctx, b, "standard run, valid", filepath.Join(validDir, "porcupine.html"), loadOptions{
			ready: linReady,
			check: func(ctx context.Context, p *pageSession) error {
				var boxes int
				if err := p.eval(ctx, "document.querySelectorAll('#canvas rect.history-rect').length", &boxes); err != nil {
					return err
				}
				assert.Greater(t, boxes, 100, "porcupine drew the history's operations")
				return nil
			},
		})
		require.NoError(t, err)
		assert.Empty(t, res.problems, "porcupine.html must load without console errors")
	})

	t.Run("failing timeline", func(t *testing.T) {
		res, err := loads.load(ctx, b, "standard run, failing", filepath.Join(failDir, report.TimelineFile), loadOptions{
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
		res, err := loads.load(ctx, b, "standard run, failing", filepath.Join(failDir, "linearizability.html"), loadOptions{
			ready: linReady,
			check: func(ctx context.Context, p *pageSession) error { return exerciseLinPage(ctx, t, p, failing, shots) },
		})
		require.NoError(t, err)
		assert.Empty(t, res.problems, "linearizability.html must load without console errors")
		assertSmallPage(t, res, time.Second)
		shots.save("linearizability-invalid.png", res.screenshot)
	})

	t.Run("failing porcupine page", func(t *testing.T) {
		res, err := loads.load(ctx, b, "standard run, failing", filepath.Join(failDir, "porcupine.html"), loadOptions{
			ready:    linReady,
			fragment: fmt.Sprintf("op=%d", failing.Counterexample[len(failing.Counterexample)-1]),
			check: func(ctx context.Context, p *pageSession) error {
				var page struct {
					Marked   int
					Selected bool
				}
				if err := p.eval(ctx, `({marked: window.raftcheckLin.marked, selected: !!document.querySelector('#canvas rect.selected')})`, &page); err != nil {
					return err
				}
				assert.Equal(t, len(failing.Counterexample), page.Marked, "every counterexample op outlined in porcupine's diagram")
				assert.True(t, page.Selected, "linearizability.html's link (#op=N) selects the op in porcupine's diagram")
				return nil
			},
		})
		require.NoError(t, err)
		assert.Empty(t, res.problems, "porcupine.html must load without console errors")
		shots.save("porcupine-invalid.png", res.screenshot)
	})

	t.Run("invariant violations", func(t *testing.T) {
		res, err := loads.load(ctx, b, "broken invariants", filepath.Join(invDir, report.TimelineFile), loadOptions{
			ready: timelineReady,
			check: func(ctx context.Context, p *pageSession) error { return exerciseViolations(ctx, t, p, invRun, shots) },
		})
		require.NoError(t, err)
		assert.Empty(t, res.problems, "timeline.html must load without console errors")
		shots.save("timeline-invariants.png", res.screenshot)
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
		// 10 minutes of faults: about 48,000 ops. Set RAFTCHECK_BROWSER_BIG=1
		// to run it. linearizability.html must not grow with the history
		// (size and DOM bounded) and loads within 5 s; latency.svg is
		// aggregated (under 1 MiB); the other pages' load times are
		// printed, not judged.
		if os.Getenv("RAFTCHECK_BROWSER_BIG") != "1" {
			t.Skip("set RAFTCHECK_BROWSER_BIG=1 to measure a 10-minute run's pages")
		}
		_, dir := realRun(t, out, "long", func(c *raftcheck.Config) {
			c.MaxTime = raftcheck.Duration(10 * time.Minute)
			c.Bugs = []raftcheck.BugName{raftcheck.BugStaleLocalRead}
			c.Nemesis = []raftcheck.Fault{raftcheck.FaultPartitionIsolateLeader, raftcheck.FaultPartitionRandomHalves}
		})
		for _, f := range []string{report.LatencyFile, report.RateFile, report.TimelineFile, "linearizability.html", "porcupine.html"} {
			fi, err := os.Stat(filepath.Join(dir, f))
			require.NoError(t, err)
			t.Logf("10-minute run: %s is %.2f MB", f, float64(fi.Size())/(1<<20))
			if f == report.LatencyFile {
				assert.Less(t, fi.Size(), int64(1<<20), "latency.svg of a 10-minute run is aggregated")
			}
		}
		for _, page := range []string{report.TimelineFile, "linearizability.html", "porcupine.html"} {
			ready := timelineReady
			if page != report.TimelineFile {
				ready = linReady
			}
			res, err := loads.load(ctx, b, "10-minute run", filepath.Join(dir, page), loadOptions{ready: ready, guard: 5 * time.Minute, check: func(ctx context.Context, p *pageSession) error {
				if page == report.TimelineFile {
					logRender(ctx, t, p)
				}
				return nil
			}})
			require.NoError(t, err)
			assert.Empty(t, res.problems)
			if page == "linearizability.html" {
				assertSmallPage(t, res, 5*time.Second)
			}
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
				assert.Equal(t, 1, injected, "only the page's own script: no element came from the history")
				return nil
			},
		})
		require.NoError(t, err)
		assert.Empty(t, res.problems, "the check page must load without console errors or dialogs")
		shots.save("check-script-keys.png", res.screenshot)

		// and porcupine's page of the same history, which it links to
		full := strings.TrimSuffix(page, ".html") + ".porcupine.html"
		res, err = b.load(ctx, full, loadOptions{
			ready: linReady,
			check: func(ctx context.Context, p *pageSession) error {
				var injected int
				if err := p.eval(ctx, "document.querySelectorAll('script').length + document.querySelectorAll('img').length", &injected); err != nil {
					return err
				}
				assert.Equal(t, 2, injected, "only porcupine's script and the header's: no element came from the history")
				return nil
			},
		})
		require.NoError(t, err)
		assert.Empty(t, res.problems, "the check's porcupine page must load without console errors or dialogs")
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

type drawnCounts struct {
	Segs, Pauses, Ops, Bars, Faults, Arrows, Leaders, TwoLeaders, SplitBrain, Cex, Decisive, Groups, Marks, Rejected int
}

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
	var head struct{ Title, Sentence string }
	if err := p.eval(ctx, `({title: document.getElementById('cex-title').textContent, sentence: document.getElementById('anomaly-sentence').textContent})`, &head); err != nil {
		return err
	}
	a := res.Anomaly
	assert.Equal(t, a.Summary, head.Sentence, "the anomaly's sentence heads the panel, as results.json has it")
	assert.Equal(t, strings.ToLower(head.Title), checker.AnomalyTitle(a.Kind), "titled by its kind")

	// Zooming frames the decisive operations (the read and what it
	// missed), not the whole counterexample.
	var drawn drawnCounts
	if err := p.eval(ctx, "window.raftcheckTimeline.zoomToCounterexample(); window.raftcheckTimeline.drawn()", &drawn); err != nil {
		return err
	}
	framed := 0
	for _, o := range a.Ops {
		if o.Role != checker.RoleLaterRead {
			framed++
		}
	}
	assert.GreaterOrEqual(t, drawn.Decisive, framed, "every decisive op in view and outlined when zoomed onto them")
	assert.Less(t, drawn.Cex, len(res.Counterexample)+len(a.Ops), "the view frames the decisive ops, not the whole counterexample (%d ops)", len(res.Counterexample))
	assert.Positive(t, drawn.Marks, "the anomaly's moment is marked")
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
// verdict, the anomaly's sentence, the counterexample drawn in time with its
// decisive ops, the list, the small porcupine diagram, the link to
// porcupine's page of the whole history, and "show" pointing at an op.
func exerciseLinPage(ctx context.Context, t *testing.T, p *pageSession, res *raftcheck.Result, shots *shotSaver) error {
	var head struct {
		Badge, Sentence, Full   string
		Items, Marked, Decisive int
		Mini, Rows              bool
	}
	if err := p.eval(ctx, `({badge: document.querySelector('#rc-head .rc-badge').textContent,
	  sentence: document.querySelector('#rc-head .rc-sentence').textContent,
	  full: document.querySelector('.rc-full a').getAttribute('href'),
	  items: document.querySelectorAll('ol.rc-cex li').length, marked: window.raftcheckLin.marked, decisive: window.raftcheckLin.decisive,
	  mini: !!document.querySelector('iframe.rc-mini'),
	  rows: !!document.querySelector('.rc-view-svg .rc-fault') && !!document.querySelector('.rc-view-svg .rc-node')})`, &head); err != nil {
		return err
	}
	assert.Equal(t, "not linearizable", head.Badge)
	assert.Equal(t, res.Anomaly.Summary, head.Sentence, "the anomaly's sentence first, as results.json has it")
	assert.Equal(t, len(res.Counterexample), head.Items, "one explanation line per counterexample op")
	assert.Equal(t, len(res.Counterexample), head.Marked, "every counterexample op drawn and outlined")
	assert.Equal(t, len(res.Anomaly.Ops), head.Decisive, "every decisive op drawn as such")
	assert.True(t, head.Rows, "the fault and node (leader) rows above the ops")
	assert.Equal(t, "porcupine.html", head.Full, "porcupine's page of the whole history is a link")
	assert.True(t, head.Mini, "the counterexample has a porcupine diagram of its own")
	var inView bool
	if err := p.eval(ctx, "window.raftcheckLin.decisiveInView()", &inView); err != nil {
		return err
	}
	assert.True(t, inView, "the page opens on the decisive operations")
	var miniBoxes int
	if err := p.eval(ctx, `document.querySelector('iframe.rc-mini').contentDocument.querySelectorAll('rect.history-rect').length`, &miniBoxes); err != nil {
		return err
	}
	assert.Equal(t, len(res.Counterexample), miniBoxes, "the small diagram draws exactly the counterexample")
	shot, err := p.screenshot(ctx)
	if err != nil {
		return err
	}
	shots.save("linearizability-invalid-head.png", shot)
	var flashed bool
	if err := p.eval(ctx, `(() => { document.querySelector('ol.rc-cex li.rc-culprit button.rc-show').click();
	  return !!document.querySelector('.rc-view-svg g.rc-op.rc-flash'); })()`, &flashed); err != nil {
		return err
	}
	assert.True(t, flashed, "show points at the culprit in the diagram")
	return p.eval(ctx, "window.scrollTo(0, 0); document.querySelector('.rc-view-wrap').scrollLeft = 0; true", nil)
}

// exerciseViolations checks a run whose invariants broke: a panel per
// violation with its rule and evidence and none of them repeated among the
// reasons, the nodes' own reports in one line, each violation marked on the
// chart, the two-leaders hatch telling a split brain from a deposed
// leader, and vote replies saying granted or rejected.
func exerciseViolations(ctx context.Context, t *testing.T, p *pageSession, res *raftcheck.Result, shots *shotSaver) error {
	var page struct {
		Panels, Rules, Reasons, SelfReports, Marks int
		Repeated                                   []string
		Split                                      bool
		Answers                                    []string
	}
	if err := p.eval(ctx, `(() => { const d = JSON.parse(document.getElementById('run-data').textContent);
	  const panels = document.querySelectorAll('#violations section.finding');
	  const reasons = [...document.querySelectorAll('#reasons li')].map((li) => li.textContent);
	  return {panels: panels.length, rules: [...panels].filter((s) => s.querySelector('.rule') && s.querySelector('.rule').textContent.length > 20).length,
	    reasons: reasons.length, selfReports: reasons.filter((r) => r.startsWith('anomaly: ')).length,
	    repeated: reasons.filter((r) => d.violations.some((v) => r.startsWith(v.invariant + ' at '))),
	    marks: window.raftcheckTimeline.marks().filter((m) => m.inv).length,
	    split: window.raftcheckTimeline.leaderOverlaps().some((o) => o.split), answers: d.msgAnswers}; })()`, &page); err != nil {
		return err
	}
	assert.Equal(t, len(res.Invariants), page.Panels, "one panel per broken invariant")
	assert.Equal(t, len(res.Invariants), page.Rules, "each with its rule in the paper's words")
	assert.Empty(t, page.Repeated, "a violation in a panel is not repeated among the reasons")
	assert.LessOrEqual(t, page.SelfReports, 2, "the nodes' own reports of one breach are one line with a count")
	assert.Equal(t, len(res.Invariants), page.Marks, "each violation marked on the chart")
	assert.True(t, page.Split, "the two leaders of one term are a split brain on the leader row")
	assert.Contains(t, page.Answers, "granted", "vote replies say what they answered")

	// Go to the first violation: its mark, the nodes it names, the split
	// brain's hatch and the vote replies around it.
	var drawn drawnCounts
	if err := p.eval(ctx, `(() => { document.querySelector('#violations button.show-violation').click(); return true; })()`, nil); err != nil {
		return err
	}
	if err := p.eval(ctx, "new Promise((ok) => requestAnimationFrame(() => ok(window.raftcheckTimeline.drawn())))", &drawn); err != nil {
		return err
	}
	assert.Positive(t, drawn.Marks, "the violation's mark in view")
	assert.Positive(t, drawn.SplitBrain, "the split brain hatched in view")
	tip, err := hoverAt(ctx, p, centreOf(`document.querySelector('rect.two-leaders.split')`))
	if err != nil {
		return err
	}
	assert.Contains(t, tip, "split brain: two leaders of one term", "its tooltip says which overlap it is")
	tip, err = hoverAt(ctx, p, `(() => { const d = JSON.parse(document.getElementById('run-data').textContent), M = d.msgs;
	  for (const e of document.querySelectorAll('line.hit[data-k^="m"]')) { const i = Number(e.getAttribute('data-k').slice(1));
	    if (d.msgKinds[M.kind[i]] === 'MsgVoteResp' && M.ans[i] >= 0) { e.scrollIntoView({block: 'center'}); const b = e.getBoundingClientRect();
	      return {x: b.left + b.width / 2, y: b.top + b.height / 2}; } }
	  return null; })()`)
	if err != nil {
		return err
	}
	assert.Regexp(t, `MsgVoteResp \((granted|rejected)\)`, tip, "a vote reply says whether it granted the vote")
	shot, err := p.screenshot(ctx)
	if err != nil {
		return err
	}
	shots.save("timeline-invariants-zoom.png", shot)
	if err := p.eval(ctx, "window.raftcheckTimeline.setView(0, 1e12); window.scrollTo(0, 0); true", nil); err != nil {
		return err
	}
	return p.mouseMove(ctx, 0, 0)
}

// loadLog collects every page's load for one table at the end: time to
// drawn (reported, never judged), size and DOM nodes.
type loadLog struct {
	lines []string
}

func (l *loadLog) load(ctx context.Context, b *browser, run, path string, opt loadOptions) (*loadResult, error) {
	res, err := b.load(ctx, path, opt)
	if err == nil {
		l.lines = append(l.lines, fmt.Sprintf("%-24s %-22s %9.0f ms %8.2f MB %7d DOM nodes", run, filepath.Base(path),
			float64(res.loaded.Microseconds())/1000, float64(res.bytes)/(1<<20), res.domNodes))
	}
	return res, err
}

func (l *loadLog) print(t *testing.T) {
	t.Logf("page loads (navigation until drawn, this machine):\n%s", strings.Join(l.lines, "\n"))
}

// assertSmallPage: linearizability.html opens at once however long the
// history, because what it holds does not grow with it: its size and DOM
// node count (deterministic) stay small, and it loads within bound, the
// issue's budget (1 s for a standard run, 5 s for a 10-minute one).
//
// The time bound is the one check of this test that depends on the
// machine's speed, which is why it lives here, in the browser test that
// `make test-browser` runs, and never in the unit suite.
// RAFTCHECK_BROWSER_TIMING=report prints the times without judging them
// (a machine known to be overloaded).
func assertSmallPage(t *testing.T, res *loadResult, bound time.Duration) {
	assert.Less(t, res.bytes, int64(1<<20), "linearizability.html stays under 1 MiB")
	assert.Less(t, res.domNodes, 4000, "linearizability.html stays under 4,000 DOM nodes")
	if os.Getenv("RAFTCHECK_BROWSER_TIMING") == "report" {
		t.Logf("linearizability.html loaded in %v (bound %v, not judged)", res.loaded.Round(time.Millisecond), bound)
		return
	}
	assert.Less(t, res.loaded, bound, "linearizability.html loads and draws within %v", bound)
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
