package report

import "image/color"

// prepared is what more than one report derives from a run: WriteAll
// derives it once for all of them rather than once per report.
type prepared struct {
	r       *Run
	ix      nodeIndex    // node id → lane
	spans   []opSpan     // client operations, in invoke order
	faults  []pageFault  // fault windows by start, stacked in rows, coloured
	palette []color.RGBA // the colours of the faults, by pageFault.Color
}

// prepare validates r and derives what the reports share.
func prepare(r *Run) (*prepared, error) {
	ix, err := r.validate()
	if err != nil {
		return nil, err
	}
	spans, err := pairOps(r.History, r.End)
	if err != nil {
		return nil, err
	}
	faults, palette := buildFaults(r)
	return &prepared{r: r, ix: ix, spans: spans, faults: faults, palette: palette}, nil
}
