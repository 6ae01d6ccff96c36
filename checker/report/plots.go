package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Plot geometry: wide like Jepsen's graphs, with the legend in a column of
// its own so it never hides data.
const (
	plotWidth   = 11 * vg.Inch
	plotHeight  = 4 * vg.Inch
	legendWidth = 2.2 * vg.Inch
)

// outcomeColors are shared by the plots and the timeline page.
var outcomeColors = [...]color.RGBA{
	outcomeOK:      {R: 0x2f, G: 0x9e, B: 0x44, A: 0xff},
	outcomeFail:    {R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	outcomeInfo:    {R: 0xf0, G: 0x8c, B: 0x00, A: 0xff},
	outcomePending: {R: 0x88, G: 0x88, B: 0x88, A: 0xff},
}

// faultPalette colours fault windows by name, in order of first start
// (pageFault.Color indexes it); the timeline uses the same colours.
var faultPalette = [...]color.RGBA{
	{R: 0x9e, G: 0x9a, B: 0xc8, A: 0xff}, // purple
	{R: 0xfd, G: 0xae, B: 0x6b, A: 0xff}, // orange
	{R: 0x6b, G: 0xae, B: 0xd6, A: 0xff}, // blue
	{R: 0xe7, G: 0x96, B: 0xc6, A: 0xff}, // pink
	{R: 0xa1, G: 0xd9, B: 0x9b, A: 0xff}, // green
	{R: 0xd9, G: 0xd9, B: 0x6b, A: 0xff}, // olive
	{R: 0xbc, G: 0x80, B: 0xbd, A: 0xff}, // violet
	{R: 0x96, G: 0x96, B: 0x96, A: 0xff}, // grey
	{R: 0x66, G: 0xc2, B: 0xa5, A: 0xff}, // teal
	{R: 0xe5, G: 0xc4, B: 0x94, A: 0xff}, // sand
	{R: 0xf4, G: 0x8f, B: 0x8f, A: 0xff}, // salmon
	{R: 0x8d, G: 0xa0, B: 0xcb, A: 0xff}, // slate blue
	{R: 0xc7, G: 0xe9, B: 0x4b, A: 0xff}, // lime
	{R: 0xb3, G: 0x8b, B: 0x6d, A: 0xff}, // brown
}

// bandAlpha keeps overlapping fault windows and the data under them readable.
const bandAlpha = 0x50

// glyphs tell operation functions apart in the latency plot.
var glyphs = [...]draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.TriangleGlyph{}, draw.SquareGlyph{}, draw.PyramidGlyph{},
	draw.CrossGlyph{}, draw.PlusGlyph{}, draw.RingGlyph{}, draw.BoxGlyph{},
}

// dashes tell operation functions apart in the rate plot.
var dashes = [...][]vg.Length{
	nil, {vg.Points(6), vg.Points(3)}, {vg.Points(2), vg.Points(2)},
	{vg.Points(8), vg.Points(3), vg.Points(2), vg.Points(3)},
}

// faultBands shades fault windows over the whole height of the data area
// and marks the final heal with a dashed line.
type faultBands struct {
	x0, x1 []float64 // seconds
	color  []color.Color
	heal   float64 // seconds, NaN for none
}

func newFaultBands(faults []pageFault, heal int64) *faultBands {
	b := &faultBands{heal: math.NaN()}
	if heal >= 0 {
		b.heal = float64(heal) / 1e6
	}
	for _, f := range faults {
		b.x0 = append(b.x0, float64(f.T0)/1e6)
		b.x1 = append(b.x1, float64(f.T1)/1e6)
		b.color = append(b.color, bandColor(f.Color))
	}
	return b
}

func bandColor(i int) color.Color {
	c := faultPalette[i]
	// premultiplied alpha, as color.RGBA requires
	return color.RGBA{R: uint8(int(c.R) * bandAlpha / 0xff), G: uint8(int(c.G) * bandAlpha / 0xff), B: uint8(int(c.B) * bandAlpha / 0xff), A: bandAlpha}
}

