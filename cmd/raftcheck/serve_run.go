package main

import (
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The run page of `raftcheck serve` (/run/<name>/<dir>/): the verdict, the
// anomaly's sentence, the invariants broken, the reasons, links to each
// report with what it shows, the replay command, and the way back to the
// index.

// reportNotes say what each report file of a run shows, in the order the
// run page lists them; files not named here follow, by name.
var reportNotes = []struct{ File, Note string }{
	{"timeline.html", "every node's role, the faults, the client operations and the messages in time; the counterexample and the invariants broken marked"},
	{"linearizability.html", "the anomaly and the operations that prove it, on a time axis under the faults and leaders"},
	{"porcupine.html", "porcupine's visualization of the whole history (slow to draw on long runs)"},
	{"latency.svg", "latency of every operation, fault windows shaded"},
	{"rate.svg", "throughput by outcome, fault windows shaded"},
	{"summary.txt", "the final node table, the verdict and its reasons, the stats"},
	{"results.json", "the result as data: verdict, anomaly, invariants, stats, replay command"},
	{"history.jsonl", "the history, one event per line"},
	{"history.edn", "the history in Jepsen's EDN"},
}

// maxRunReasons bounds the reasons the run page lists (the reports have
// them all).
const maxRunReasons = 20

// runFile is a link on the run page.
type runFile struct {
	Name, Href, Note string
}

// runPage is the run page's template data.
type runPage struct {
	storedRun
	Reports   []runFile
	More      int // reasons not listed
	Timestamp string
}

var runTemplate = template.Must(template.New("run").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>{{.Path}} — raftcheck</title>
<style>
` + serveCSS + `
</style></head><body>
<p><a href="/">← all runs</a></p>
<h1>{{.Path}} <span class="badge {{.Verdict}}">{{.Verdict}}</span></h1>
<p>seed {{.Seed}}</p>
{{- if .Anomaly}}
<p class="anomaly">{{.Anomaly}}</p>
{{- end}}
{{- range .Invariants}}
<p class="inv"><b>invariant broken: {{.Invariant}}</b> — {{.Evidence}}{{if gt .Count 1}} (breached {{.Count}} times; the first is shown){{end}}</p>
{{- end}}
<h2>Reports</h2>
<ul class="reports">
{{- range .Reports}}
<li><a href="{{.Href}}">{{.Name}}</a>{{if .Note}} — {{.Note}}{{end}}</li>
{{- end}}
</ul>
{{- if .Reasons}}
<h2>Reasons</h2>
<ul>
{{- range .Reasons}}
<li>{{.}}</li>
{{- end}}
{{- if .More}}
<li><i>{{.More}} more in summary.txt</i></li>
{{- end}}
</ul>
{{- end}}
{{- if .Replay}}
<h2>Replay</h2>
<p><code>{{.Replay}}</code></p>
{{- end}}
</body></html>
`))

// runPageLink is the URL path of a run's page.
func runPageLink(runPath string) string {
	segs := strings.Split(runPath, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return "/run/" + strings.Join(segs, "/") + "/"
}

// serveRunPage answers /run/<name>/<dir>/ from the store at root.
func serveRunPage(w http.ResponseWriter, r *http.Request, root fs.FS, stderr io.Writer) {
	segs := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/run/"), "/"), "/")
	if len(segs) != 2 || !fs.ValidPath(segs[0]) || !fs.ValidPath(segs[1]) || strings.HasPrefix(segs[0], ".") || strings.HasPrefix(segs[1], ".") {
		http.NotFound(w, r)
		return
	}
	sr, ok := loadRun(root, segs[0], segs[1])
	if !ok {
		http.NotFound(w, r)
		return
	}
	p := runPage{storedRun: sr}
	if len(p.Reasons) > maxRunReasons {
		p.More = len(p.Reasons) - maxRunReasons
		p.Reasons = p.Reasons[:maxRunReasons]
	}
	for _, n := range reportNotes {
		if slices.Contains(sr.Files, n.File) {
			p.Reports = append(p.Reports, runFile{Name: n.File, Href: runLink(sr.Path, n.File), Note: n.Note})
		}
	}
	for _, f := range sr.Files {
		if !slices.ContainsFunc(reportNotes, func(n struct{ File, Note string }) bool { return n.File == f }) {
			p.Reports = append(p.Reports, runFile{Name: f, Href: runLink(sr.Path, f)})
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := runTemplate.Execute(w, p); err != nil {
		fmt.Fprintln(stderr, "serve:", err)
	}
}
