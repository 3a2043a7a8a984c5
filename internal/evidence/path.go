package evidence

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/streamsec/streamsec/internal/inventory"
)

// step is one element of a property path: a map key, a list index, any
// list element ([]), or the list elements whose key equals a value ([k=v]).
type step struct {
	key    string
	index  int // -1 unless an index step
	any    bool
	selKey string
	selVal string
}

// parsePath reads the catalogue's property path syntax:
// "customRules.rules[].matchConditions[selector=Origin].matchValue".
// A selector key may itself be dotted; values may hold dots.
func parsePath(p string) ([]step, error) {
	var steps []step
	i := 0
	for i < len(p) {
		switch p[i] {
		case '.':
			i++
		case '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("path %q: unclosed [", p)
			}
			inner := p[i+1 : i+end]
			i += end + 1
			if inner == "" {
				steps = append(steps, step{any: true, index: -1})
				continue
			}
			k, v, ok := strings.Cut(inner, "=")
			if !ok || k == "" {
				return nil, fmt.Errorf("path %q: [%s] must be [] or [key=value]", p, inner)
			}
			steps = append(steps, step{selKey: k, selVal: v, index: -1})
		default:
			j := i
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			tok := p[i:j]
			i = j
			if n, err := strconv.Atoi(tok); err == nil && n >= 0 {
				steps = append(steps, step{index: n})
			} else {
				steps = append(steps, step{key: tok, index: -1})
			}
		}
	}
	if len(steps) == 0 {
		return nil, fmt.Errorf("path %q is empty", p)
	}
	return steps, nil
}

// found is one value a path reached, with the concrete path to it.
type found struct {
	value any
	path  string
}

// walk follows steps from v and returns every value reached. An Unknown
// met on the way is returned as the value (the rest cannot be known yet).
func walk(v any, steps []step, at string) []found {
	if len(steps) == 0 {
		return []found{{value: v, path: at}}
	}
	if inventory.IsUnknown(v) {
		return []found{{value: inventory.Unknown, path: at}}
	}
	s := steps[0]
	rest := steps[1:]
	join := func(seg string) string {
		if at == "" {
			return seg
		}
		return at + "." + seg
	}
	switch {
	case s.key != "":
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		next, ok := m[s.key]
		if !ok {
			return nil
		}
		return walk(next, rest, join(s.key))
	case s.index >= 0:
		l, ok := v.([]any)
		if !ok || s.index >= len(l) {
			return nil
		}
		return walk(l[s.index], rest, join(strconv.Itoa(s.index)))
	default:
		l, ok := v.([]any)
		if !ok {
			return nil
		}
		var out []found
		for i, el := range l {
			if !s.any {
				got, ok := inventory.Lookup(el, s.selKey)
				if !ok || !strings.EqualFold(plain(got), s.selVal) {
					continue
				}
			}
			out = append(out, walk(el, rest, join(strconv.Itoa(i)))...)
		}
		return out
	}
}

// plain prints a JSON-like value the way the report shows it.
func plain(v any) string {
	if inventory.IsUnknown(v) {
		return "(known after apply)"
	}
	return inventory.Scalar(v)
}