// Plot implements plot.Plotter.
func (b *faultBands) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	clampX := func(x vg.Length) vg.Length { return min(max(x, c.Min.X), c.Max.X) }
	for i := range b.x0 {
		x0, x1 := clampX(trX(b.x0[i])), clampX(trX(b.x1[i]))
		if x1 <= x0 {
			x1 = min(x0+1, c.Max.X) // an instantaneous fault still shows
		}
		c.FillPolygon(b.color[i], []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}})
	}
	if !math.IsNaN(b.heal) {
		x := trX(b.heal)
		if x >= c.Min.X && x <= c.Max.X {
			c.StrokeLine2(healStyle, x, c.Min.Y, x, c.Max.Y)
		}
	}
}

var healStyle = draw.LineStyle{
	Color:  color.RGBA{R: 0x33, G: 0x33, B: 0x33, A: 0xff},
	Width:  vg.Points(1),
	Dashes: []vg.Length{vg.Points(4), vg.Points(3)},
}

// swatch is a legend thumbnail filled with one colour.
type swatch struct{ color color.Color }

// Thumbnail implements plot.Thumbnailer.
func (s swatch) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(s.color, []vg.Point{c.Min, {X: c.Max.X, Y: c.Min.Y}, c.Max, {X: c.Min.X, Y: c.Max.Y}})
}

// healThumb is the legend thumbnail of the heal line.
type healThumb struct{}

// Thumbnail implements plot.Thumbnailer.
func (healThumb) Thumbnail(c *draw.Canvas) {
	x := (c.Min.X + c.Max.X) / 2
	c.StrokeLine2(healStyle, x, c.Min.Y, x, c.Max.Y)
}

// plotInputs is what both plots need from a run.
type plotInputs struct {
	spans    []opSpan
	fs       []string // distinct op functions, first-seen order
	faults   []pageFault
	heal     int64 // µs, -1 none
	duration float64
	start    int64
}

// newPlotInputs gathers what the plots draw from a prepared run.
func newPlotInputs(p *prepared) *plotInputs {
	r := p.r
	in := &plotInputs{spans: p.spans, faults: p.faults, heal: -1, duration: float64(r.End-r.Start) / 1e9, start: r.Start}
	if r.HealTime != 0 {
		in.heal = (r.HealTime - r.Start) / 1000
	}
	var fs interner
	for _, s := range p.spans {
		fs.id(s.f)
	}
	in.fs = fs.List
	return in
}

// newPlot makes a plot with a time axis covering the run.
func (in *plotInputs) newPlot(title, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "time (s)"
	p.Y.Label.Text = ylabel
	p.X.Min, p.X.Max = 0, math.Max(in.duration, 1e-3)
	p.Add(newFaultBands(in.faults, in.heal))
	p.Add(plotter.NewGrid())
	return p
}

// addFaultLegend lists each distinct fault once, then the heal line.
func (in *plotInputs) addFaultLegend(l *plot.Legend) {
	seen := make(map[string]bool)
	for _, f := range in.faults {
		if !seen[f.Name] {
			seen[f.Name] = true
			l.Add(f.Name, swatch{faultPalette[f.Color]})
		}
	}
	if in.heal >= 0 {
		l.Add("final heal", healThumb{})
	}
}

// render draws p and legend l side by side as SVG.
func render(w io.Writer, p *plot.Plot, l plot.Legend) error {
	c := vgsvg.New(plotWidth, plotHeight)
	dc := draw.New(c)
	p.Draw(draw.Crop(dc, 0, -legendWidth, 0, 0))
	l.Top, l.Left = true, true
	l.Draw(draw.Crop(dc, plotWidth-legendWidth+vg.Points(12), 0, 0, -vg.Points(24)))
	if _, err := c.WriteTo(w); err != nil {
		return fmt.Errorf("report: writing SVG: %w", err)
	}
	return nil
}

