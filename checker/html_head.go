package checker

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

// The header's style and script are plain files so they can be read and
// linted as CSS and JavaScript.
var (
	//go:embed assets/linhead.css
	headCSS string
	//go:embed assets/linhead.js
	headJS string
)

// pageHead is what WriteHTMLPage adds to porcupine's page.
type pageHead struct {
	style, markup, script string
}

// headOp is one counterexample operation in the header.
type headOp struct {
	Op        int // history position of the invoke
	Partition int // where porcupine draws it: partition and index in it
	Index     int
	Found     bool
	Culprit   bool
	Text      string
}

type headData struct {
	Title    string
	Result   string
	Badge    string
	Facts    string
	Summary  string
	Ops      []headOp
	Mini     string // porcupine's page of the counterexample alone, for an iframe's srcdoc
	MiniRows int
	Help     string
}

var headTemplate = template.Must(template.New("head").Parse(`
<header id="rc-head" class="rc-{{.Result}}">
<div class="rc-row"><span class="rc-badge">{{.Badge}}</span><h1>{{.Title}}</h1></div>
<div class="rc-facts">{{.Facts}}</div>
{{- if .Summary}}
<p class="rc-summary">{{.Summary}}</p>
{{- end}}
{{- if .Ops}}
<ol class="rc-cex">
{{- range .Ops}}
<li{{if .Culprit}} class="rc-culprit"{{end}}>{{if .Found}}<button type="button" class="rc-show" data-p="{{.Partition}}" data-i="{{.Index}}" data-op="{{.Op}}" title="select it in the diagram below">show</button> {{end}}{{.Text}}</li>
{{- end}}
</ol>
{{- end}}
{{- if .Mini}}
<details class="rc-mini-box" open><summary>The counterexample alone</summary>
<iframe class="rc-mini" title="the counterexample operations alone" style="height: {{.MiniRows}}px" srcdoc="{{.Mini}}"></iframe>
</details>
{{- end}}
<p class="rc-help">{{.Help}}</p>
</header>
`))

// pageHeader builds the header: the verdict, the facts of the check and,
// for an illegal history, the explanation of its counterexample.
func (r *LinResult) pageHeader(opts HTMLOptions) (pageHead, error) {
	d := headData{Title: opts.Title, Result: string(r.Result)}
	if d.Title == "" {
		d.Title = "Linearizability"
	}
	keys := "1 partition"
	if r.Partitions != 1 {
		keys = fmt.Sprintf("%d partitions", r.Partitions)
	}
	if r.spec.name != ModelRegister {
		keys = strings.Replace(keys, "partition", "key", 1)
	}
	d.Facts = fmt.Sprintf("model %s · %d %s checked · %s · porcupine took %v", r.Model, r.Ops, pluralS(r.Ops, "operation"), keys, r.Duration.Round(time.Millisecond))
	const boxes = "Each row is a client process (a fresh process takes a thread after an op of unknown outcome); " +
		"boxes span an operation's call and return; the rows under the clients are annotations (faults, crashes, leaders). " +
		"Hover a box for its linearization, click to pin it. Time is warped so every box fits its text."
	switch r.Result {
	case LinOK:
		d.Badge = "linearizable"
		d.Help = "The lines through the boxes are one linearization of the whole history. " + boxes
		if r.infoNote != "" {
			// The verdict's search finished; the page's own search over
			// whole keys did not.
			d.Summary = fmt.Sprintf("The diagram needs a second search over whole keys, and %s: it shows the partial linearizations found until then. The verdict stands.", r.infoNote)
			d.Help = boxes
		}
	case LinIllegal:
		d.Badge = "not linearizable"
		d.Help = "Grey lines are the longest partial linearizations porcupine found; red lines, the operations that could not come next. " + boxes
		if err := r.explainHead(&d, opts); err != nil {
			return pageHead{}, err
		}
	default:
		d.Badge = "unknown"
		why := fmt.Sprintf("the search gave up after %v", r.Duration.Round(time.Millisecond))
		if r.Reason != "" {
			why = r.Reason
		}
		d.Summary = fmt.Sprintf("%s%s without deciding: the verdict is unknown, not ok. The diagram shows the longest partial linearizations found so far.", strings.ToUpper(why[:1]), why[1:])
		d.Help = boxes
	}
	var b bytes.Buffer
	if err := headTemplate.Execute(&b, d); err != nil {
		return pageHead{}, fmt.Errorf("linearizability page header: %w", err)
	}
	return pageHead{
		style:  "<style>\n" + headCSS + "</style>\n",
		markup: b.String(),
		script: "<script>\n" + headJS + "</script>\n",
	}, nil
}

