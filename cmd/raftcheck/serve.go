package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// storedRun is what the index and run pages show of one run directory.
type storedRun struct {
	Path    string // relative to the store root, slash-separated
	Name    string
	Seed    uint64
	Verdict string
	Reasons []string
	Files   []string
	ModTime int64
	// From results.json, for the run page: the anomaly's sentence (""
	// none), the invariants broken, the command that replays the run.
	Anomaly    string
	Invariants []storedViolation
	Replay     string
}

// storedViolation is a broken invariant as results.json stores it.
type storedViolation struct {
	Invariant string `json:"invariant"`
	Evidence  string `json:"evidence"`
	Count     int    `json:"count"`
}

// storedResults is the part of results.json the pages show.
type storedResults struct {
	Seed       uint64            `json:"seed"`
	Verdict    string            `json:"verdict"`
	Reasons    []string          `json:"reasons"`
	Replay     string            `json:"replay"`
	Invariants []storedViolation `json:"invariants"`
	Anomaly    *struct {
		Summary string `json:"summary"`
	} `json:"anomaly"`
}

// scanStore lists every run directory under root (those holding
// results.json), newest first. It reads through root, so a symlink out of
// the store is never followed; hidden entries (a run still being written,
// ".<run>.partial") are skipped.
func scanStore(root fs.FS) ([]storedRun, error) {
	var runs []storedRun
	names, err := fs.ReadDir(root, ".")
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	for _, n := range names {
		if !n.IsDir() || n.Name() == "latest" || strings.HasPrefix(n.Name(), ".") {
			continue
		}
		dirs, err := fs.ReadDir(root, n.Name())
		if err != nil {
			continue
		}
		for _, d := range dirs {
			if !d.IsDir() || strings.HasPrefix(d.Name(), ".") {
				continue
			}
			if sr, ok := loadRun(root, n.Name(), d.Name()); ok {
				runs = append(runs, sr)
			}
		}
	}
	// Directory names start with a sortable timestamp; fall back to mtime.
	sort.SliceStable(runs, func(i, j int) bool {
		if runs[i].ModTime != runs[j].ModTime {
			return runs[i].ModTime > runs[j].ModTime
		}
		return runs[i].Path > runs[j].Path
	})
	return runs, nil
}

// loadRun reads the run directory name/dir of the store: false when it is
// no complete run (no results.json, or one that does not decode).
func loadRun(root fs.FS, name, dir string) (storedRun, bool) {
	p := path.Join(name, dir)
	raw, err := fs.ReadFile(root, path.Join(p, "results.json"))
	if err != nil {
		return storedRun{}, false
	}
	var r storedResults
	if json.Unmarshal(raw, &r) != nil {
		return storedRun{}, false
	}
	sr := storedRun{Path: p, Name: name, Seed: r.Seed, Verdict: r.Verdict, Reasons: r.Reasons, Invariants: r.Invariants, Replay: r.Replay}
	if r.Anomaly != nil {
		sr.Anomaly = r.Anomaly.Summary
	}
	if fi, err := fs.Stat(root, path.Join(p, "results.json")); err == nil {
		sr.ModTime = fi.ModTime().UnixNano()
	}
	files, _ := fs.ReadDir(root, p)
	for _, f := range files {
		if f.Type().IsRegular() && !strings.HasPrefix(f.Name(), ".") {
			sr.Files = append(sr.Files, f.Name())
		}
	}
	return sr, true
}

// runLink is the URL path of a file of a stored run: every segment
// escaped, so a run name holding %, ? or # still links to its files.
func runLink(runPath, file string) string {
	segs := strings.Split(runPath, "/")
	if file != "" {
		segs = append(segs, file)
	}
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return "/runs/" + strings.Join(segs, "/")
}

