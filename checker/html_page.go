package checker

import (
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
)

// linearizability.html is raftcheck's own page: the verdict, the anomaly
// in one sentence with the rule it breaks, the counterexample drawn on a
// time axis under the faults and leaders (html_view.go), the supporting
// list, and porcupine's diagram of the counterexample alone. It loads at
// once however long the history: porcupine's visualization of the whole
// history (tens of seconds for a long run) is a page of its own
// (WritePorcupinePage), which this one links to.

// PorcupineFile is the name raftcheck gives porcupine's page of the whole
// history next to linearizability.html (in a run's directory).
const PorcupineFile = "porcupine.html"

var (
	//go:embed assets/linpage.css
	pageCSS string
	//go:embed assets/linpage.js
	pageJS string
)

// viewPage is linearizability.html's template data.
type viewPage struct {
	Title, Result, Badge, Facts string
	Anomaly                     *viewAnomaly
	Summary                     string // the list's first sentence, or why there is none
	ListTitle                   string
	Ops                         []headOp
	SVG                         template.HTML // html_view.go's SVG: escaped there
	Mini                        string
	MiniRows                    int
	Full                        string // porcupine's page, relative ("": none)
	FullNote                    string
	CSS                         template.CSS
	JS                          template.JS
}

type viewAnomaly struct {
	Title, Sentence, Rule string
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{{.Title}} — linearizability</title>
<style>
{{.CSS}}
</style>
</head>
<body>
<header id="rc-head" class="rc-{{.Result}}">
<div class="rc-row"><span class="rc-badge">{{.Badge}}</span><h1>{{.Title}}</h1></div>
<div class="rc-facts">{{.Facts}}</div>
{{- with .Anomaly}}
<section class="rc-anomaly" aria-label="anomaly">
<h2>{{.Title}}</h2>
<p class="rc-sentence">{{.Sentence}}</p>
{{- if .Rule}}
<p class="rc-rule">{{.Rule}}</p>
{{- end}}
</section>
{{- end}}
{{- if and .Summary (not .Ops)}}
<p class="rc-summary">{{.Summary}}</p>
{{- end}}
</header>
<main>
{{- if .SVG}}
<section class="rc-view" aria-label="the decisive operations">
<h2>The operations, in time</h2>
<p class="rc-note">The faults and each node's leaderships, crashes and pauses at the top; below, one row per client process. Outlined in red: the operations that prove the anomaly (bold, labelled by their part in it) and the rest of the counterexample; dashed: the one no order of the others leaves room for. Time is warped so every instant shows and every box fits its text; hover a box for its details.</p>
{{.SVG}}
</section>
{{- end}}
{{- if .Ops}}
<details class="rc-list" open>
<summary>{{.ListTitle}}</summary>
<p class="rc-summary">{{.Summary}}</p>
<ol class="rc-cex">
{{- range .Ops}}
<li{{if .Culprit}} class="rc-culprit"{{end}}><button type="button" class="rc-show" data-op="{{.Op}}" title="point at it in the diagram above">show</button> {{.Text}}{{if $.Full}} <a class="rc-in-full" href="{{$.Full}}#op={{.Op}}">in porcupine's diagram</a>{{end}}</li>
{{- end}}
</ol>
</details>
{{- end}}
{{- if .Mini}}
<details class="rc-mini-box"><summary>The counterexample alone, in porcupine's diagram (its search's linearization points)</summary>
<iframe class="rc-mini" title="the counterexample operations alone" style="height: {{.MiniRows}}px" srcdoc="{{.Mini}}"></iframe>
</details>
{{- end}}
{{- if .Full}}
<p class="rc-full"><a href="{{.Full}}">porcupine's visualization of the whole history</a> — {{.FullNote}}</p>
{{- end}}
</main>
<script>
{{.JS}}
</script>
</body>
</html>
`))

// WriteHTMLPage writes linearizability.html: the verdict first; for an
// illegal history the anomaly (kind, sentence, rule), the counterexample
// drawn on a time axis under the faults and leaders from opts.Notes, the
// list of its operations (each node's role and term from opts.Roles), and
// porcupine's diagram of the counterexample alone; for every verdict a
// link to porcupine's visualization of the whole history at opts.FullPage,
// which WritePorcupinePage writes. The page is small and self-contained
// (inline style and script, no network); user data is escaped.
func (r *LinResult) WriteHTMLPage(w io.Writer, opts HTMLOptions) error {
	if r == nil || r.spec == nil {
		return errors.New("linearizability page: no checked history")
	}
	if _, err := porcupineAnnotations(opts.Notes); err != nil {
		return err
	}
	d := viewPage{Title: opts.Title, Result: string(r.Result), Full: opts.FullPage, CSS: template.CSS(pageCSS), JS: template.JS(pageJS)}
	if d.Title == "" {
		d.Title = "Linearizability"
	}
	d.Facts = r.factsText()
	all := r.HistoryOps()
	d.FullNote = fmt.Sprintf("each of its %d operations with porcupine's linearization; it draws slowly on long histories (seconds per thousand operations).", all)
	switch r.Result {
	case LinOK:
		d.Badge = "linearizable"
		d.Summary = "Porcupine found a linearization of the whole history."
	case LinIllegal:
		d.Badge = "not linearizable"
		if err := r.viewIllegal(&d, opts); err != nil {
			return err
		}
	default:
		d.Badge = "unknown"
		why := fmt.Sprintf("the search gave up after %v", r.Duration.Round(time.Millisecond))
		if r.Reason != "" {
			why = r.Reason
		}
		d.Summary = fmt.Sprintf("%s%s without deciding: the verdict is unknown, not ok.", strings.ToUpper(why[:1]), why[1:])
	}
	if err := pageTemplate.Execute(w, d); err != nil {
		return fmt.Errorf("linearizability page: %w", err)
	}
	return nil
}

// factsText is the check's facts: model, operations, keys, time.
func (r *LinResult) factsText() string {
	keys := "1 partition"
	if r.Partitions != 1 {
		keys = fmt.Sprintf("%d partitions", r.Partitions)
	}
	if r.spec.name != ModelRegister {
		keys = strings.Replace(keys, "partition", "key", 1)
	}
	return fmt.Sprintf("%s · %s · porcupine took %v", r.countText(), keys, r.Duration.Round(time.Millisecond))
}

// viewIllegal fills the page of an illegal history.
func (r *LinResult) viewIllegal(d *viewPage, opts HTMLOptions) error {
	a := opts.Anomaly
	if a == nil {
		a = r.Anomaly(AnomalyContext{Roles: opts.Roles})
	}
	if a != nil {
		title := AnomalyTitle(a.Kind)
		d.Anomaly = &viewAnomaly{Title: strings.ToUpper(title[:1]) + title[1:], Sentence: a.Summary, Rule: AnomalyRule(a.Kind)}
	}
	if len(r.cex) == 0 {
		d.Summary = "Porcupine found no linearization; the search for a small counterexample was not run."
		if r.explainNote != "" {
			d.Summary = fmt.Sprintf("Porcupine found no linearization; the search for a small counterexample %s.", r.explainNote)
		}
		if d.Full != "" {
			d.Summary += " Porcupine's visualization of the whole history shows where its search got stuck (“jump to first error”)."
		}
		return nil
	}
	lines := r.Explain(opts.Roles)
	d.Summary = lines[0]
	d.ListTitle = fmt.Sprintf("The %d %s that cannot be linearized together", len(r.cex), pluralS(len(r.cex), "operation"))
	for i, pos := range r.Counterexample {
		op := headOp{Op: pos, Culprit: pos == r.Culprit, Text: HistoryRef(pos)}
		if i+1 < len(lines) {
			op.Text = lines[i+1]
		}
		d.Ops = append(d.Ops, op)
	}
	d.SVG = template.HTML(r.counterexampleSVG(a, opts.Notes)) // every text in it is escaped
	mini, rows, err := r.miniPage(opts.Notes)
	if err != nil {
		return err
	}
	d.Mini, d.MiniRows = mini, rows
	return nil
}

// WritePorcupinePage writes porcupine's interactive visualization of the
// checked history with opts.Notes drawn as annotations, under a header that
// gives the verdict first: for an illegal history the explanation of its
// counterexample, its operations outlined in the diagram, a "show" button
// that selects each (also opened by the page's address: #op=<history
// position>). It works for every result: a full linearization when ok, the
// longest partial linearizations when illegal or unknown. Unless the
// history was illegal, the first call reruns porcupine's search in its
// verbose mode (bounded by the check's timeout) to collect the
// linearizations the page draws. Porcupine's page is slow to draw on long
// histories; linearizability.html (WriteHTMLPage) links to it.
//
// The page is self-contained (its scripts and styles are inline; it loads
// nothing) and user data in it is inert: porcupine embeds the data as JSON
// with <, > and & escaped, the descriptions the page inserts as HTML are
// escaped, the header is escaped text, and colours are validated.
func (r *LinResult) WritePorcupinePage(w io.Writer, opts HTMLOptions) error {
	return r.writePorcupinePage(w, opts)
}
