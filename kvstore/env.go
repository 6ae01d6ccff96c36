package kvstore

// Env is everything a server (or a client) may do to the outside world. The
// simulator implements it (through a thin adapter in internal/harness); a
// real-process host can implement it later. All times are nanoseconds.
//
// Every callback into the process (a delivered message, a fired timer, a
// completed sync) arrives through the process's Receive and Fire methods, on the
// simulator's single thread.
type Env interface {
	// Addr is this process's network address.
	Addr() int
	// Now reads this host's local clock (subject to offset and drift). Lease
	// reads and timers use it; it is not the simulator's global time.
	Now() int64
	// Send sends msg to the process at address to. Delivery is subject to every
	// network fault; nothing is returned because a real network tells you nothing.
	Send(to int, msg any)
	// After arranges for Fire(tag) after d nanoseconds of local time. Timers die
	// with the process when its host crashes.
	After(d int64, tag uint64)
	// Disk is this host's durable storage (nil for clients).
	Disk() Disk
}

// Disk is a host's durable storage: named files with write-then-sync semantics.
// Writes are visible to reads at once but survive a crash only once a Sync that
// was requested after them completes. Of the unsynced writes, a crash keeps a
// prefix in issue order (and possibly the start of the next one, if it is an
// Append): the server relies on that order when it writes a snapshot file
// before the log batch that refers to it. sim.Disk implements it directly.
type Disk interface {
	// ReadFile returns a copy of the file's current contents and whether it exists.
	ReadFile(name string) ([]byte, bool)
	// Append appends data to the file, creating it if needed.
	Append(name string, data []byte)
	// WriteFile atomically replaces the file (write temp + rename): after a crash
	// the old or the new contents survive, never a mix.
	WriteFile(name string, data []byte)
	// Remove deletes the file.
	Remove(name string)
	// List returns the names of existing files, sorted.
	List() []string
	// Sync makes every write issued before it durable; when that is done (after
	// the disk's sync latency) the process receives Fire(tag).
	Sync(tag uint64)
}

// Process is what the simulator runs at an address: a server or a client.
type Process interface {
	// Receive handles a message from address from.
	Receive(from int, msg any)
	// Fire handles a timer or sync completion the process asked for.
	Fire(tag uint64)
}
