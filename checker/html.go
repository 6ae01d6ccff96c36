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
}

// cssColor accepts the colour forms that cannot smuggle other CSS into the
// style attribute porcupine's page builds from it.
var cssColor = regexp.MustCompile(`^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{1,30}|(rgb|rgba|hsl|hsla)\([0-9., %]{1,40}\))$`)

// WriteHTML writes the linearizability page with notes and no title or
// roles; see [LinResult.WriteHTMLPage].
func (r *LinResult) WriteHTML(w io.Writer, notes []Annotation) error {
	return r.WriteHTMLPage(w, HTMLOptions{Notes: notes})
}

// WriteHTMLPage writes linearizability.html: porcupine's interactive
// visualization of the checked history with opts.Notes drawn as
// annotations, under a header that gives the verdict first. It works for
// every result: a full linearization when ok, the longest partial
// linearizations when illegal or unknown. For an illegal history the header
// explains the counterexample (each operation, the node that served it and,
// with opts.Roles, that node's role and term), shows those operations alone
// in a small diagram of their own, outlines them in the full one, and lets
// a click select each one there. Unless the history was illegal, the first
// call reruns porcupine's search in its verbose mode (bounded by the
// check's timeout) to collect the linearizations the page draws.
//
// The page is self-contained (its scripts and styles are inline; it loads
// nothing) and user data in it is inert: porcupine embeds the data as JSON
// with <, > and & escaped, the descriptions the page inserts as HTML are
// escaped, the header is escaped text, and colours are validated.
func (r *LinResult) WriteHTMLPage(w io.Writer, opts HTMLOptions) error {
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
