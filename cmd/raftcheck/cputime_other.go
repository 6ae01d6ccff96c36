//go:build !unix

package main

import "time"

// cpuTime is unknown here (0): the table shows wall-clock rates only.
func cpuTime() time.Duration { return 0 }
