package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"
)

// svgchart.go draws the latency and rate plots: a time axis, a linear or
// log-10 value axis, shaded bands, point and line series, and a legend
// column. It is written by hand, a few hundred lines of SVG text, so that
// this package, and so every program importing raftcheck's public API,
// does not link a plotting library with its fonts and its PDF, EPS and
// LaTeX back ends (some sixty packages) to draw two charts.

// Plot geometry, in points (the SVG's user units): wide like Jepsen's
// graphs, with the legend in a column of its own so it never hides data.
const (
	plotWidth   = 792.0 // 11 in
	plotHeight  = 288.0 // 4 in
	legendWidth = 158.4 // 2.2 in

	// The data area's margins inside the plot's part of the image.
	marginLeft   = 66.0
	marginRight  = 14.0
	marginTop    = 26.0
	marginBottom = 42.0

	titleSize = 12.0
	labelSize = 12.0
	tickSize  = 10.0

	majorTickLen = 6.0
	minorTickLen = 3.0
)

// tick is one mark on an axis; an empty Label is a minor tick.
type tick struct {
	Value float64
	Label string
}

// ticker chooses an axis's ticks for the range [lo, hi].
type ticker interface {
	Ticks(lo, hi float64) []tick
}

// linearTicks labels round steps (1, 2 or 5 times a power of ten) about
// five times over the range, with unlabelled ticks between.
type linearTicks struct{}

// maxLinearTicks bounds the ticks of one axis, whatever the range.
const maxLinearTicks = 60

