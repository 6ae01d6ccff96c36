package report

import (
	"hash/fnv"
	"image/color"
)

// faultColors fix each catalog fault's colour, so a fault looks the same in
// every run's reports: partitions in blues and violets, process faults in
// oranges and reds, network faults in greens, clock faults in pinks, disk
// faults in browns and sands, membership in grey. Every colour is light
// enough for dark text on it. A test in internal/harness checks that every
// fault of the nemesis catalog has one.
var faultColors = map[string]color.RGBA{
	"partition-halves":          rgb(0x9e9ac8),
	"partition-random-halves":   rgb(0x8da0cb),
	"partition-isolate-one":     rgb(0x6baed6),
	"partition-isolate-leader":  rgb(0xbc80bd),
	"partition-leader-minority": rgb(0xa59fd6),
	"partition-majorities-ring": rgb(0xa6bddb),
	"partition-bridge":          rgb(0x74a9cf),
	"partition-one-way":         rgb(0xc994c7),
	"crash-random":              rgb(0xfdae6b),
	"crash-leader":              rgb(0xf4a582),
	"crash-majority":            rgb(0xfd8d3c),
	"crash-all":                 rgb(0xe0826f),
	"rolling-restart":           rgb(0xfdd0a2),
	"pause-random":              rgb(0xe7ba52),
	"pause-leader":              rgb(0xf2d479),
	"flaky":                     rgb(0xa1d99b),
	"duplicate":                 rgb(0x66c2a5),
	"delay":                     rgb(0xc7e9c0),
	"reorder":                   rgb(0x74c476),
	"slow-link":                 rgb(0xb8e186),
	"clock-skew":                rgb(0xe796c6),
	"clock-drift":               rgb(0xf1b6da),
	"clock-bump":                rgb(0xde77ae),
	"clock-strobe":              rgb(0xfbb4c4),
	"lose-unsynced":             rgb(0xc4a484),
	"torn-write":                rgb(0xe5c494),
	"slow-fsync":                rgb(0xd9d96b),
	"corrupt":                   rgb(0xcf9f5f),
	"member-churn":              rgb(0xb0b0b0),
}

// otherFaultColors colour faults outside the catalog (a live run's own
// names, a future fault) by a hash of the name: stable across runs too.
var otherFaultColors = [...]color.RGBA{
	rgb(0x8dd3c7), rgb(0xbebada), rgb(0xfb8072), rgb(0x80b1d3), rgb(0xfdb462),
	rgb(0xb3de69), rgb(0xfccde5), rgb(0xd9d9d9), rgb(0xbc80bd), rgb(0xccebc5),
}

func rgb(v uint32) color.RGBA {
	return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

// FaultColor is the colour of fault name in every report, and whether the
// name has a colour of its own (false: one from a hash of the name).
func FaultColor(name string) (string, bool) {
	c, ok := faultColor(name)
	return hexColor(c), ok
}

func faultColor(name string) (color.RGBA, bool) {
	if c, ok := faultColors[name]; ok {
		return c, true
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return otherFaultColors[h.Sum32()%uint32(len(otherFaultColors))], false
}
