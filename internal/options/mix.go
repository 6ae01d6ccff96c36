package options

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/raftcheck/raftcheck/clients"
)

// ParseMix reads an operation mix written as "f=weight,f=weight", e.g.
// "get=2,put=1,delete=1" for the kv workload. Weights are relative, finite
// and ≥ 0, and sum to more than 0; each operation must belong to workload
// (clients.WorkloadOps) and appear once. "" is the workload's default mix
// (nil).
func ParseMix(s, workload string) ([]clients.Weight, error) {
	if s == "" {
		return nil, nil
	}
	ops := clients.WorkloadOps(workload)
	var mix []clients.Weight
	total := 0.0
	for _, part := range strings.Split(s, ",") {
		f, w, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || f == "" {
			return nil, fmt.Errorf("%q: want OP=WEIGHT, e.g. get=2", part)
		}
		if !slices.Contains(ops, f) {
			return nil, fmt.Errorf("%q is not an operation of the %s workload (want one of %s)", f, workload, strings.Join(ops, ", "))
		}
		if slices.ContainsFunc(mix, func(x clients.Weight) bool { return x.F == f }) {
			return nil, fmt.Errorf("%q appears twice", f)
		}
		weight, err := strconv.ParseFloat(w, 64)
		if err != nil || weight < 0 || math.IsInf(weight, 0) || math.IsNaN(weight) {
			return nil, fmt.Errorf("%s=%s: the weight must be a finite number ≥ 0", f, w)
		}
		total += weight
		mix = append(mix, clients.Weight{F: f, Weight: weight})
	}
	if !(total > 0) || math.IsInf(total, 0) {
		return nil, fmt.Errorf("the weights sum to %g, want a finite sum > 0", total)
	}
	return mix, nil
}
