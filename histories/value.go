package histories

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// maxValueDepth bounds the nesting of []any values, so that no reader, writer
// or comparison recurses without limit on hostile input.
const maxValueDepth = 32

// CheckValue reports whether v follows Op.Value's rules: nil, int64, a valid
// UTF-8 string, or a []any of such values nested at most 32 deep.
func CheckValue(v any) error {
	return checkValue(v, 0)
}

func checkValue(v any, depth int) error {
	switch v := v.(type) {
	case nil, int64:
		return nil
	case string:
		if !utf8.ValidString(v) {
			return fmt.Errorf("string %s is not valid UTF-8", quoteFound(v))
		}
		return nil
	case []any:
		if depth >= maxValueDepth {
			return fmt.Errorf("value nested deeper than %d", maxValueDepth)
		}
		for _, e := range v {
			if err := checkValue(e, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unsupported value type %T (want nil, int64, string or []any)", v)
}

// maxDescribed bounds the text DescribeValue shows of a value.
const maxDescribed = 60

// DescribeValue describes v for an error message as a user wrote it, in EDN
// syntax and without Go type names: "nil", "the integer 5", `the string "1"`,
// "the list [1 [2 [3]]]" (long values are cut with "...").
func DescribeValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "nil"
	case int64:
		return "the integer " + strconv.FormatInt(v, 10)
	case int:
		return "the integer " + strconv.Itoa(v)
	case string:
		return "the string " + quoteFound(v)
	case []any:
		buf, err := ednSyntax.appendValue(nil, v, 0)
		if err != nil {
			break
		}
		if len(buf) > maxDescribed {
			n := maxDescribed
			for n > 0 && !utf8.RuneStart(buf[n]) {
				n-- // cut between characters
			}
			buf = append(buf[:n:n], "..."...)
		}
		return "the list " + string(buf)
	}
	return fmt.Sprintf("the value %v", v)
}

// EqualValues reports whether a and b are the same Op.Value. A nil []any equals
// an empty one: no format can tell them apart.
func EqualValues(a, b any) bool {
	return equalValues(a, b, 0)
}

func equalValues(a, b any, depth int) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case int64:
		bv, ok := b.(int64)
		return ok && a == bv
	case string:
		bv, ok := b.(string)
		return ok && a == bv
	case []any:
		bv, ok := b.([]any)
		if !ok || len(a) != len(bv) || depth >= maxValueDepth {
			return ok && len(a) == 0 && len(bv) == 0
		}
		for i := range a {
			if !equalValues(a[i], bv[i], depth+1) {
				return false
			}
		}
		return true
	}
	return false
}

// EqualOps reports whether a and b are the same operation, comparing values
// with EqualValues.
func EqualOps(a, b Op) bool {
	return a.Index == b.Index && a.Process == b.Process && a.Type == b.Type &&
		a.F == b.F && a.Key == b.Key && a.Time == b.Time && a.Node == b.Node &&
		a.Error == b.Error && EqualValues(a.Value, b.Value)
}

// Equal reports whether a and b hold the same operations in the same order.
func Equal(a, b History) bool {
	return Diff(a, b) == ""
}

// Diff describes the first difference between a and b ("" if they are Equal),
// for test failures and round-trip reports.
func Diff(a, b History) string {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if !EqualOps(a[i], b[i]) {
			return fmt.Sprintf("op %d differs:\n  %v\n  %v", i, a[i], b[i])
		}
	}
	if len(a) != len(b) {
		return fmt.Sprintf("lengths differ: %d and %d ops", len(a), len(b))
	}
	return ""
}
