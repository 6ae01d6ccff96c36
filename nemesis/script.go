package nemesis

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Step is one scheduler action of an explicit fault schedule (Config.Script):
// At nanoseconds after Start, the scheduler starts (Start true) or stops
// Fault. A step without a Fault is a tick at which the scheduler did nothing;
// it is kept so that a recorded schedule replays its run exactly (every tick
// is an event of the run). Draws are the random values the action consumed
// when it was recorded (which node to crash, how to cut the cluster, the
// clock offsets): replaying them makes the action choose as it did, as long
// as the cluster is in the same state; an action that needs more draws than
// its step holds continues with the nemesis's own stream.
//
// Every schedule the random scheduler follows is recorded as steps
// (Nemesis.Schedule), so a run can be replayed with an explicit schedule,
// which can then be edited: removing a fault window (its start and its stop)
// leaves every other action where it was.
type Step struct {
	At    int64    `json:"at_ns"`
	Fault string   `json:"fault,omitempty"`
	Start bool     `json:"start,omitempty"`
	Draws []uint64 `json:"draws,omitempty"`
}

// maxScriptSteps bounds an explicit schedule, as maxActions bounds the random
// scheduler's actions.
const maxScriptSteps = maxActions

// Window is one fault window of a schedule: the positions of its start step
// and of the stop step that ends it (-1 when the schedule never stops it and
// the final heal does).
type Window struct {
	Fault       string
	Start, Stop int
}

// Windows pairs each start step of steps with the next stop step of the same
// fault, in order of the starts. Ticks and unpaired stops belong to no window.
func Windows(steps []Step) []Window {
	var out []Window
	open := map[string]int{} // fault → index in out of its open window
	for i, s := range steps {
		if s.Fault == "" {
			continue
		}
		if s.Start {
			if _, dup := open[s.Fault]; dup {
				continue // a start of a started fault does nothing
			}
			open[s.Fault] = len(out)
			out = append(out, Window{Fault: s.Fault, Start: i, Stop: -1})
			continue
		}
		if w, ok := open[s.Fault]; ok {
			out[w].Stop = i
			delete(open, s.Fault)
		}
	}
	return out
}

// FormatSchedule writes steps in the text form ParseSchedule reads: steps
// separated by commas, each its time after Start as a Go duration, then
// "+FAULT" for a start or "-FAULT" for a stop (nothing for a tick), then each
// draw as "/" and 16 hexadecimal digits. For example
// "1.2s+crash-leader/0c1f…,2.05s-crash-leader,3s".
func FormatSchedule(steps []Step) string {
	var b strings.Builder
	for i, s := range steps {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(time.Duration(s.At).String())
		if s.Fault != "" {
			if s.Start {
				b.WriteByte('+')
			} else {
				b.WriteByte('-')
			}
			b.WriteString(s.Fault)
		}
		for _, d := range s.Draws {
			fmt.Fprintf(&b, "/%016x", d)
		}
	}
	return b.String()
}

// ParseSchedule reads the text form FormatSchedule writes. "none" is an
// explicit schedule with no steps; "" is an error (a Config without a script
// has a nil Script). Each error names the step.
func ParseSchedule(s string) ([]Step, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return nil, fmt.Errorf("empty schedule (write \"none\" for a schedule without steps)")
	case strings.EqualFold(s, "none"):
		return []Step{}, nil
	}
	items := strings.Split(s, ",")
	if len(items) > maxScriptSteps {
		return nil, fmt.Errorf("%d steps, more than the %d allowed", len(items), maxScriptSteps)
	}
	out := make([]Step, 0, len(items))
	for i, item := range items {
		st, err := parseStep(strings.TrimSpace(item))
		if err != nil {
			return nil, fmt.Errorf("step %d %q: %w", i+1, item, err)
		}
		out = append(out, st)
	}
	if err := validateScript(out); err != nil {
		return nil, err
	}
	return out, nil
}

// parseStep reads one step of the text form.
func parseStep(item string) (Step, error) {
	var st Step
	parts := strings.Split(item, "/")
	head := parts[0]
	for _, p := range parts[1:] {
		v, err := strconv.ParseUint(p, 16, 64)
		if err != nil || len(p) != 16 {
			return st, fmt.Errorf("draw %q is not 16 hexadecimal digits", p)
		}
		st.Draws = append(st.Draws, v)
	}
	at := head
	if k := strings.IndexAny(head, "+-"); k >= 0 {
		at = head[:k]
		st.Start = head[k] == '+'
		st.Fault = normalize(head[k+1:])
		if indexOf(st.Fault) < 0 {
			return st, fmt.Errorf("%w %q", ErrUnknownFault, head[k+1:])
		}
	}
	d, err := time.ParseDuration(at)
	if err != nil {
		return st, fmt.Errorf("time %q is not a duration like 1.5s", at)
	}
	st.At = int64(d)
	return st, nil
}

