package nemesis

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// tuningKnob is one key of the tuning text: how to read and write it.
type tuningKnob struct {
	name string
	kind byte // 'd' duration (ns), 'f' float, 'i' int, 'p' probability with "off"
	ptr  func(c *Config) any
}

// tuningKnobs lists the tuning keys in the order FormatTuning writes them.
var tuningKnobs = [...]tuningKnob{
	{"jitter", 'p', func(c *Config) any { return &c.Jitter }},
	{"max-active", 'i', func(c *Config) any { return &c.MaxActive }},
	{"crash-count", 'i', func(c *Config) any { return &c.Intensity.CrashCount }},
	{"downtime", 'd', func(c *Config) any { return &c.Intensity.Downtime }},
	{"loss", 'f', func(c *Config) any { return &c.Intensity.Loss }},
	{"duplicate", 'f', func(c *Config) any { return &c.Intensity.Duplicate }},
	{"reorder", 'f', func(c *Config) any { return &c.Intensity.Reorder }},
	{"delay", 'd', func(c *Config) any { return &c.Intensity.Delay }},
	{"link-delay", 'd', func(c *Config) any { return &c.Intensity.LinkDelay }},
	{"clock-skew", 'd', func(c *Config) any { return &c.Intensity.ClockSkew }},
	{"clock-drift", 'f', func(c *Config) any { return &c.Intensity.ClockDrift }},
	{"clock-bump", 'd', func(c *Config) any { return &c.Intensity.ClockBump }},
	{"strobe-delta", 'd', func(c *Config) any { return &c.Intensity.StrobeDelta }},
	{"strobe-period", 'd', func(c *Config) any { return &c.Intensity.StrobePeriod }},
	{"sync-latency", 'd', func(c *Config) any { return &c.Intensity.SyncLatency }},
	{"churn-wipe", 'p', func(c *Config) any { return &c.Intensity.ChurnWipe }},
	{"churn-leader", 'p', func(c *Config) any { return &c.Intensity.ChurnLeader }},
}

// TuningKeys lists the keys ParseTuning accepts.
func TuningKeys() []string {
	out := make([]string, len(tuningKnobs))
	for i, k := range tuningKnobs {
		out[i] = k.name
	}
	return out
}

// ParseTuning sets the pacing and intensity fields of c from s, a list of
// key=value pairs such as "jitter=0.3,max-active=2,loss=0.05,delay=20ms"
// (keys: TuningKeys; durations as Go durations, clock-drift in ppm, "off"
// for jitter, churn-wipe and churn-leader). Keys it does not name keep
// their values; "" changes nothing. The result is validated.
func ParseTuning(s string, c *Config) error {
	seen := map[string]bool{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		key, val, ok := strings.Cut(item, "=")
		key, val = normalize(key), strings.TrimSpace(val)
		if !ok {
			return fmt.Errorf("%q is not key=value", item)
		}
		if seen[key] {
			return fmt.Errorf("%s is given twice", key)
		}
		seen[key] = true
		k := lookupKnob(key)
		if k == nil {
			return fmt.Errorf("unknown key %q (known: %s)", key, strings.Join(TuningKeys(), ", "))
		}
		if err := k.set(c, val); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
	}
	return c.Validate()
}

// lookupKnob returns the knob called name, or nil.
func lookupKnob(name string) *tuningKnob {
	for i := range tuningKnobs {
		if tuningKnobs[i].name == name {
			return &tuningKnobs[i]
		}
	}
	return nil
}

// set parses val into k's field of c.
func (k *tuningKnob) set(c *Config, val string) error {
	switch p := k.ptr(c).(type) {
	case *int64:
		d, err := time.ParseDuration(val)
		if err != nil || d < 0 {
			return fmt.Errorf("%q is not a non-negative duration like 20ms", val)
		}
		*p = int64(d)
	case *int:
		v, err := strconv.Atoi(val)
		if err != nil || v < 0 {
			return fmt.Errorf("%q is not a non-negative whole number", val)
		}
		*p = v
	case *float64:
		if k.kind == 'p' && strings.EqualFold(val, "off") {
			*p = Off
			return nil
		}
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", val)
		}
		*p = v
	}
	return nil
}

// FormatTuning writes the pacing and intensity fields of c that are not
// zero (zero is the default) in the form ParseTuning reads, so that
// ParseTuning(FormatTuning(c), &d) gives d the same fields exactly.
func FormatTuning(c Config) string {
	var parts []string
	for i := range tuningKnobs {
		k := &tuningKnobs[i]
		var v string
		switch p := k.ptr(&c).(type) {
		case *int64:
			if *p == 0 {
				continue
			}
			v = time.Duration(*p).String()
		case *int:
			if *p == 0 {
				continue
			}
			v = strconv.Itoa(*p)
		case *float64:
			switch {
			case *p == 0:
				continue
			case k.kind == 'p' && *p == Off:
				v = "off"
			default:
				v = strconv.FormatFloat(*p, 'g', -1, 64)
			}
		}
		parts = append(parts, k.name+"="+v)
	}
	return strings.Join(parts, ",")
}

// intensityKeys names, per fault, the tuning keys of the intensities it
// reads; faults not listed read none.
var intensityKeys = map[string][]string{
	"crash-random":    {"crash-count"},
	"rolling-restart": {"downtime"},
	"flaky":           {"loss"},
	"duplicate":       {"duplicate"},
	"reorder":         {"reorder"},
	"delay":           {"delay"},
	"slow-link":       {"link-delay"},
	"clock-skew":      {"clock-skew"},
	"clock-drift":     {"clock-drift"},
	"clock-bump":      {"clock-bump"},
	"clock-strobe":    {"strobe-delta", "strobe-period"},
	"slow-fsync":      {"sync-latency"},
	"member-churn":    {"churn-wipe", "churn-leader"},
}

// Trim returns c with the intensities no fault of c.Faults reads set to
// zero (their defaults): the same schedule, written shorter. Pacing is kept.
func (c Config) Trim() Config {
	faults, err := ParseFaults(strings.Join(c.Faults, ","))
	if err != nil {
		return c
	}
	used := map[string]bool{}
	for _, f := range faults {
		for _, k := range intensityKeys[f] {
			used[k] = true
		}
	}
	var zero Config
	for i := range tuningKnobs {
		k := &tuningKnobs[i]
		if k.name == "jitter" || k.name == "max-active" || used[k.name] {
			continue
		}
		switch p := k.ptr(&c).(type) {
		case *int64:
			*p = *k.ptr(&zero).(*int64)
		case *int:
			*p = *k.ptr(&zero).(*int)
		case *float64:
			*p = *k.ptr(&zero).(*float64)
		}
	}
	return c
}