func newLegend() plot.Legend {
	l := plot.NewLegend()
	l.TextStyle.Font.Size = vg.Points(9)
	l.ThumbnailWidth = vg.Points(14)
	l.Padding = vg.Points(2)
	return l
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
	p := in.newPlot("Latency", "latency (ms, log)")
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = decadeTicks{}
	legend := newLegend()
	lo, hi := math.Inf(1), math.Inf(-1)
	for fi, f := range in.fs {
		for _, outcome := range []int{outcomeOK, outcomeFail, outcomeInfo} {
			var pts plotter.XYs
			for _, s := range in.spans {
				if s.f != f || s.outcome != outcome {
					continue
				}
				// A zero latency cannot sit on a log axis; a microsecond is
				// below anything a simulated network produces.
				ms := math.Max(float64(s.complete-s.invoke)/1e6, 1e-3)
				pts = append(pts, plotter.XY{X: float64(s.invoke-in.start) / 1e9, Y: ms})
				lo, hi = math.Min(lo, ms), math.Max(hi, ms)
			}
			if len(pts) == 0 {
				continue
			}
			sc, err := plotter.NewScatter(pts)
			if err != nil {
				return fmt.Errorf("report: latency series %s %s: %w", f, outcomeNames[outcome], err)
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: outcomeColors[outcome], Radius: vg.Points(1.6), Shape: glyphs[fi%len(glyphs)]}
			p.Add(sc)
			legend.Add(seriesName(f, outcome, len(pts)), sc)
		}
	}
	if math.IsInf(lo, 1) {
		lo, hi = 0.1, 1000 // no completed ops: an empty but valid axis
	}
	p.Y.Min = math.Pow(10, math.Floor(math.Log10(lo)))
	p.Y.Max = math.Pow(10, math.Ceil(math.Log10(hi)+1e-9))
	in.addFaultLegend(&legend)
	return render(w, p, legend)
}

// decadeTicks labels every power of ten of a log axis, with unlabelled
// ticks between. (plot.LogTicks can lose the lowest label to rounding:
// log10(0.1) is a hair above -1.)
type decadeTicks struct{}

// Ticks implements plot.Ticker.
func (decadeTicks) Ticks(lo, hi float64) []plot.Tick {
	if lo <= 0 || hi <= lo {
		return nil
	}
	var ticks []plot.Tick
	first, last := math.Floor(math.Log10(lo)+1e-9), math.Ceil(math.Log10(hi)-1e-9)
	for e := first; e <= last && e-first < 30; e++ {
		v := math.Pow(10, e)
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
		for i := 2.0; i < 10 && v*i <= hi; i++ {
			ticks = append(ticks, plot.Tick{Value: v * i})
		}
	}
	return ticks
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
	p := in.newPlot("Throughput", "completions/s ("+strconv.FormatFloat(bucket, 'g', -1, 64)+" s buckets)")
	p.Y.Min = 0
	legend := newLegend()
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
			pts := make(plotter.XYs, n)
			for b := range pts {
				pts[b] = plotter.XY{X: (float64(b) + 0.5) * bucket, Y: counts[b] / bucket}
				hi = math.Max(hi, pts[b].Y)
			}
			line, err := plotter.NewLine(pts)
			if err != nil {
				return fmt.Errorf("report: rate series %s %s: %w", f, outcomeNames[outcome], err)
			}
			line.LineStyle = draw.LineStyle{Color: outcomeColors[outcome], Width: vg.Points(1.2), Dashes: dashes[fi%len(dashes)]}
			p.Add(line)
			legend.Add(seriesName(f, outcome, total), line)
		}
	}
	p.Y.Max = math.Max(hi*1.05, 1)
	in.addFaultLegend(&legend)
	return render(w, p, legend)
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
