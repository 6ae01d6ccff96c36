package report_test

// Driving headless Chromium for the browser test: finding and launching it,
// opening a page in a fresh tab, waiting for it to draw, evaluating script,
// moving the mouse, and taking screenshots, over cdp_test.go's client.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// chromiumPath finds the browser: $RAFTCHECK_CHROMIUM, Debian's
// /usr/bin/chromium, or chromium / chromium-browser / google-chrome on PATH.
func chromiumPath(t *testing.T) string {
	if p := os.Getenv("RAFTCHECK_CHROMIUM"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no chromium found: run checker/report/testdata/browser-test.sh (it installs Debian's chromium) or set RAFTCHECK_CHROMIUM")
	return ""
}

// browserOutDir is where the reports and screenshots stay after the test:
// $RAFTCHECK_BROWSER_OUT, else a fresh directory under the system temp dir.
func browserOutDir(t *testing.T) string {
	if dir := os.Getenv("RAFTCHECK_BROWSER_OUT"); dir != "" {
		require.NoError(t, os.MkdirAll(dir, 0o755))
		return dir
	}
	dir, err := os.MkdirTemp("", "raftcheck-browser-")
	require.NoError(t, err)
	return dir
}

// browser is a headless Chromium driven over the DevTools protocol.
type browser struct {
	cmd    *exec.Cmd
	cdp    *cdpClient
	stderr *lockedBuffer
	waited chan error
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startBrowser launches Chromium with a fresh profile and connects to its
// DevTools endpoint, which it announces on stderr.
func startBrowser(ctx context.Context, bin, profile string) (*browser, error) {
	cmd := exec.Command(bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
		"--user-data-dir="+profile, "--remote-debugging-port=0", "about:blank")
	pipe, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	b := &browser{cmd: cmd, stderr: &lockedBuffer{}, waited: make(chan error, 1)}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			b.stderr.Write([]byte(line + "\n"))
			if rest, ok := strings.CutPrefix(line, "DevTools listening on "); ok {
				select {
				case found <- strings.TrimSpace(rest):
				default:
				}
			}
		}
		b.waited <- cmd.Wait()
	}()
	var wsURL string
	select {
	case wsURL = <-found:
	case <-time.After(60 * time.Second):
		b.kill()
		return nil, fmt.Errorf("chromium did not announce its DevTools endpoint within 60s; stderr:\n%s", b.stderr.String())
	case <-ctx.Done():
		b.kill()
		return nil, ctx.Err()
	}
	ws, err := dialWS(ctx, wsURL)
	if err != nil {
		b.kill()
		return nil, err
	}
	ws.conn.SetDeadline(time.Time{})
	b.cdp = newCDPClient(ws)
	return b, nil
}

func (b *browser) kill() {
	_ = b.cmd.Process.Kill()
}

// stop closes the browser politely, then kills it if it lingers.
func (b *browser) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = b.cdp.call(ctx, "", "Browser.close", nil, nil)
	select {
	case <-b.waited:
	case <-time.After(10 * time.Second):
		b.kill()
		<-b.waited
	}
	return b.cdp.ws.conn.Close()
}

type loadOptions struct {
	ready string // JS expression that turns true when the page is drawn
	// until, for a page without a ready flag, turns true once the page has
	// reported the problems the caller waits for: no fixed wait, which a
	// busy machine could outlast.
	until    func(problems []string) bool
	fragment string // the URL's #fragment, without the #
	check    func(context.Context, *pageSession) error
	// guard bounds the load (navigation until ready), a hang guard only: a
	// busy machine may be slow, never wrong. 0: 90 s.
	guard time.Duration
}

type loadResult struct {
	problems   []string
	screenshot []byte
	// loaded is how long the page took from navigation until it was
	// drawn (ready), measured by polling every 10 ms: for the report,
	// never for a verdict. domNodes and bytes are what it depends on, and
	// deterministic.
	loaded   time.Duration
	domNodes int
	bytes    int64
}

// pageSession is one tab.
type pageSession struct {
	b       *browser
	session string
}

func (p *pageSession) call(ctx context.Context, method string, params, out any) error {
	return p.b.cdp.call(ctx, p.session, method, params, out)
}

// eval evaluates expr in the page and decodes its value into out.
func (p *pageSession) eval(ctx context.Context, expr string, out any) error {
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := p.call(ctx, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &res); err != nil {
		return err
	}
	if res.ExceptionDetails != nil {
		return fmt.Errorf("evaluating %q: %s %s", expr, res.ExceptionDetails.Text, res.ExceptionDetails.Exception.Description)
	}
	if out == nil || len(res.Result.Value) == 0 {
		return nil
	}
	return json.Unmarshal(res.Result.Value, out)
}