var indexTemplate = template.Must(template.New("index").Funcs(template.FuncMap{"link": runLink, "page": runPageLink}).Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>raftcheck store</title>
<style>
` + serveCSS + `
</style></head><body>
<h1>raftcheck store</h1>
<form class="filter" method="get" action="/">
<label>verdict <select name="verdict">{{range .Verdicts}}<option value="{{.}}"{{if eq . $.Verdict}} selected{{end}}>{{if .}}{{.}}{{else}}any{{end}}</option>{{end}}</select></label>
<label>name <input name="name" value="{{.Name}}" placeholder="part of the run's name"></label>
<button type="submit">filter</button>{{if or .Verdict .Name}} <a href="/">all runs</a>{{end}}
</form>
<p>{{len .Runs}} of {{.Total}} runs, newest first. <a href="/runs/latest/">latest run</a></p>
<table><tr><th>run</th><th>seed</th><th>verdict</th><th>reports</th><th>why</th></tr>
{{range .Runs}}<tr class="{{.Verdict}}"><td><a href="{{page .Path}}">{{.Path}}</a></td><td>{{.Seed}}</td><td class="v">{{.Verdict}}</td>
<td>{{$p := .Path}}{{range .Files}}<a href="{{link $p .}}">{{.}}</a>{{end}}</td>
<td>{{if .Anomaly}}{{.Anomaly}}{{else}}{{with .Reasons}}{{index . 0}}{{if gt (len .) 1}} <i>(+{{len (slice . 1)}} more in the reports)</i>{{end}}{{end}}{{end}}</td></tr>
{{end}}</table></body></html>`))

// serveCSS styles the index and the run pages.
const serveCSS = `body{font:14px system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
.valid{background:#e6f4ea}.invalid{background:#fce8e6}.unknown{background:#fef7e0}
.v{font-weight:bold}a{margin-right:.6em}form.filter{margin:1em 0}form.filter label{margin-right:1em}
.badge{display:inline-block;padding:2px 8px;border-radius:3px;font-weight:bold;text-transform:uppercase}
.anomaly{border-left:4px solid #d62728;background:#fff5f5;padding:6px 12px;font-weight:600}
.inv{border-left:4px solid #8e24aa;background:#fbf5fd;padding:6px 12px}
ul.reports li{margin:2px 0}code{background:#f4f4f4;padding:1px 4px;overflow-wrap:anywhere}`

// indexData is the index page's: the runs shown, the filter, the total.
type indexData struct {
	Runs          []storedRun
	Total         int
	Verdict, Name string
	Verdicts      []string
}

// filterRuns keeps the runs with the verdict (any when "") whose path
// holds name (case-insensitive; any when "").
func filterRuns(runs []storedRun, verdict, name string) []storedRun {
	name = strings.ToLower(name)
	out := make([]storedRun, 0, len(runs))
	for _, r := range runs {
		if (verdict == "" || r.Verdict == verdict) && strings.Contains(strings.ToLower(r.Path), name) {
			out = append(out, r)
		}
	}
	return out
}

func cmdServe(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("serve")
	store := fs.String("store", "store", "result store directory")
	host := fs.String("host", "127.0.0.1", "address to listen on")
	port := fs.Int("port", 8080, "port to listen on (0 = any free port; the bound address is printed)")
	if done, err := parseArgs(fs, args, "serve [flags]", stdout, stderr); done || err != nil {
		return exitValid, err
	}
	if fs.NArg() > 0 {
		return exitUsage, usagef("unexpected argument %q", fs.Arg(0))
	}
	if *port < 0 || *port > 65535 {
		return exitUsage, usagef("--port: %d is outside 0..65535", *port)
	}
	if fi, err := os.Stat(*store); err != nil {
		return exitUsage, usagef("--store: %v", err)
	} else if !fi.IsDir() {
		return exitUsage, usagef("--store: %s is not a directory", *store)
	}
	root, err := os.OpenRoot(*store)
	if err != nil {
		return exitUsage, usagef("--store: %v", err)
	}
	defer root.Close()
	mux := storeHandler(root.FS(), stderr)
	ln, err := net.Listen("tcp", net.JoinHostPort(*host, strconv.Itoa(*port)))
	if err != nil {
		return exitUsage, usagef("--host/--port: %v", err)
	}
	fmt.Fprintf(stdout, "serving %s on http://%s/ (Ctrl-C to stop)\n", *store, ln.Addr())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		// Requests in flight get a moment to finish; Serve then returns ErrServerClosed.
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return exitInternal, err
	}
	return exitValid, nil
}

// storeHandler serves the store rooted at root: the index at /, the runs'
// files under /runs/. Everything is read through root (an os.Root's FS), so
// no symlink leads out of the store.
func storeHandler(root fs.FS, stderr io.Writer) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/runs/", http.StripPrefix("/runs/", http.FileServerFS(root)))
	mux.HandleFunc("/run/", func(w http.ResponseWriter, r *http.Request) { serveRunPage(w, r, root, stderr) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		runs, err := scanStore(root)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		q := r.URL.Query()
		d := indexData{Total: len(runs), Verdict: q.Get("verdict"), Name: q.Get("name"), Verdicts: []string{"", "invalid", "unknown", "valid"}}
		d.Runs = filterRuns(runs, d.Verdict, d.Name)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := indexTemplate.Execute(w, d); err != nil {
			fmt.Fprintln(stderr, "serve:", err)
		}
	})
	return gzipHandler(mux)
}
