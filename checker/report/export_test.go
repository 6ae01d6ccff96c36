package report

// Exports for the external test package (report_test), whose browser test
// also imports the root package, which imports this one.

// HostileRun is the synthetic run with markup planted in its keys, values,
// names and header (see hostileRun).
func HostileRun() *Run { return hostileRun() }

// HostileKey is the key planted in HostileRun's history.
const HostileKey = hostileKey
