package report

import (
	"cmp"
	"fmt"
	"slices"
)

// segments is the role timeline of every node, columnar: segment i covers
// [t0[i], t1[i]) microseconds after Run.Start on lane[i].
type segments struct {
	Lane  []int    `json:"lane"`
	T0    []int64  `json:"t0"`
	T1    []int64  `json:"t1"`
	State []int    `json:"state"` // state* constants
	Term  []uint64 `json:"term"`
}

// pauses are the windows in which a node's process was stopped; they are
// drawn as hatching over the role it kept.
type pauses struct {
	Lane []int   `json:"lane"`
	T0   []int64 `json:"t0"`
	T1   []int64 `json:"t1"`
}

// nodeTrack is one node's state while NodeEvents are replayed.
type nodeTrack struct {
	state      int
	term       uint64
	since      int64 // ns
	paused     bool
	pauseSince int64
	last       int // index of the node's latest segment, -1 before the first
}

// buildSegments replays the node events (stably sorted by time) into
// segments and pauses. A node starts as a follower of term 0 at r.Start.
// Events that contradict the node's state (a role change while crashed,
// anything but a crash or a restart after fail-stop) are found bugs
// upstream and come back as errors naming the event.
func buildSegments(r *Run, ix nodeIndex) (segments, pauses, error) {
	// empty columns, not nil: they encode as [] for the page's script
	segs := segments{Lane: []int{}, T0: []int64{}, T1: []int64{}, State: []int{}, Term: []uint64{}}
	ps := pauses{Lane: []int{}, T0: []int64{}, T1: []int64{}}
	tracks := make([]nodeTrack, len(r.Nodes))
	for i := range tracks {
		tracks[i].since, tracks[i].last = r.Start, -1
	}
	order := make([]int, len(r.NodeEvents))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(r.NodeEvents[a].Time, r.NodeEvents[b].Time)
	})
	us := func(t int64) int64 { return (t - r.Start) / 1000 }
	emit := func(lane int, tr *nodeTrack, t int64) {
		if t > tr.since {
			// A role event that repeats the current role and term
			// continues the segment instead of splitting it.
			if n := tr.last; n >= 0 && segs.T1[n] == us(tr.since) &&
				segs.State[n] == tr.state && segs.Term[n] == tr.term {
				segs.T1[n] = us(t)
			} else {
				tr.last = len(segs.Lane)
				segs.Lane = append(segs.Lane, lane)
				segs.T0 = append(segs.T0, us(tr.since))
				segs.T1 = append(segs.T1, us(t))
				segs.State = append(segs.State, tr.state)
				segs.Term = append(segs.Term, tr.term)
			}
		}
		tr.since = t
	}
	endPause := func(lane int, tr *nodeTrack, t int64) {
		if tr.paused {
			tr.paused = false
			if t > tr.pauseSince {
				ps.Lane = append(ps.Lane, lane)
				ps.T0 = append(ps.T0, us(tr.pauseSince))
				ps.T1 = append(ps.T1, us(t))
			}
		}
	}
	for _, i := range order {
		ev := r.NodeEvents[i]
		lane := ix.lane(ev.Node)
		tr := &tracks[lane]
		if tr.state == stateDown && ev.Kind != EventCrash && ev.Kind != EventRestart {
			return segs, ps, fmt.Errorf("report: Run.NodeEvents[%d]: node %d has a %s event at %d after it went down (fail-stop)", i, ev.Node, ev.Kind, ev.Time)
		}
		switch ev.Kind {
		case EventRole:
			if tr.state == stateCrashed {
				return segs, ps, fmt.Errorf("report: Run.NodeEvents[%d]: node %d becomes %s of term %d at %d while crashed", i, ev.Node, ev.Role, ev.Term, ev.Time)
			}
			emit(lane, tr, ev.Time)
			tr.state, tr.term = roleCode(ev.Role), ev.Term
		case EventCrash:
			if tr.state == stateCrashed || tr.state == stateDown {
				continue // a crash of a stopped node changes nothing
			}
			emit(lane, tr, ev.Time)
			endPause(lane, tr, ev.Time)
			tr.state = stateCrashed
		case EventRestart:
			emit(lane, tr, ev.Time)
			endPause(lane, tr, ev.Time)
			tr.state = stateFollower
			if ev.Term != 0 {
				tr.term = ev.Term
			}
		case EventPause:
			if !tr.paused && tr.state != stateCrashed {
				tr.paused, tr.pauseSince = true, ev.Time
			}
		case EventResume:
			endPause(lane, tr, ev.Time)
		case EventDown:
			emit(lane, tr, ev.Time)
			endPause(lane, tr, ev.Time)
			tr.state = stateDown
		}
	}
	for lane := range tracks {
		emit(lane, &tracks[lane], r.End)
		endPause(lane, &tracks[lane], r.End)
	}
	return segs, ps, nil
}
