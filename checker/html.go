package checker

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"

	"github.com/anishathalye/porcupine"
)

// Annotation marks a time window (or an instant, End ≤ Start) on the
// linearizability page: a nemesis fault, a crash, a restart, a leader change.
// Times are in the history's time base (virtual nanoseconds).
type Annotation struct {
	Start, End int64
	Tag        string // the row it is drawn in, e.g. "nemesis" or "node 3"; "" means "events"
	Label      string // text in the box
	Details    string // tooltip
	Color      string // CSS background colour ("#rrggbb", a name or rgb()/hsl()); "" for the default
}

// HTMLOptions configures [LinResult.WriteHTMLPage].
type HTMLOptions struct {
	// Title heads the page, e.g. the run's name and seed; "" for a plain
	// "Linearizability".
	Title string
	// Notes are drawn as annotations under the clients: fault windows,
	// crashes, leaders.
	Notes []Annotation
	// Roles, when known, lets the explanation of a violation name each
	// operation's node role and term and the leader at the time.
	Roles *RoleTimeline
	// Anomaly is the counterexample's classification to show (the run's,
	// with its faults); nil: classified here from Roles alone.
	Anomaly *Anomaly
	// FullPage is where porcupine's visualization of the whole history is
	// (WritePorcupinePage), relative to the page: WriteHTMLPage links to
	// it. "": nowhere, no link.
	FullPage string
}

// cssColor accepts the colour forms that cannot smuggle other CSS into the
// style attribute porcupine's page builds from it.
var cssColor = regexp.MustCompile(`^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{1,30}|(rgb|rgba|hsl|hsla)\([0-9., %]{1,40}\))$`)

// WriteHTML writes the linearizability page with notes and no title,
// roles or link to porcupine's full page; see [LinResult.WriteHTMLPage].
func (r *LinResult) WriteHTML(w io.Writer, notes []Annotation) error {
	return r.WriteHTMLPage(w, HTMLOptions{Notes: notes})
}

// writePorcupinePage is WritePorcupinePage.
func (r *LinResult) writePorcupinePage(w io.Writer, opts HTMLOptions) error {
	if r == nil || r.spec == nil {
		return errors.New("linearizability page: no checked history")
	}
	anns, err := porcupineAnnotations(opts.Notes)
	if err != nil {
		return err
	}
	info := r.linInfo() // a copy: annotations must not accumulate across calls
	info.AddAnnotations(anns)
	var page bytes.Buffer
	if err := porcupine.Visualize(r.spec.model, info, &page); err != nil {
		return fmt.Errorf("linearizability page: %w", err)
	}
	head, err := r.pageHeader(opts)
	if err != nil {
		return err
	}
	if err := injectHeader(w, page.Bytes(), head); err != nil {
		return fmt.Errorf("linearizability page: %w", err)
	}
	return nil
}

func porcupineAnnotations(notes []Annotation) ([]porcupine.Annotation, error) {
	anns := make([]porcupine.Annotation, len(notes))
	for i, n := range notes {
		if n.Color != "" && !cssColor.MatchString(n.Color) {
			return nil, fmt.Errorf("annotation %d (%q): Color %q is not a plain CSS colour", i, n.Label, n.Color)
		}
		tag := n.Tag
		if tag == "" {
			tag = "events"
		}
		anns[i] = porcupine.Annotation{
			Tag:             tag,
			Start:           n.Start,
			End:             max(n.End, n.Start),
			Description:     n.Label,
			Details:         n.Details,
			BackgroundColor: n.Color,
		}
	}
	return anns, nil
}

// injectHeader writes porcupine's page with the header's style at the end
// of <head>, its markup first in <body> and its script last in <body>.
// Porcupine's template holds each tag once, before any data.
func injectHeader(w io.Writer, page []byte, h pageHead) error {
	headEnd := bytes.Index(page, []byte("</head>"))
	bodyStart := bytes.Index(page, []byte("<body>"))
	bodyEnd := bytes.LastIndex(page, []byte("</body>"))
	if headEnd < 0 || bodyStart < headEnd || bodyEnd < bodyStart {
		return errors.New("porcupine's page has an unexpected shape")
	}
	bodyStart += len("<body>")
	for _, part := range [][]byte{
		page[:headEnd], []byte(h.style), page[headEnd:bodyStart], []byte(h.markup),
		page[bodyStart:bodyEnd], []byte(h.script), page[bodyEnd:],
	} {
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return nil
}
