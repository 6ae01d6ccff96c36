package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"
)

// outcomeColors are shared by the plots and the timeline page.
var outcomeColors = [...]color.RGBA{
	outcomeOK:      {R: 0x2f, G: 0x9e, B: 0x44, A: 0xff},
	outcomeFail:    {R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	outcomeInfo:    {R: 0xf0, G: 0x8c, B: 0x00, A: 0xff},
	outcomePending: {R: 0x88, G: 0x88, B: 0x88, A: 0xff},
}

// bandOpacity keeps overlapping fault windows and the data under them readable.
const bandOpacity = float64(0x50) / 0xff

// dashes tell operation functions apart in the rate plot.
var dashes = [...][]float64{nil, {6, 3}, {2, 2}, {8, 3, 2, 3}}

// markStyles draw the findings' moments: an anomaly in red, a broken
// invariant in violet, as on the timeline.
var (
	anomalyMarkStyle   = lineStyle{Color: color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}, Width: 1.6, Dashes: []float64{6, 3}}
	invariantMarkStyle = lineStyle{Color: color.RGBA{R: 0x8e, G: 0x24, B: 0xaa, A: 0xff}, Width: 1.6, Dashes: []float64{6, 3}}
)

// plotMark is a finding's moment on the plots.
type plotMark struct {
	at    float64 // seconds after the start
	label string
	style lineStyle
}

// healStyle is the final heal's dashed line.
var healStyle = lineStyle{Color: color.RGBA{R: 0x33, G: 0x33, B: 0x33, A: 0xff}, Width: 1, Dashes: []float64{4, 3}}

// plotInputs is what both plots need from a run.
type plotInputs struct {
	spans    []opSpan
	fs       []string // distinct op functions, first-seen order
	faults   []pageFault
	palette  []color.RGBA // the faults' colours, pageFault.Color indexes it
	heal     int64        // µs, -1 none
	marks    []plotMark   // the findings' moments
	duration float64
	start    int64
}

// newPlotInputs gathers what the plots draw from a prepared run.
func newPlotInputs(p *prepared) *plotInputs {
	r := p.r
	in := &plotInputs{spans: p.spans, faults: p.faults, palette: p.palette, heal: -1, duration: float64(r.End-r.Start) / 1e9, start: r.Start}
	if r.HealTime != 0 {
		in.heal = (r.HealTime - r.Start) / 1000
	}
	if c := r.Counterexample; c != nil && c.Anomaly != nil && c.Anomaly.Time >= r.Start && c.Anomaly.Time != 0 {
		in.marks = append(in.marks, plotMark{at: float64(c.Anomaly.Time-r.Start) / 1e9, label: c.Anomaly.Title, style: anomalyMarkStyle})
	}
	for _, v := range r.Violations {
		t := min(max(v.Time, r.Start), r.End)
		in.marks = append(in.marks, plotMark{at: float64(t-r.Start) / 1e9, label: v.Invariant, style: invariantMarkStyle})
	}
	var fs interner
	for _, s := range p.spans {
		fs.id(s.f)
	}
	in.fs = fs.List
	return in
}

// newChart makes a plot with a time axis covering the run, its fault
// windows shaded and the final heal marked.
func (in *plotInputs) newChart(title, ylabel string) *chart {
	c := newChart(title, "time (s)", ylabel, math.Max(in.duration, 1e-3))
	for _, f := range in.faults {
		c.band(float64(f.T0)/1e6, float64(f.T1)/1e6, in.palette[f.Color], bandOpacity)
	}
	if in.heal >= 0 {
		c.vline(float64(in.heal)/1e6, healStyle)
	}
	for _, m := range in.marks {
		c.vline(m.at, m.style)
	}
	return c
}

// addFaultLegend lists each distinct fault once, then the heal line.
func (in *plotInputs) addFaultLegend(c *chart) {
	seen := make(map[string]bool)
	for _, f := range in.faults {
		if !seen[f.Name] {
			seen[f.Name] = true
			c.addLegend(f.Name, c.swatchThumb(in.palette[f.Color], bandOpacity))
		}
	}
	if in.heal >= 0 {
		c.addLegend("final heal", c.vlineThumb(healStyle))
	}
	seen = make(map[string]bool)
	for _, m := range in.marks {
		label := fmt.Sprintf("%s at %.2f s", m.label, m.at)
		if !seen[label] {
			seen[label] = true
			c.addLegend(label, c.vlineThumb(m.style))
		}
	}
}