// explainHead fills the counterexample part of the header.
func (r *LinResult) explainHead(d *headData, opts HTMLOptions) error {
	if len(r.cex) == 0 {
		d.Summary = "Porcupine found no linearization; the search for a small counterexample was not run. Use “jump to first error” above the diagram."
		if r.explainNote != "" {
			d.Summary = fmt.Sprintf("Porcupine found no linearization; the search for a small counterexample %s. Use “jump to first error” above the diagram.", r.explainNote)
		}
		return nil
	}
	lines := r.Explain(opts.Roles)
	d.Summary = lines[0]
	where := r.drawnAt()
	for i, pos := range r.Counterexample {
		op := headOp{Op: pos, Culprit: pos == r.Culprit, Text: HistoryRef(pos)}
		if i+1 < len(lines) {
			op.Text = lines[i+1]
		}
		if at, ok := where[pos]; ok {
			op.Partition, op.Index, op.Found = at[0], at[1], true
		}
		d.Ops = append(d.Ops, op)
	}
	mini, rows, err := r.miniPage(opts.Notes)
	if err != nil {
		return err
	}
	d.Mini, d.MiniRows = mini, rows
	return nil
}

// drawnAt maps the history position of each checked operation's invoke to
// where porcupine's page draws it: its partition and its index there
// (porcupine numbers a partition's operations in the order Partition
// returns them).
func (r *LinResult) drawnAt() map[int][2]int {
	parts := [][]porcupine.Operation{r.conv.ops}
	if r.spec.model.Partition != nil {
		parts = r.spec.model.Partition(r.conv.ops)
	}
	at := make(map[int][2]int, len(r.conv.ops))
	for p, ops := range parts {
		for i, op := range ops {
			at[op.Input.(*linOp).inv] = [2]int{p, i}
		}
	}
	return at
}

// miniPage is porcupine's page of the counterexample's operations alone,
// with the notes that overlap them (clipped to their span), and the height
// in pixels it needs.
func (r *LinResult) miniPage(notes []Annotation) (string, int, error) {
	lanes := make(map[int]int)
	ops := make([]porcupine.Operation, 0, len(r.cex))
	lo, hi := int64(0), int64(0)
	for i, o := range r.cex {
		if _, ok := lanes[o.process]; !ok {
			lanes[o.process] = len(lanes)
		}
		ops = append(ops, porcupine.Operation{ClientId: lanes[o.process], Input: o, Call: o.call, Output: o, Return: o.done, Metadata: o})
		end := o.done
		if o.done >= r.conv.infinity {
			end = o.call
		}
		if i == 0 || o.call < lo {
			lo = o.call
		}
		hi = max(hi, end)
	}
	// A handful of ops: the bounds only guard against a pathological page,
	// which is then left out rather than drawn from an unfinished search.
	model := r.spec.model
	model.Partition = nil
	g := newGuard(r.memLimit, r.stepLimit, r.probes)
	end := g.watch()
	s := g.search(r.probes.now().Add(DefaultExplainTimeout))
	_, info := porcupine.CheckOperationsVerbose(s.model(model), ops, 0)
	end()
	if s.cause() != stopNone {
		return "", 0, nil
	}
	var near []Annotation
	tags := make(map[string]bool)
	for _, n := range notes {
		if max(n.End, n.Start) < lo || n.Start > hi {
			continue
		}
		n.Start, n.End = max(n.Start, lo), min(max(n.End, n.Start), hi)
		near = append(near, n)
		tags[n.Tag] = true
	}
	anns, err := porcupineAnnotations(near)
	if err != nil {
		return "", 0, err
	}
	info.AddAnnotations(anns)
	var page bytes.Buffer
	if err := porcupine.Visualize(model, info, &page); err != nil {
		return "", 0, fmt.Errorf("linearizability page: counterexample diagram: %w", err)
	}
	rows := len(lanes) + len(tags)
	mini := page.Bytes()
	if end := bytes.LastIndex(mini, []byte("</body>")); end >= 0 {
		mini = append(mini[:end:end], append([]byte(miniScript), mini[end:]...)...)
	}
	return string(mini), 45*rows + 90, nil
}

// miniScript scrolls the small diagram (its own document only) so that its
// first illegal linearization point, where the history breaks, is in view.
const miniScript = `<script>
(function () {
  "use strict";
  let best = null;
  for (const p of document.querySelectorAll("line.linearization-invalid.linearization-point")) {
    if (p.parentElement.classList.contains("hidden")) continue;
    const x = Number(p.getAttribute("x1"));
    if (best === null || x < best) best = x;
  }
  if (best !== null) window.scrollTo(Math.max(0, best - window.innerWidth / 2), 0);
})();
</script>
`
