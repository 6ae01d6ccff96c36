package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestUntestedRunsFailSweeps: issue 15 part 3. A run that tested nothing is
// unknown, so a sweep or a suite of such runs fails (exit 2) and prints the
// reason for each, never a pass.
func TestUntestedRunsFailSweeps(t *testing.T) {
	dir := t.TempDir()
	// A closed loop over 1ns: one operation per client, all overlapping.
	empty := []string{"--max-time", "1ns", "--recovery-time", "0", "--rate", "0", "--store", ""}
	r := cli(t, dir, nil, append([]string{"sweep", "--count", "2"}, empty...)...)
	assert.Equal(t, exitUnknown, r.code, "%s", r)
	assert.Contains(t, r.stdout, "2 seeds in")
	assert.Contains(t, r.stdout, ": 0 valid, 0 invalid, 2 unknown")
	assert.Regexp(t, `(?m)^1\s+unknown\s+too little was tested: the 10 ok operations all overlap in time`, r.stdout)
	assert.Regexp(t, `(?m)^2\s+unknown\s+too little was tested`, r.stdout)

	r = cli(t, dir, nil, append([]string{"suite", "--seeds-per", "1", "--scenarios", "split_brain"}, empty...)...)
	assert.Equal(t, exitUnknown, r.code, "%s", r)
	assert.Regexp(t, `(?m)^split_brain\s+unknown\s+unknown$`, r.stdout)
	assert.Contains(t, r.stdout, "split_brain seed 1  unknown  too little was tested")
}