// validateScript checks that steps name catalog faults and run forward in
// time from zero.
func validateScript(steps []Step) error {
	if len(steps) > maxScriptSteps {
		return fmt.Errorf("nemesis: script: %d steps, more than the %d allowed", len(steps), maxScriptSteps)
	}
	prev := int64(0)
	for i, s := range steps {
		switch {
		case s.At < prev:
			return fmt.Errorf("nemesis: script: step %d at %s comes before the step before it (%s)", i+1, time.Duration(s.At), time.Duration(prev))
		case s.Fault != "" && indexOf(s.Fault) < 0:
			return fmt.Errorf("nemesis: script: step %d: %w %q", i+1, ErrUnknownFault, s.Fault)
		case s.Fault == "" && s.Start:
			return fmt.Errorf("nemesis: script: step %d starts no fault", i+1)
		}
		prev = s.At
	}
	return nil
}

// tape is the nemesis's random source: it passes its stream's values
// through, records the values an action consumes, and can replay a step's
// recorded values before falling back to the stream.
type tape struct {
	src       *rand.Rand
	play      []uint64 // values to return before the stream's
	recording bool
	rec       []uint64
}

// Uint64 implements rand.Source.
func (t *tape) Uint64() uint64 {
	var v uint64
	if len(t.play) > 0 {
		v, t.play = t.play[0], t.play[1:]
	} else {
		v = t.src.Uint64()
	}
	if t.recording {
		t.rec = append(t.rec, v)
	}
	return v
}

// begin starts recording an action's draws, replaying play first.
func (t *tape) begin(play []uint64) {
	t.play = play
	t.recording = true
	t.rec = t.rec[:0]
}

// end stops recording and returns a copy of the draws.
func (t *tape) end() []uint64 {
	t.recording = false
	t.play = nil
	if len(t.rec) == 0 {
		return nil
	}
	return slices.Clone(t.rec)
}

// Schedule returns the scheduler's actions so far as an explicit schedule:
// replayed as Config.Script (with the same faults, intensities and cluster),
// it reproduces the run. Heal's stops are not part of it.
func (n *Nemesis) Schedule() []Step {
	out := make([]Step, len(n.steps))
	for i, s := range n.steps {
		out[i] = s
		out[i].Draws = slices.Clone(s.Draws)
	}
	return out
}

// record appends an executed scheduler action to the schedule.
func (n *Nemesis) record(fault string, start bool, draws []uint64) {
	n.steps = append(n.steps, Step{At: n.f.Now() - n.startAt, Fault: fault, Start: start, Draws: draws})
}

// scheduleStep arranges script step i, if it falls before the time limit.
// Steps are chained like the random scheduler's actions (each arranged when
// the one before it ran), so a recorded schedule replays event for event.
func (n *Nemesis) scheduleStep(i int) {
	if i >= len(n.cfg.Script) {
		return
	}
	at := n.startAt + n.cfg.Script[i].At
	if at >= n.until {
		return
	}
	gen := n.gen
	n.f.After(at-n.f.Now(), func() {
		if gen != n.gen {
			return
		}
		n.runStep(n.cfg.Script[i])
		n.scheduleStep(i + 1)
	})
}

// runStep carries out one script step: it starts the fault if it is idle
// (and no fault of its exclusion group is started) or stops it if it is
// active; otherwise, or if the fault cannot start now, the step is a tick.
func (n *Nemesis) runStep(s Step) {
	n.beginAction()
	var fl *fault
	for _, f := range n.faults {
		if f.Name == s.Fault {
			fl = f
		}
	}
	switch {
	case fl != nil && s.Start && fl.state == idle && !n.groupBusy(fl.group):
		n.startFault(fl, s.Draws)
	case fl != nil && !s.Start && fl.state == active:
		n.stopFault(fl, s.Draws)
	}
	n.endAction()
}

// beginAction marks the start of a scheduler action: the starts and stops it
// makes are recorded as steps of the schedule.
func (n *Nemesis) beginAction() {
	n.actions++
	n.acting, n.acted = true, false
}

// endAction ends a scheduler action; one that started or stopped nothing is
// recorded as a tick.
func (n *Nemesis) endAction() {
	if !n.acted {
		n.record("", false, nil)
	}
	n.acting = false
}