// Ticks implements ticker.
func (linearTicks) Ticks(lo, hi float64) []tick {
	span := hi - lo
	if !(span > 0) || math.IsInf(span, 0) {
		return nil
	}
	step, minors := niceStep(span / 5)
	decimals := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	minor := step / float64(minors)
	var ticks []tick
	for i := math.Ceil(lo/minor - 1e-9); len(ticks) < maxLinearTicks; i++ {
		v := i * minor
		if v > hi+minor*1e-9 {
			break
		}
		if v == 0 {
			v = 0 // not -0, which would be labelled "-0"
		}
		t := tick{Value: v}
		if r := math.Round(v / step); math.Abs(v/step-r) < 1e-6 {
			// Rounded to the step's decimals, then written shortest: 0.6, not 0.6000000000000001.
			p := math.Pow(10, float64(decimals))
			t.Label = strconv.FormatFloat(math.Round(v*p)/p, 'f', -1, 64)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// niceStep returns the smallest of 1, 2, 5 times a power of ten that is at
// least raw, and how many minor intervals split it.
func niceStep(raw float64) (step float64, minors int) {
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []struct {
		f float64
		n int
	}{{1, 5}, {2, 4}, {5, 5}, {10, 5}} {
		if m.f*mag >= raw*(1-1e-9) {
			return m.f * mag, m.n
		}
	}
	return 10 * mag, 5
}

// decadeTicks labels every power of ten of a log axis, with unlabelled
// ticks between.
type decadeTicks struct{}

// Ticks implements ticker.
func (decadeTicks) Ticks(lo, hi float64) []tick {
	if lo <= 0 || hi <= lo {
		return nil
	}
	var ticks []tick
	first, last := math.Floor(math.Log10(lo)+1e-9), math.Ceil(math.Log10(hi)-1e-9)
	for e := first; e <= last && e-first < 30; e++ {
		v := math.Pow(10, e)
		ticks = append(ticks, tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
		for i := 2.0; i < 10 && v*i <= hi; i++ {
			ticks = append(ticks, tick{Value: v * i})
		}
	}
	return ticks
}

// glyph is the shape of a scatter series' points.
type glyph int

// The glyphs, in the order series use them.
const (
	glyphCircle   glyph = iota // filled
	glyphTriangle              // outline
	glyphSquare                // outline
	glyphPyramid               // filled triangle
	glyphCross
	glyphPlus
	glyphRing // outline circle
	glyphBox  // filled square
	numGlyphs
)

// lineStyle is how a line series is stroked; Dashes empty is solid.
type lineStyle struct {
	Color  color.RGBA
	Width  float64
	Dashes []float64
}

// xy is one data point.
type xy struct{ X, Y float64 }

// chart is one plot being drawn. Its parts are kept in the order they are
// added and drawn by writeTo, bands under the grid under the data.
type chart struct {
	title, xLabel, yLabel  string
	xMin, xMax, yMin, yMax float64
	logY                   bool
	xTicks, yTicks         ticker

	// bands (shaded regions, under everything) and data (series and
	// marker lines) are drawn by writeTo, once both axes' ranges are final.
	bands, data []func(b *bytes.Buffer)
	legend      []legendEntry
	numBuf      []byte
}

// legendEntry is one row of the legend: a thumbnail drawn into a box, and
// its text.
type legendEntry struct {
	label string
	thumb func(b *bytes.Buffer, x, y, w, h float64)
}

// The data area's corners, in image coordinates (y grows downwards).
const (
	areaX0 = marginLeft
	areaX1 = plotWidth - legendWidth - marginRight
	areaY0 = marginTop
	areaY1 = plotHeight - marginBottom
)

// newChart starts a plot whose x axis covers [0, xMax] seconds.
func newChart(title, xLabel, yLabel string, xMax float64) *chart {
	return &chart{title: title, xLabel: xLabel, yLabel: yLabel, xMin: 0, xMax: xMax,
		yMin: 0, yMax: 1, xTicks: linearTicks{}, yTicks: linearTicks{}}
}

// px maps a data x to the image.
func (c *chart) px(x float64) float64 {
	return areaX0 + (x-c.xMin)/(c.xMax-c.xMin)*(areaX1-areaX0)
}

// py maps a data y to the image, on a log scale when the chart has one.
func (c *chart) py(y float64) float64 {
	lo, hi := c.yMin, c.yMax
	if c.logY {
		y, lo, hi = math.Log10(y), math.Log10(lo), math.Log10(hi)
	}
	return areaY1 - (y-lo)/(hi-lo)*(areaY1-areaY0)
}

// num appends v rounded to two decimals, without trailing zeros.
func (c *chart) num(b *bytes.Buffer, v float64) {
	c.numBuf = strconv.AppendFloat(c.numBuf[:0], v, 'f', 2, 64)
	n := bytes.TrimRight(c.numBuf, "0")
	n = bytes.TrimSuffix(n, []byte("."))
	if len(n) == 0 || string(n) == "-" {
		n = []byte("0")
	}
	b.Write(n)
}

// attr writes ` name="v"` for a number.
func (c *chart) attr(b *bytes.Buffer, name string, v float64) {
	b.WriteString(" " + name + `="`)
	c.num(b, v)
	b.WriteByte('"')
}

// band shades [x0, x1] over the whole height of the data area; an
// instantaneous one is a point wide, so it still shows.
func (c *chart) band(x0, x1 float64, fill color.RGBA, opacity float64) {
	c.bands = append(c.bands, func(b *bytes.Buffer) { c.drawBand(b, x0, x1, fill, opacity) })
}

func (c *chart) drawBand(b *bytes.Buffer, x0, x1 float64, fill color.RGBA, opacity float64) {
	l, r := clamp(c.px(x0), areaX0, areaX1), clamp(c.px(x1), areaX0, areaX1)
	if r <= l {
		r = min(l+1, areaX1)
	}
	b.WriteString("<rect")
	c.attr(b, "x", l)
	c.attr(b, "y", areaY0)
	c.attr(b, "width", r-l)
	c.attr(b, "height", areaY1-areaY0)
	fmt.Fprintf(b, ` style="fill:%s;fill-opacity:%.4f"/>`+"\n", hexColor(fill), opacity)
}

// vline draws a vertical line at x across the data area.
func (c *chart) vline(x float64, st lineStyle) {
	c.data = append(c.data, func(b *bytes.Buffer) { c.drawVline(b, x, st) })
}

func (c *chart) drawVline(b *bytes.Buffer, x float64, st lineStyle) {
	p := c.px(x)
	if p < areaX0 || p > areaX1 {
		return
	}
	b.WriteString(`<path d="M`)
	c.num(b, p)
	b.WriteByte(' ')
	c.num(b, areaY0)
	b.WriteString("V")
	c.num(b, areaY1)
	b.WriteString(`"`)
	c.stroke(b, st)
	b.WriteString("/>\n")
}

// stroke writes the style attributes of a line.
func (c *chart) stroke(b *bytes.Buffer, st lineStyle) {
	fmt.Fprintf(b, ` fill="none" stroke="%s"`, hexColor(st.Color))
	c.attr(b, "stroke-width", st.Width)
	if len(st.Dashes) > 0 {
		b.WriteString(` stroke-dasharray="`)
		for i, d := range st.Dashes {
			if i > 0 {
				b.WriteByte(' ')
			}
			c.num(b, d)
		}
		b.WriteByte('"')
	}
}

// line draws a polyline through pts.
func (c *chart) line(pts []xy, st lineStyle) {
	if len(pts) > 0 {
		c.data = append(c.data, func(b *bytes.Buffer) { c.drawLine(b, pts, st) })
	}
}

func (c *chart) drawLine(b *bytes.Buffer, pts []xy, st lineStyle) {
	b.WriteString(`<path d="`)
	for i, p := range pts {
		if i == 0 {
			b.WriteByte('M')
		} else {
			b.WriteByte('L')
		}
		c.num(b, c.px(p.X))
		b.WriteByte(' ')
		c.num(b, c.py(p.Y))
	}
	b.WriteString(`" stroke-linejoin="round"`)
	c.stroke(b, st)
	b.WriteString("/>\n")
}

// glyphRadius is the size of a scatter point.
const glyphRadius = 1.6

// points draws one scatter series: every point as g in col, all in one path.
func (c *chart) points(pts []xy, g glyph, col color.RGBA) {
	if len(pts) > 0 {
		c.data = append(c.data, func(b *bytes.Buffer) { c.drawPoints(b, pts, g, col) })
	}
}

// drawPoints draws one glyph per point, on a whole-pixel grid: points that
// land on the same pixel draw once. A glyph is 3.2 px across, so moving it
// by at most half a pixel does not change how the plot looks, and a long
// run's plot (56,000 operations in 10 minutes, most of them with nearly
// the same latency) stays small: it aggregates by pixel.
func (c *chart) drawPoints(b *bytes.Buffer, pts []xy, g glyph, col color.RGBA) {
	b.WriteString(`<path d="`)
	seen := make(map[[2]int32]bool, min(len(pts), 1<<16))
	for _, p := range pts {
		x, y := math.Round(c.px(p.X)), math.Round(c.py(p.Y))
		k := [2]int32{int32(x), int32(y)}
		if seen[k] {
			continue
		}
		seen[k] = true
		c.glyphPath(b, g, x, y, glyphRadius)
	}
	b.WriteString(`"`)
	c.glyphStyle(b, g, col, glyphRadius)
	b.WriteString("/>\n")
}

// glyphPath writes the subpath of one glyph centred at (x, y).
func (c *chart) glyphPath(b *bytes.Buffer, g glyph, x, y, r float64) {
	move := func(x, y float64) {
		b.WriteByte('M')
		c.num(b, x)
		b.WriteByte(' ')
		c.num(b, y)
	}
	// Triangle: apex up, centred on its centroid.
	tri := func() {
		move(x, y-r)
		fmt.Fprintf(b, "l%.2f %.2fh%.2fz", r*0.866, r*1.5, -r*1.732)
	}
	switch g {
	case glyphCircle, glyphBox:
		// A zero-length stroke with a round (square) cap is a dot (box).
		move(x, y)
		b.WriteString("h0")
	case glyphTriangle, glyphPyramid:
		tri()
	case glyphSquare:
		move(x-r, y-r)
		fmt.Fprintf(b, "h%.2fv%.2fh%.2fz", 2*r, 2*r, -2*r)
	case glyphCross:
		move(x-r, y-r)
		fmt.Fprintf(b, "l%.2f %.2fm0 %.2fl%.2f %.2f", 2*r, 2*r, -2*r, -2*r, 2*r)
	case glyphPlus:
		move(x-r, y)
		fmt.Fprintf(b, "h%.2fm%.2f %.2fv%.2f", 2*r, -r, -r, 2*r)
	case glyphRing:
		move(x-r, y)
		fmt.Fprintf(b, "a%.2f %.2f 0 1 0 %.2f 0a%.2f %.2f 0 1 0 %.2f 0", r, r, 2*r, r, r, -2*r)
	}
}

// glyphStyle writes the paint of a path of glyphs g.
func (c *chart) glyphStyle(b *bytes.Buffer, g glyph, col color.RGBA, r float64) {
	hex := hexColor(col)
	switch g {
	case glyphCircle:
		fmt.Fprintf(b, ` fill="none" stroke="%s" stroke-linecap="round"`, hex)
		c.attr(b, "stroke-width", 2*r)
	case glyphBox:
		fmt.Fprintf(b, ` fill="none" stroke="%s" stroke-linecap="square"`, hex)
		c.attr(b, "stroke-width", 2*r)
	case glyphPyramid:
		fmt.Fprintf(b, ` fill="%s" stroke="none"`, hex)
	default:
		fmt.Fprintf(b, ` fill="none" stroke="%s" stroke-width="0.6"`, hex)
	}
}

// addLegend adds a row to the legend.
func (c *chart) addLegend(label string, thumb func(b *bytes.Buffer, x, y, w, h float64)) {
	c.legend = append(c.legend, legendEntry{label: label, thumb: thumb})
}

// glyphThumb is a legend thumbnail: one glyph.
func (c *chart) glyphThumb(g glyph, col color.RGBA) func(b *bytes.Buffer, x, y, w, h float64) {
	return func(b *bytes.Buffer, x, y, w, h float64) {
		b.WriteString(`<path d="`)
		c.glyphPath(b, g, x+w/2, y+h/2, glyphRadius)
		b.WriteString(`"`)
		c.glyphStyle(b, g, col, glyphRadius)
		b.WriteString("/>\n")
	}
}

// lineThumb is a legend thumbnail: a short horizontal stroke.
func (c *chart) lineThumb(st lineStyle) func(b *bytes.Buffer, x, y, w, h float64) {
	return func(b *bytes.Buffer, x, y, w, h float64) {
		b.WriteString(`<path d="M`)
		c.num(b, x)
		b.WriteByte(' ')
		c.num(b, y+h/2)
		b.WriteString("h")
		c.num(b, w)
		b.WriteString(`"`)
		c.stroke(b, st)
		b.WriteString("/>\n")
	}
}

// vlineThumb is a legend thumbnail: a short vertical stroke.
func (c *chart) vlineThumb(st lineStyle) func(b *bytes.Buffer, x, y, w, h float64) {
	return func(b *bytes.Buffer, x, y, w, h float64) {
		b.WriteString(`<path d="M`)
		c.num(b, x+w/2)
		b.WriteByte(' ')
		c.num(b, y)
		b.WriteString("v")
		c.num(b, h)
		b.WriteString(`"`)
		c.stroke(b, st)
		b.WriteString("/>\n")
	}
}

// swatchThumb is a legend thumbnail: a box filled as a band is.
func (c *chart) swatchThumb(fill color.RGBA, opacity float64) func(b *bytes.Buffer, x, y, w, h float64) {
	return func(b *bytes.Buffer, x, y, w, h float64) {
		b.WriteString("<rect")
		c.attr(b, "x", x)
		c.attr(b, "y", y)
		c.attr(b, "width", w)
		c.attr(b, "height", h)
		fmt.Fprintf(b, ` style="fill:%s;fill-opacity:%.4f"/>`+"\n", hexColor(fill), opacity)
	}
}

// Grid and axis paint.
const (
	gridColor = "#cccccc"
	axisColor = "#000000"
)

// writeTo assembles the plot: background, bands, grid, data (clipped to
// the data area), axes with their ticks and labels, title and legend.
func (c *chart) writeTo(w io.Writer) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<svg xmlns="http://www.w3.org/2000/svg" width="%gpt" height="%gpt" viewBox="0 0 %g %g" font-family="Liberation Sans, Arial, Helvetica, sans-serif">`+"\n",
		plotWidth, plotHeight, plotWidth, plotHeight)
	fmt.Fprintf(&b, `<rect width="%g" height="%g" fill="#ffffff"/>`+"\n", plotWidth, plotHeight)
	b.WriteString(`<clipPath id="area"><rect`)
	c.attr(&b, "x", areaX0)
	c.attr(&b, "y", areaY0)
	c.attr(&b, "width", areaX1-areaX0)
	c.attr(&b, "height", areaY1-areaY0)
	b.WriteString("/></clipPath>\n")
	b.WriteString(`<g clip-path="url(#area)">` + "\n")
	for _, draw := range c.bands {
		draw(&b)
	}
	xt := c.xTicks.Ticks(c.xMin, c.xMax)
	yt := c.yTicks.Ticks(c.yMin, c.yMax)
	b.WriteString(`<path fill="none" stroke="` + gridColor + `" stroke-width="0.5" d="`)
	for _, t := range xt {
		if t.Label != "" {
			b.WriteByte('M')
			c.num(&b, c.px(t.Value))
			b.WriteByte(' ')
			c.num(&b, areaY0)
			b.WriteByte('V')
			c.num(&b, areaY1)
		}
	}
	for _, t := range yt {
		if t.Label != "" {
			b.WriteByte('M')
			c.num(&b, areaX0)
			b.WriteByte(' ')
			c.num(&b, c.py(t.Value))
			b.WriteByte('H')
			c.num(&b, areaX1)
		}
	}
	b.WriteString(`"/>` + "\n")
	for _, draw := range c.data {
		draw(&b)
	}
	b.WriteString("</g>\n")
	c.writeAxes(&b, xt, yt)
	c.writeLegend(&b)
	b.WriteString("</svg>\n")
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("report: writing SVG: %w", err)
	}
	return nil
}

// writeAxes draws both axes, their ticks and labels, the axis titles and
// the plot's title.
func (c *chart) writeAxes(b *bytes.Buffer, xt, yt []tick) {
	b.WriteString(`<path fill="none" stroke="` + axisColor + `" stroke-width="0.5" d="M`)
	c.num(b, areaX0)
	b.WriteByte(' ')
	c.num(b, areaY0)
	b.WriteByte('V')
	c.num(b, areaY1)
	b.WriteByte('H')
	c.num(b, areaX1)
	for _, t := range xt {
		n := minorTickLen
		if t.Label != "" {
			n = majorTickLen
		}
		b.WriteByte('M')
		c.num(b, c.px(t.Value))
		b.WriteByte(' ')
		c.num(b, areaY1)
		b.WriteString("v")
		c.num(b, n)
	}
	for _, t := range yt {
		n := minorTickLen
		if t.Label != "" {
			n = majorTickLen
		}
		b.WriteByte('M')
		c.num(b, areaX0)
		b.WriteByte(' ')
		c.num(b, c.py(t.Value))
		b.WriteString("h")
		c.num(b, -n)
	}
	b.WriteString(`"/>` + "\n")
	fmt.Fprintf(b, `<g font-size="%g" fill="%s">`+"\n", tickSize, axisColor)
	for _, t := range xt {
		if t.Label != "" {
			c.text(b, c.px(t.Value), areaY1+majorTickLen+tickSize, "middle", t.Label)
		}
	}
	for _, t := range yt {
		if t.Label != "" {
			c.text(b, areaX0-majorTickLen-2, c.py(t.Value)+tickSize*0.35, "end", t.Label)
		}
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(b, `<g font-size="%g" fill="%s">`+"\n", labelSize, axisColor)
	c.text(b, (areaX0+areaX1)/2, plotHeight-6, "middle", c.xLabel)
	b.WriteString(`<g transform="translate(14 `)
	c.num(b, (areaY0+areaY1)/2)
	b.WriteString(`) rotate(-90)">`)
	c.text(b, 0, 0, "middle", c.yLabel)
	b.WriteString("</g>\n")
	b.WriteString("</g>\n")
	fmt.Fprintf(b, `<g font-size="%g" fill="%s">`, titleSize, axisColor)
	c.text(b, (areaX0+areaX1)/2, areaY0-10, "middle", c.title)
	b.WriteString("</g>\n")
}

// Legend layout: rows shrink to fit the image's height when there are many.
const (
	legendRow   = 13.0
	legendFont  = 9.0
	legendThumb = 14.0
)

// writeLegend draws the legend column, right of the data area.
func (c *chart) writeLegend(b *bytes.Buffer) {
	if len(c.legend) == 0 {
		return
	}
	x := plotWidth - legendWidth + 12
	y := areaY0 - 8
	row := min(legendRow, (plotHeight-y-4)/float64(len(c.legend)))
	font := min(legendFont, row-1)
	fmt.Fprintf(b, `<g font-size="%.2f" fill="%s">`+"\n", font, axisColor)
	for i, e := range c.legend {
		top := y + float64(i)*row
		h := row * 0.7
		e.thumb(b, x, top+(row-h)/2, legendThumb, h)
		c.text(b, x+legendThumb+4, top+row/2+font*0.35, "start", e.label)
	}
	b.WriteString("</g>\n")
}

// text writes one <text> element; s is escaped.
func (c *chart) text(b *bytes.Buffer, x, y float64, anchor, s string) {
	b.WriteString("<text")
	c.attr(b, "x", x)
	c.attr(b, "y", y)
	if anchor != "start" {
		b.WriteString(` text-anchor="` + anchor + `"`)
	}
	b.WriteByte('>')
	// Escaping into a bytes.Buffer cannot fail.
	_ = xml.EscapeText(b, []byte(s))
	b.WriteString("</text>\n")
}

func clamp(v, lo, hi float64) float64 { return min(max(v, lo), hi) }
