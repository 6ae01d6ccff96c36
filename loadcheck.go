package raftcheck

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// A results.json is a record of one run, read back by replay: one that
// was edited by hand (or written by another tool) must not be replayed as
// if it were that record. consistent refuses what a run never writes: a
// key no version of raftcheck knows, a top-level seed other than the
// config's (the config is what replays), a verdict that is not one.

// consistent checks a decoded results.json against its raw form.
func consistent(raw []byte, sr *storedResult) error {
	if path := unknownKey(raw, reflect.TypeOf(*sr), ""); path != "" {
		return fmt.Errorf("%s: unknown field: raftcheck never writes it (edited by hand, or by another version?)", path)
	}
	if sr.Result.Seed != sr.Config.Seed {
		return fmt.Errorf("seed: %d, but config.seed is %d: a run's top-level seed is its config's, so one of them was edited (replay would run config.seed)", sr.Result.Seed, sr.Config.Seed)
	}
	switch sr.Result.Verdict {
	case Valid, Invalid, Unknown:
	default:
		return fmt.Errorf("verdict: %q is not one of valid, invalid, unknown", sr.Result.Verdict)
	}
	return nil
}

// unknownKey returns the path ("config.bogus") of the first key of the
// JSON value raw that the Go type t does not decode, walking objects of
// struct types, their embedded structs, pointers and slices; "" when every
// key is known. Maps and other values are taken as they are.
func unknownKey(raw json.RawMessage, t reflect.Type, prefix string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return "" // its own format: its decoder judges it
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return ""
		}
		for i, it := range items {
			if p := unknownKey(it, t.Elem(), fmt.Sprintf("%s[%d]", prefix, i)); p != "" {
				return p
			}
		}
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return "" // not an object: the decoder judged it already
		}
		fields := jsonFields(t)
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys) // the first unknown key, the same every time
		for _, k := range keys {
			path := k
			if prefix != "" {
				path = prefix + "." + k
			}
			ft, ok := fields[k]
			if !ok {
				return path
			}
			if p := unknownKey(obj[k], ft, path); p != "" {
				return p
			}
		}
	}
	return ""
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// jsonFields maps the JSON keys of struct type t, embedded structs'
// included, to their types, as encoding/json names them.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					if _, shadowed := out[k]; !shadowed {
						out[k] = v
					}
				}
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		out[name] = ft
	}
	return out
}