// WriteLatencyPlot writes latency.svg: every client operation as a point
// at its invoke time with its latency on a log axis, coloured by outcome
// (ok, fail, info) and shaped by function; fault windows are shaded and the
// final heal is a dashed line. Operations still pending at the end are
// left out: they have no latency.
func WriteLatencyPlot(w io.Writer, r *Run) error {
	p, err := prepare(r)
	if err != nil {
		return err
	}
	return newPlotInputs(p).writeLatency(w)
}

// writeLatency is WriteLatencyPlot for a prepared run.
func (in *plotInputs) writeLatency(w io.Writer) error {
	c := in.newChart("Latency", "latency (ms, log)")
	c.logY, c.yTicks = true, decadeTicks{}
	lo, hi := math.Inf(1), math.Inf(-1)
	for fi, f := range in.fs {
		for _, outcome := range []int{outcomeOK, outcomeFail, outcomeInfo} {
			var pts []xy
			for _, s := range in.spans {
				if s.f != f || s.outcome != outcome {
					continue
				}
				// A zero latency cannot sit on a log axis; a microsecond is
				// below anything a simulated network produces.
				ms := math.Max(float64(s.complete-s.invoke)/1e6, 1e-3)
				pts = append(pts, xy{X: float64(s.invoke-in.start) / 1e9, Y: ms})
				lo, hi = math.Min(lo, ms), math.Max(hi, ms)
			}
			if len(pts) == 0 {
				continue
			}
			g := glyph(fi % int(numGlyphs))
			c.points(pts, g, outcomeColors[outcome])
			c.addLegend(seriesName(f, outcome, len(pts)), c.glyphThumb(g, outcomeColors[outcome]))
		}
	}
	if math.IsInf(lo, 1) {
		lo, hi = 0.1, 1000 // no completed ops: an empty but valid axis
	}
	c.yMin = math.Pow(10, math.Floor(math.Log10(lo)))
	c.yMax = math.Pow(10, math.Ceil(math.Log10(hi)+1e-9))
	in.addFaultLegend(c)
	return c.writeTo(w)
}

// WriteRatePlot writes rate.svg: completions per second over time for
// every function and outcome (colour by outcome, dashes by function), in
// buckets sized to give about a hundred points, with fault windows shaded.
func WriteRatePlot(w io.Writer, r *Run) error {
	p, err := prepare(r)
	if err != nil {
		return err
	}
	return newPlotInputs(p).writeRate(w)
}

// writeRate is WriteRatePlot for a prepared run.
func (in *plotInputs) writeRate(w io.Writer) error {
	bucket := rateBucket(in.duration)
	c := in.newChart("Throughput", "completions/s ("+strconv.FormatFloat(bucket, 'g', -1, 64)+" s buckets)")
	n := int(math.Ceil(in.duration/bucket)) + 1
	counts := make([]float64, n)
	hi := 0.0
	for fi, f := range in.fs {
		for _, outcome := range []int{outcomeOK, outcomeFail, outcomeInfo} {
			clear(counts)
			total := 0
			for _, s := range in.spans {
				if s.f != f || s.outcome != outcome {
					continue
				}
				b := int(float64(s.complete-in.start) / 1e9 / bucket)
				if b >= 0 && b < n {
					counts[b]++
					total++
				}
			}
			if total == 0 {
				continue
			}
			pts := make([]xy, n)
			for b := range pts {
				pts[b] = xy{X: (float64(b) + 0.5) * bucket, Y: counts[b] / bucket}
				hi = math.Max(hi, pts[b].Y)
			}
			st := lineStyle{Color: outcomeColors[outcome], Width: 1.2, Dashes: dashes[fi%len(dashes)]}
			c.line(pts, st)
			c.addLegend(seriesName(f, outcome, total), c.lineThumb(st))
		}
	}
	c.yMin, c.yMax = 0, math.Max(hi*1.05, 1)
	in.addFaultLegend(c)
	return c.writeTo(w)
}

// rateBucket picks the smallest round bucket (in seconds) that gives at
// most about a hundred buckets over the run.
func rateBucket(duration float64) float64 {
	for _, b := range []float64{0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60} {
		if duration/b <= 100 {
			return b
		}
	}
	return 60 * math.Ceil(duration/6000)
}

func seriesName(f string, outcome int, n int) string {
	return f + " " + outcomeNames[outcome] + " (" + strconv.Itoa(n) + ")"
}
