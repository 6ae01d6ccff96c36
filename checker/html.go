package checker

import (
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

// cssColor accepts the colour forms that cannot smuggle other CSS into the
// style attribute porcupine's page builds from it.
var cssColor = regexp.MustCompile(`^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{1,30}|(rgb|rgba|hsl|hsla)\([0-9., %]{1,40}\))$`)

// WriteHTML writes porcupine's interactive visualization of the checked
// history (linearizability.html) with notes drawn as annotations. It works for
// every result: a full linearization when ok, the longest partial
// linearizations when illegal or unknown. The page is self-contained (its
// script and styles are inline; it loads nothing) and user data in it is
// inert: porcupine embeds the data as JSON with <, > and & escaped, the
// descriptions the page inserts as HTML are escaped here, and colours are
// validated.
func (r *LinResult) WriteHTML(w io.Writer, notes []Annotation) error {
	if r == nil || r.spec == nil {
		return errors.New("linearizability page: no checked history")
	}
	anns := make([]porcupine.Annotation, len(notes))
	for i, n := range notes {
		if n.Color != "" && !cssColor.MatchString(n.Color) {
			return fmt.Errorf("annotation %d (%q): Color %q is not a plain CSS colour", i, n.Label, n.Color)
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
	info := r.info // a copy: annotations must not accumulate across calls
	info.AddAnnotations(anns)
	if err := porcupine.Visualize(r.spec.model, info, w); err != nil {
		return fmt.Errorf("linearizability page: %w", err)
	}
	return nil
}
