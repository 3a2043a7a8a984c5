package inventory

import (
	"hash/maphash"
	"math"
	"reflect"
)

// sharer gives equal values one copy while a document is read: every
// string once, and every object and list once however many resources hold
// it (hash-consing). A 50,000-resource stack export is mostly the same
// settings blocks over and over (one component per app, environment or
// region), and a Go map costs ~300 bytes however few keys it holds, so
// without sharing the loaded resources took 2.6 KB each, five times the
// file (issue 16). Values are shared bottom-up: children are made
// canonical first, so two objects are equal exactly when their keys match
// and their children are the same canonical values, which is a shallow
// comparison.
//
// Shared values must not be modified: Load's and Read's resources are
// read-only (rules, the edge model and the evidence report only read them;
// TestRulesLeaveInputsAlone checks it).
type sharer struct {
	seed  maphash.Seed
	strs  map[string]any // the string, boxed once
	nums  map[uint64]any // float64 bits -> the number, boxed once
	objs  map[uint64][]map[string]any
	lists map[uint64][][]any
	// The open objects' members and lists' elements, innermost last: the
	// scratch both readers (value here, exportDecoder) build a value in.
	members []member
	elems   []elem
}

// member is an object member whose value is already shared, with the
// value's hash; elem is the same for a list element.
type member struct {
	key string
	val any
	h   uint64
}

type elem struct {
	val any
	h   uint64
}

func newSharer() *sharer {
	return &sharer{
		seed:  maphash.MakeSeed(),
		strs:  map[string]any{},
		nums:  map[uint64]any{},
		objs:  map[uint64][]map[string]any{},
		lists: map[uint64][][]any{},
	}
}

// str returns the shared copy of s.
func (s *sharer) str(x string) string {
	if s == nil {
		return x
	}
	return s.boxStr(x).(string)
}

// boxBytes is boxStr for unquoted bytes: no allocation when the string
// was seen before.
func (s *sharer) boxBytes(b []byte) any {
	if v, ok := s.strs[string(b)]; ok {
		return v
	}
	return s.boxStr(string(b))
}

// numValue is value for a number, without boxing it first.
func (s *sharer) numValue(x float64) (any, uint64) {
	bits := math.Float64bits(x)
	b, ok := s.nums[bits]
	if !ok {
		b = x
		s.nums[bits] = b
	}
	return b, mix(bits ^ hashNum)
}

// strValue is value for a string, without boxing it first.
func (s *sharer) strValue(x string) (any, uint64) {
	return s.boxStr(x), maphash.String(s.seed, x)
}

func (s *sharer) boxStr(x string) any {
	if b, ok := s.strs[x]; ok {
		return b
	}
	var b any = x
	s.strs[x] = b
	return b
}

// Hash seeds per kind, so a string and an object of the same content
// differ.
const (
	hashNil uint64 = 0x9e3779b97f4a7c15 + iota
	hashTrue
	hashFalse
	hashUnknown
	hashNum
	hashList
	hashObj
)

// mix is splitmix64's finalizer: a cheap, well-spread 64-bit mixer.
func mix(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// value returns the shared copy of a normalized JSON-like value and its
// hash. Lists and objects are rebuilt from shared children; the ones given
// become garbage.
func (s *sharer) value(v any) (any, uint64) {
	switch x := v.(type) {
	case nil:
		return nil, hashNil
	case bool:
		if x {
			return true, hashTrue
		}
		return false, hashFalse
	case string:
		return s.strValue(x)
	case float64:
		return s.numValue(x)
	case []any:
		base := len(s.elems)
		for _, e := range x {
			v, h := s.value(e)
			s.elems = append(s.elems, elem{v, h})
		}
		l, h := s.list(s.elems[base:])
		s.elems = s.elems[:base]
		return l, h
	case map[string]any:
		return s.object(x)
	}
	if IsUnknown(v) {
		return Unknown, hashUnknown
	}
	return v, hashNil // no other kinds come out of JSON
}

func (s *sharer) object(m map[string]any) (map[string]any, uint64) {
	base := len(s.members)
	for k, e := range m {
		v, h := s.value(e)
		s.members = append(s.members, member{k, v, h})
	}
	o, h := s.objectOf(s.members[base:])
	s.members = s.members[:base]
	return o, h
}

// objectOf returns the shared object holding ms, and its hash: the one
// already kept when there is one, else a new one with shared keys. The
// sum of per-member hashes does not depend on the members' order.
func (s *sharer) objectOf(ms []member) (map[string]any, uint64) {
	h := hashObj
	for _, m := range ms {
		h += mix(maphash.String(s.seed, m.key) ^ m.h)
	}
	h = mix(h)
	for _, c := range s.objs[h] {
		if sameMembers(c, ms) {
			return c, h
		}
	}
	kept := make(map[string]any, len(ms))
	for _, m := range ms {
		kept[s.str(m.key)] = m.val
	}
	s.objs[h] = append(s.objs[h], kept)
	return kept, h
}

// list is objectOf for a list's elements.
func (s *sharer) list(es []elem) ([]any, uint64) {
	h := hashList
	for _, e := range es {
		h = mix(h ^ e.h)
	}
	for _, c := range s.lists[h] {
		if sameElems(c, es) {
			return c, h
		}
	}
	kept := make([]any, len(es))
	for i, e := range es {
		kept[i] = e.val
	}
	s.lists[h] = append(s.lists[h], kept)
	return kept, h
}

// object returns nil for nil, the shared copy otherwise.
func (s *sharer) objectOrNil(m map[string]any) map[string]any {
	if m == nil || s == nil {
		return m
	}
	o, _ := s.object(m)
	return o
}

func sameMembers(c map[string]any, ms []member) bool {
	if len(c) != len(ms) {
		return false
	}
	for _, m := range ms {
		v, ok := c[m.key]
		if !ok || !identical(v, m.val) {
			return false
		}
	}
	return true
}

func sameElems(c []any, es []elem) bool {
	if len(c) != len(es) {
		return false
	}
	for i, e := range es {
		if !identical(c[i], e.val) {
			return false
		}
	}
	return true
}

// identical compares two canonical values: scalars by value, lists and
// objects by identity (equal children are already one copy).
func identical(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		return ok && reflect.ValueOf(x).UnsafePointer() == reflect.ValueOf(y).UnsafePointer()
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		return len(x) == 0 || &x[0] == &y[0]
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	}
	return a == b // nil, bool, string, the Unknown marker
}
