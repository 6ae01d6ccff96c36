package checker

import (
	"fmt"
	"html"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/anishathalye/porcupine"
	"github.com/raftcheck/raftcheck/histories"
)

// Model names accepted by [LinOptions].Model, one per workload.
const (
	ModelRegister = "register" // read / write / cas on integer registers
	ModelKV       = "kv"       // get / put / append / delete on string values
	ModelAppend   = "append"   // append of unique integers; read returns the list
)

// modelSpec is a porcupine model plus the way history ops become its inputs.
type modelSpec struct {
	name string
	// parse fills o's kind, inputs and (unless o.unknown) outputs from the
	// invoke and its completion (nil when the op never completed).
	parse func(inv, done *histories.Op, o *linOp) error
	// closure prepares, for the ops of one partition (all), a test of
	// whether the ops marked in keep every possible source of what they
	// observe: each value a kept op read was written by a kept op, or by an
	// op that cannot have been the last writer before the read. Restricting
	// any linearization of all to such a subset gives a linearization of
	// the subset, so the subset being illegal proves all illegal; for an
	// arbitrary subset it would not (drop the write a read observed, and
	// the read alone is "illegal").
	closure func(all []*linOp) func(in []bool) bool
	// seed, when set, lets the verdict check cut keys into segments (see
	// segment.go): the op that sets the state a read observed.
	seed func(read *linOp, call int64) *linOp
	// settled, when set, lets cuts pass unknown writes (see segment.go).
	settled func(ops []porcupine.Operation) passRule
	// failedCAS: the model keeps a fail cas whose compare failed
	// (histories.ErrCASMismatch) as the observation it is (opCASFail)
	// rather than dropping it as an op that did not happen.
	failedCAS bool
	model     porcupine.Model
}

// Models returns the names of the linearizability models, for the CLI.
func Models() []string {
	return []string{ModelRegister, ModelKV, ModelAppend}
}

func lookupModel(name string) (*modelSpec, error) {
	switch name {
	case ModelRegister:
		return registerSpec(), nil
	case ModelKV:
		return kvSpec(), nil
	case ModelAppend:
		return appendSpec(), nil
	}
	return nil, fmt.Errorf("unknown model %q (want one of %s)", name, strings.Join(Models(), ", "))
}

// ModelForHistory guesses the model of a history from its client operations'
// names and values: get/put/delete or string appends mean kv, write/cas mean
// register, integer appends or list-valued reads mean append. It is an error
// when no client op tells, when the names mix workloads, or when an op name
// belongs to none of them.
func ModelForHistory(h histories.History) (string, error) {
	var votes [3]int // register, kv, append
	first := [3]int{-1, -1, -1}
	vote := func(m, i int) {
		votes[m]++
		if first[m] < 0 {
			first[m] = i
		}
	}
	for i := range h {
		op := &h[i]
		if op.Process == histories.NemesisProcess {
			continue
		}
		switch op.F {
		case "write", "cas":
			vote(0, i)
		case "get", "put", "delete":
			vote(1, i)
		case "append":
			if op.Value == nil {
				continue
			}
			if _, ok := op.Value.(string); ok {
				vote(1, i)
			} else {
				vote(2, i)
			}
		case "read":
			switch op.Value.(type) {
			case []any:
				vote(2, i)
			case nil:
			default:
				vote(0, i)
			}
		default:
			return "", fmt.Errorf("op %d: operation %q belongs to no model (%s)", i, op.F, strings.Join(Models(), ", "))
		}
	}
	names := Models()
	found := -1
	for m, n := range votes {
		if n == 0 {
			continue
		}
		if found >= 0 {
			return "", fmt.Errorf("ops %d (%s) and %d (%s) belong to different models", first[found], names[found], first[m], names[m])
		}
		found = m
	}
	if found < 0 {
		// Only reads of nil: an untouched register is the simplest reading.
		for i := range h {
			if h[i].Process != histories.NemesisProcess && h[i].F == "read" {
				return ModelRegister, nil
			}
		}
		return "", fmt.Errorf("no client operation tells the model; name one of %s", strings.Join(Models(), ", "))
	}
	return names[found], nil
}

// partitionByKey splits a history into one partition per key, in key order:
// keys are independent objects, and porcupine checks partitions separately.
func partitionByKey(ops []porcupine.Operation) [][]porcupine.Operation {
	if len(ops) == 0 {
		return nil
	}
	// Count first, then fill one backing array: no slice regrows.
	count := make(map[string]int)
	for _, op := range ops {
		count[op.Input.(*linOp).key]++
	}
	keys := make([]string, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	all := make([]porcupine.Operation, len(ops))
	at := make(map[string]int, len(keys)) // next free slot of each key
	parts := make([][]porcupine.Operation, len(keys))
	next := 0
	for i, k := range keys {
		at[k] = next
		parts[i] = all[next : next : next+count[k]]
		next += count[k]
	}
	for _, op := range ops {
		k := op.Input.(*linOp).key
		all[at[k]] = op
		at[k]++
	}
	for i, k := range keys {
		parts[i] = parts[i][:count[k]]
	}
	return parts
}

// describeOpMetadata is shown through innerHTML by porcupine's page: escape.
func describeOpMetadata(m any) string {
	o, ok := m.(*linOp)
	if !ok || o == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "history #%d", o.inv)
	if o.ret >= 0 {
		fmt.Fprintf(&b, "–#%d", o.ret)
	} else {
		b.WriteString(" (never completed)")
	}
	fmt.Fprintf(&b, ", process %d", o.process)
	if o.node != 0 {
		fmt.Fprintf(&b, ", node %d", o.node)
	}
	if o.errKind != "" {
		fmt.Fprintf(&b, ", %s", o.errKind)
	}
	return html.EscapeString(b.String())
}

// maxShown bounds descriptions of user values so that boxes stay readable.
const maxShown = 60

func clip(s string) string {
	if len(s) <= maxShown {
		return s
	}
	// Cut on a rune boundary.
	cut := maxShown
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s…(%d bytes)", s[:cut], len(s))
}

// quoteKey quotes a key for a description, clipped as values are: a long
// key would otherwise fill every line of an explanation that names it.
func quoteKey(key string) string { return clip(strconv.Quote(key)) }

func withKey(key, s string) string {
	if key == "" {
		return s
	}
	return quoteKey(key) + ": " + s
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// fnvString continues an FNV-1a hash over s.
func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// mix64 is the SplitMix64 finalizer: a cheap, well-spread 64-bit mix.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
