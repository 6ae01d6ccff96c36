package histories

import "fmt"

// Pair is one client operation: its invoke and its completion (ok, fail or
// info). Complete is nil while the operation is still open: Jepsen treats an
// open operation like an info one, which may take effect at any time after its
// invoke.
type Pair struct {
	Invoke   *Op
	Complete *Op
}

// Pairs returns the client operations of h in invoke order, each with its
// completion. Nemesis operations are not paired. The pointers point into h. It
// fails as Validate does.
func Pairs(h History) ([]Pair, error) {
	var pairs []Pair
	err := walk(h, func(pair, inv, comp int) {
		if comp < 0 {
			pairs = append(pairs, Pair{Invoke: &h[inv]})
			return
		}
		pairs[pair].Complete = &h[comp]
	})
	if err != nil {
		return nil, err
	}
	return pairs, nil
}

// Validate checks that h is a well-formed Jepsen history:
//   - Index is the op's position; Type is one of the four; F is not empty;
//     Node is not negative;
//   - Process is ≥ 0, or NemesisProcess (nemesis operations stand alone and
//     are not paired);
//   - a process has at most one operation in flight; every ok, fail or info
//     completes the process's open invoke, with the same F and Key;
//   - a process that completed with info never acts again (a fresh process id
//     takes its place);
//   - Time never decreases;
//   - every Value follows Op's rules (CheckValue).
//
// The error names the index of the first offending op.
func Validate(h History) error {
	return walk(h, func(int, int, int) {})
}

// walk validates h and reports each invoke (comp < 0) and each completion,
// with the pair number: invokes are numbered 0, 1, ... in history order.
func walk(h History, visit func(pair, inv, comp int)) error {
	type state struct {
		open    int // index of the open invoke, -1 if none
		retired int // index of the info that retired the process, -1 if live
		pair    int // pair number of the open invoke
	}
	// Processes are found through a slice indexed by process id when ids are
	// small (the usual case: thread + k·threads), else through a map; neither
	// is iterated, so the order of errors is the history's.
	var (
		small  []state
		large  map[int]*state
		pairNo int
	)
	lookup := func(p int) *state {
		if p < 1<<16 {
			for len(small) <= p {
				small = append(small, state{open: -1, retired: -1})
			}
			return &small[p]
		}
		if large == nil {
			large = make(map[int]*state)
		}
		s, ok := large[p]
		if !ok {
			s = &state{open: -1, retired: -1}
			large[p] = s
		}
		return s
	}
	var lastTime int64
	for i := range h {
		op := &h[i]
		if op.Index != i {
			return fmt.Errorf("op %d: Index is %d, want its position %d", i, op.Index, i)
		}
		if op.Type < Invoke || op.Type > Info {
			return fmt.Errorf("op %d: invalid type %d", i, op.Type)
		}
		if op.F == "" {
			return fmt.Errorf("op %d: empty f", i)
		}
		if op.Node < 0 {
			return fmt.Errorf("op %d: invalid node %d", i, op.Node)
		}
		if err := CheckValue(op.Value); err != nil {
			return fmt.Errorf("op %d: value: %w", i, err)
		}
		if i > 0 && op.Time < lastTime {
			return fmt.Errorf("op %d: time %d is before the previous op's time %d", i, op.Time, lastTime)
		}
		lastTime = op.Time
		if op.Process == NemesisProcess {
			continue
		}
		if op.Process < 0 {
			return fmt.Errorf("op %d: invalid process %d", i, op.Process)
		}
		s := lookup(op.Process)
		if s.retired >= 0 {
			return fmt.Errorf("op %d: process %d acts after its info at op %d (a process whose outcome is unknown must retire)",
				i, op.Process, s.retired)
		}
		if op.Type == Invoke {
			if s.open >= 0 {
				return fmt.Errorf("op %d: process %d invokes while op %d is in flight", i, op.Process, s.open)
			}
			s.open = i
			s.pair = pairNo
			visit(pairNo, i, -1)
			pairNo++
			continue
		}
		if s.open < 0 {
			return fmt.Errorf("op %d: process %d completes (%s) with no operation in flight", i, op.Process, op.Type)
		}
		inv := &h[s.open]
		if inv.F != op.F || inv.Key != op.Key {
			return fmt.Errorf("op %d: completion f=%q key=%q does not match its invoke (op %d) f=%q key=%q",
				i, op.F, op.Key, s.open, inv.F, inv.Key)
		}
		visit(s.pair, s.open, i)
		s.open = -1
		if op.Type == Info {
			s.retired = i
		}
	}
	return nil
}
