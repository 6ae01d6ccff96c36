package checker

// opKind is an operation of one of the models.
type opKind uint8

const (
	opRead   opKind = iota + 1 // register read / append-workload read
	opWrite                    // register write
	opCAS                      // register compare-and-set
	opGet                      // kv get
	opPut                      // kv put
	opAppend                   // kv append (string) or append-workload append (int)
	opDelete                   // kv delete
	opSet                      // append workload: a segment's seed sets the list (segment.go)
	// opCASFail is a register compare-and-set whose compare failed
	// (histories.ErrCASMismatch): it changed nothing, and the register held
	// another value than num at some point within the op.
	opCASFail
)

// linOp is one client operation as the porcupine models see it: the same
// pointer is the porcupine Input, Output and Metadata, so no per-step boxing
// happens and the visualization can name the history ops behind each box.
type linOp struct {
	kind opKind
	key  string

	// Inputs. Register: num is the written value or the CAS's expected value
	// (also of a failed CAS) and num2 the CAS's new value. Append workload: num is the element. KV:
	// str is the put or appended value.
	num, num2 int64
	str       string
	// put is the kv state a put leaves: the model's step returns it
	// instead of allocating one per step.
	put *kvState
	// reg is, for a register write or cas, the state it leaves, boxed
	// once: the model's step returns it instead of boxing one per step
	// (nil: box it then).
	reg any

	// Outputs, meaningful only when !unknown. outNil is a read of an unset
	// register or a get of a missing key.
	unknown bool // info or never completed: any output is accepted
	outNil  bool
	outNum  int64
	outStr  string
	outList []int64
	// list is, for an append-workload read, outList as an interned
	// persistent list (model_append.go), and for a seed the list it sets.
	list *listNode

	inv, ret   int   // history positions of the invoke and the completion (-1: none)
	from       int   // a segment's seed (inv -1): the invoke's position of the read whose value it sets
	call, done int64 // porcupine's call and return times (done is infinity when unknown)
	process    int
	node       int    // server that answered; 0 unknown
	errKind    string // the completion's Error
}

// withUnknownOutput returns a copy of o whose outcome is unknown, as if it had
// been cut off before completing.
func (o *linOp) withUnknownOutput(infinity int64) *linOp {
	c := *o
	c.done = infinity
	c.unknown = true
	c.outNil, c.outNum, c.outStr, c.outList, c.list = false, 0, "", nil, nil
	return &c
}
