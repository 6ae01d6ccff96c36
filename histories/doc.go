// Package histories is raftcheck's model of a Jepsen history and its file
// formats.
//
// A History is the ordered list of operations a run's clients and nemesis
// recorded (see Op for the value conventions of each workload). Validate checks
// the process model (one operation in flight per process, completions match
// their invokes, a process that got :info never acts again); Pairs matches
// every invoke with its completion for checkers and reports.
//
// # Formats
//
// Read, ReadFile and Parse read histories in four formats; Write and
// WriteFile write the two writable ones; Detect tells the formats apart and
// ParseFormat reads their CLI names. Equal and Diff compare histories (a nil
// []any equals an empty one, as no format can tell them apart).
//
// jsonl (read, write) is the native format. The first non-blank line is a
// header object naming the schema version:
//
//	{"raftcheck_history":1}
//
// Other header fields are metadata that readers of the same version ignore.
// Every following non-blank line is one operation, in history order:
//
//	{"index":0,"process":3,"type":"invoke","f":"put","key":"7","value":"x 3 1 y","time":1200}
//	{"index":1,"process":3,"type":"ok","f":"put","key":"7","value":"x 3 1 y","time":5400,"node":2}
//	{"index":2,"process":"nemesis","type":"info","f":"start-partition","value":"1,2|3,4,5","time":9000}
//
// Fields: index (optional; when present it must equal the line's position among
// the operations, counting from 0), process (an integer ≥ 0, or "nemesis" or -1
// for the nemesis), type ("invoke", "ok", "fail" or "info"), f (non-empty), key
// (optional, default ""), value (optional, default null: null, an integer that
// fits int64, a string, or an array of these), time (optional, default 0:
// virtual nanoseconds), node (optional, default 0) and error (optional, default
// ""). Integers are read exactly, never through float64. Unknown operation
// fields are an error, so a typo cannot silently drop data. A version-1 reader
// rejects any other version; adding optional fields does not bump the version,
// changing the meaning of one does.
//
// edn (read, write) is a Jepsen history: one EDN map per line, in Jepsen's
// vocabulary:
//
//	{:index 0, :process 0, :type :invoke, :f :write, :value 3, :time 1200}
//	{:index 1, :process 3, :type :ok, :f :put, :key "7", :value ["7" "x 3 1 y"], :time 5400, :node 2}
//	{:index 2, :process :nemesis, :type :info, :f :start-partition, :value "1,2|3,4,5", :time 9000}
//
// Operations on a key carry it twice, so both families of tools read them:
// :key (the Knossos kv convention) and a :value that is Jepsen's independent
// tuple [key value]. On reading, when :key is present and :value is a
// two-element vector whose first element equals the key, the second element is
// the value; otherwise :value is taken as it is. :f and :error are written as
// keywords when their text is a plain keyword name and as strings otherwise;
// both forms read back as the same text. A missing :time reads as 0. Keys the
// format does not know (Jepsen writes many) are ignored. The reader accepts a
// file of top-level maps or of vectors/lists of maps, and is a small strict EDN
// reader: maps, vectors, lists, sets, keywords, symbols, strings with escapes,
// integers, floats, nil, true/false, comments, #_ discards and #tag forms. Values
// of client operations must be nil, integers, strings, keywords or symbols
// (read as strings) or vectors/lists of these; a nemesis operation's value of any
// other shape is kept as its EDN text.
//
// etcd-log (read only) is the Jepsen etcd register log that porcupine ships
// (testdata/porcupine/README.md):
//
//	INFO  jepsen.util - 2	:invoke	:cas	[3 0]
//
// It maps to the register conventions: :read/:write/:cas with nil, int64 or
// []any{old, new}. A completion whose value is a keyword such as :timed-out is a
// completion without a result: Error is the keyword's name and Value is the
// value the process invoked with. So ":info :write :timed-out" is an Info write
// of the invoked value and ":fail :read :timed-out" a Fail read (a read that
// changed nothing). A ":fail :cas [a b]" line is a cas whose compare failed
// (the register did not hold a): a Fail cas with Error ErrCASMismatch, which
// checkers keep as that observation. Lines carry no times: Time is 0, as for
// every source without times (see Op), and the order is the lines' order.
//
// knossos-kv (read only) is the Knossos/EDN kv family (MIT 6.824 style): one map
// per line with :process, :type, :f (:get, :put or :append), :key (a string) and
// :value (a string, or nil for a get's invoke). Values are kept as they are (a
// get of a key never written reads ""; the family's model starts every key at
// ""). Lines carry no times: Time is 0, and the order is the lines' order.
//
// Readers never panic: malformed input is a *ParseError naming the file, the
// line and what was expected. Readers check the syntax and the shape of each
// operation; they do not check the process model (call Validate).
package histories