func (p *pageSession) mouseMove(ctx context.Context, x, y float64) error {
	return p.call(ctx, "Input.dispatchMouseEvent", map[string]any{"type": "mouseMoved", "x": x, "y": y}, nil)
}

// screenshot captures the whole page (up to a bound on its height).
func (p *pageSession) screenshot(ctx context.Context) ([]byte, error) {
	var m struct {
		CSSContentSize struct{ Width, Height float64 } `json:"cssContentSize"`
	}
	if err := p.call(ctx, "Page.getLayoutMetrics", nil, &m); err != nil {
		return nil, err
	}
	h := min(max(m.CSSContentSize.Height, 600), 5000)
	var shot struct {
		Data string `json:"data"`
	}
	err := p.call(ctx, "Page.captureScreenshot", map[string]any{
		"format": "png", "captureBeyondViewport": true,
		"clip": map[string]any{"x": 0, "y": 0, "width": viewportWidth, "height": h, "scale": 1},
	}, &shot)
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(shot.Data)
}

const viewportWidth, viewportHeight = 1500, 1000

// load opens path in a new tab, waits for it to load (and draw), runs the
// check, takes a screenshot and returns every problem the page reported.
func (b *browser) load(ctx context.Context, path string, opt loadOptions) (*loadResult, error) {
	guard := opt.guard
	if guard == 0 {
		guard = 90 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, guard)
	defer cancel()
	var target struct {
		TargetID string `json:"targetId"`
	}
	if err := b.cdp.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		return nil, err
	}
	defer b.cdp.call(context.Background(), "", "Target.closeTarget", map[string]any{"targetId": target.TargetID}, nil)
	var att struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.cdp.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att); err != nil {
		return nil, err
	}
	p := &pageSession{b: b, session: att.SessionID}
	for _, m := range []string{"Page.enable", "Runtime.enable", "Log.enable"} {
		if err := p.call(ctx, m, nil, nil); err != nil {
			return nil, err
		}
	}
	if err := p.call(ctx, "Emulation.setDeviceMetricsOverride", map[string]any{
		"width": viewportWidth, "height": viewportHeight, "deviceScaleFactor": 1, "mobile": false,
	}, nil); err != nil {
		return nil, err
	}
	from := b.cdp.eventCount()
	u := url.URL{Scheme: "file", Path: path, Fragment: opt.fragment}
	started := time.Now()
	var nav struct {
		ErrorText string `json:"errorText"`
	}
	if err := p.call(ctx, "Page.navigate", map[string]any{"url": u.String()}, &nav); err != nil {
		return nil, err
	}
	if nav.ErrorText != "" {
		return nil, fmt.Errorf("navigating to %s: %s", u.String(), nav.ErrorText)
	}
	if err := b.cdp.waitEvent(ctx, from, p.session, "Page.loadEventFired"); err != nil {
		return nil, err
	}
	if opt.ready != "" {
		for {
			var ok bool
			if err := p.eval(ctx, "!!("+opt.ready+")", &ok); err != nil {
				return nil, err
			}
			if ok {
				break
			}
			if probs := pageProblems(b.cdp.eventsSince(0), p.session); len(probs) > 0 {
				return &loadResult{problems: probs}, fmt.Errorf("%s failed while drawing: %v", path, probs)
			}
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("%s never became ready (%s): %w; problems: %v", path, opt.ready, ctx.Err(), pageProblems(b.cdp.eventsSince(0), p.session))
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	res := &loadResult{loaded: time.Since(started)}
	if err := p.eval(ctx, "document.getElementsByTagName('*').length", &res.domNodes); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(path); err == nil {
		res.bytes = fi.Size()
	}
	if opt.until != nil {
		if err := b.cdp.waitProblems(ctx, p.session, opt.until); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if opt.check != nil {
		if err := opt.check(ctx, p); err != nil {
			return nil, err
		}
	}
	shot, err := p.screenshot(ctx)
	if err != nil {
		return nil, err
	}
	// one round trip more so late console messages arrive before we look
	if err := p.eval(ctx, "true", nil); err != nil && !errors.Is(err, context.Canceled) {
		return nil, err
	}
	res.problems, res.screenshot = pageProblems(b.cdp.eventsSince(0), p.session), shot
	return res, nil
}
