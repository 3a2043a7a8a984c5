package armexpr

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

type unknownValue struct{}
type secretValue struct{}

// Unknown is a value only Azure knows at deployment (reference(),
// uniqueString(), a parameter without a value). Secret is a secure value
// (a securestring parameter, a Key Vault reference): known to exist but
// never read. Both propagate through the functions that use them.
var (
	Unknown any = unknownValue{}
	Secret  any = secretValue{}
)

// IsUnknown and IsSecret tell the markers apart.
func IsUnknown(v any) bool { _, ok := v.(unknownValue); return ok }
func IsSecret(v any) bool  { _, ok := v.(secretValue); return ok }

// Placeholders stand for the deployment's scope in ids built by
// resourceId() and friends: references between resources of one template
// match on the part after /providers/, which the template fixes.
const (
	SubscriptionPlaceholder  = "{subscriptionId}"
	ResourceGroupPlaceholder = "{resourceGroupName}"
	LocationPlaceholder      = "{resourceGroupLocation}"
)

// Env is what expressions can see. Functions may be nil (their values are
// then Unknown).
type Env struct {
	// Parameter returns a parameter's value (Unknown when it has none,
	// Secret when it is secure), or an error for an undeclared name.
	Parameter func(name string) (any, error)
	// Variable returns a variable's evaluated value, or an error.
	Variable func(name string) (any, error)
	// CopyIndex returns the current index of a copy loop ("" is the
	// resource's own loop).
	CopyIndex func(loop string) (any, error)
}

// Eval evaluates a template string: an expression's value, or the
// string itself (with "[[" unescaped) when it is not an expression.
func Eval(s string, env *Env) (any, error) {
	if !IsExpression(s) {
		return Literal(s), nil
	}
	n, err := parse(s[1 : len(s)-1])
	if err != nil {
		return nil, err
	}
	return (&evaluator{env: env}).eval(n)
}

type evaluator struct{ env *Env }

func (e *evaluator) eval(n node) (any, error) {
	switch x := n.(type) {
	case strLit:
		return x.s, nil
	case numLit:
		return x.f, nil
	case member:
		t, err := e.eval(x.target)
		if err != nil {
			return nil, err
		}
		return access(t, x.key)
	case index:
		t, err := e.eval(x.target)
		if err != nil {
			return nil, err
		}
		k, err := e.eval(x.key)
		if err != nil {
			return nil, err
		}
		if m := marker(k); m != nil {
			return m, nil
		}
		return access(t, k)
	case call:
		return e.call(x)
	}
	return nil, fmt.Errorf("unexpected expression %T", n)
}

// marker returns Secret or Unknown when any value is one (Secret wins, so
// a value built from a secret is never shown), else nil.
func marker(vs ...any) any {
	var out any
	for _, v := range vs {
		if IsSecret(v) {
			return Secret
		}
		if IsUnknown(v) {
			out = Unknown
		}
	}
	return out
}

func access(t, key any) (any, error) {
	if m := marker(t); m != nil {
		return m, nil
	}
	switch c := t.(type) {
	case map[string]any:
		k, ok := key.(string)
		if !ok {
			return nil, fmt.Errorf("object index must be a string, got %s", describe(key))
		}
		// ARM property names are case-insensitive.
		if v, ok := c[k]; ok {
			return v, nil
		}
		for name, v := range c {
			if strings.EqualFold(name, k) {
				return v, nil
			}
		}
		return Unknown, nil // Azure would fail the deployment; nothing to judge
	case []any:
		f, ok := key.(float64)
		if !ok || f != math.Trunc(f) || f < 0 || int(f) >= len(c) {
			return nil, fmt.Errorf("array index %s out of range (length %d)", describe(key), len(c))
		}
		return c[int(f)], nil
	}
	return nil, fmt.Errorf("cannot take %s of %s", describe(key), describe(t))
}

func describe(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case float64, bool:
		return fmt.Sprint(v)
	}
	return Kind(v)
}

// Kind names a decoded JSON value's kind for messages ("an object").
func Kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

// deployTime are functions whose value only exists at deployment.
var deployTime = map[string]bool{
	"reference": true, "uniquestring": true, "guid": true, "newguid": true, "utcnow": true,
	"deployment": true, "environment": true, "tenant": true, "managementgroup": true,
	"pickzones": true, "deployer": true, "managementgroupresourceid": true,
}

func (e *evaluator) call(c call) (any, error) {
	if c.name == "if" {
		return e.ifCall(c.args)
	}
	args := make([]any, len(c.args))
	for i, a := range c.args {
		v, err := e.eval(a)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	switch c.name {
	case "parameters", "variables":
		if err := arity(c.name, args, 1, 1); err != nil {
			return nil, err
		}
		if m := marker(args[0]); m != nil {
			return m, nil
		}
		name, ok := args[0].(string)
		if !ok {
			return nil, fmt.Errorf("%s() wants a name, got %s", c.name, describe(args[0]))
		}
		get := e.env.Parameter
		if c.name == "variables" {
			get = e.env.Variable
		}
		if get == nil {
			return Unknown, nil
		}
		return get(name)
	case "copyindex":
		loop, offset := "", 0.0
		for _, a := range args {
			switch v := a.(type) {
			case string:
				loop = v
			case float64:
				offset = v
			default:
				return Unknown, nil
			}
		}
		if e.env.CopyIndex == nil {
			return Unknown, nil
		}
		v, err := e.env.CopyIndex(loop)
		if err != nil || marker(v) != nil {
			return v, err
		}
		return v.(float64) + offset, nil
	case "createarray", "array":
		if c.name == "array" && len(args) == 1 {
			if l, ok := args[0].([]any); ok {
				return l, nil
			}
		}
		return append([]any{}, args...), nil
	case "createobject":
		if len(args)%2 != 0 {
			return nil, fmt.Errorf("createObject() wants name, value pairs")
		}
		out := map[string]any{}
		for i := 0; i < len(args); i += 2 {
			k, ok := args[i].(string)
			if !ok {
				if m := marker(args[i]); m != nil {
					return m, nil
				}
				return nil, fmt.Errorf("createObject() names must be strings")
			}
			out[k] = args[i+1]
		}
		return out, nil
	case "null":
		return nil, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "resourcegroup":
		return map[string]any{
			"id":       "/subscriptions/" + SubscriptionPlaceholder + "/resourceGroups/" + ResourceGroupPlaceholder,
			"name":     ResourceGroupPlaceholder,
			"type":     "Microsoft.Resources/resourceGroups",
			"location": LocationPlaceholder,
		}, nil
	case "subscription":
		return map[string]any{
			"id":             "/subscriptions/" + SubscriptionPlaceholder,
			"subscriptionId": SubscriptionPlaceholder,
			"tenantId":       Unknown,
			"displayName":    Unknown,
		}, nil
	case "equals":
		if err := arity(c.name, args, 2, 2); err != nil {
			return nil, err
		}
		if m := marker(args...); m != nil {
			return Unknown, nil
		}
		return equal(args[0], args[1]), nil
	case "coalesce":
		for _, a := range args {
			if marker(a) != nil {
				return a, nil // the first non-null might be this one
			}
			if a != nil {
				return a, nil
			}
		}
		return nil, nil
	}
	if deployTime[c.name] || strings.HasPrefix(c.name, "list") || strings.Contains(c.name, ".") {
		return Unknown, nil
	}
	if m := marker(args...); m != nil {
		return m, nil
	}
	if f, ok := pure[c.name]; ok {
		if err := arity(c.name, args, f.min, f.max); err != nil {
			return nil, err
		}
		return f.fn(args)
	}
	// A function this evaluator does not compute: its value is not proven.
	return Unknown, nil
}

func (e *evaluator) ifCall(an []node) (any, error) {
	if len(an) != 3 {
		return nil, fmt.Errorf("if() wants 3 arguments, got %d", len(an))
	}
	cond, err := e.eval(an[0])
	if err != nil {
		return nil, err
	}
	if marker(cond) != nil {
		return Unknown, nil
	}
	b, ok := cond.(bool)
	if !ok {
		return nil, fmt.Errorf("if() condition must be a bool, got %s", describe(cond))
	}
	if b {
		return e.eval(an[1])
	}
	return e.eval(an[2])
}

func arity(name string, args []any, lo, hi int) error {
	if len(args) < lo || (hi >= 0 && len(args) > hi) {
		want := strconv.Itoa(lo)
		switch {
		case hi < 0:
			want = "at least " + want
		case hi != lo:
			want = fmt.Sprintf("%d to %d", lo, hi)
		}
		return fmt.Errorf("%s() wants %s arguments, got %d", name, want, len(args))
	}
	return nil
}

func equal(a, b any) bool {
	if sa, ok := a.(string); ok {
		if sb, ok := b.(string); ok {
			return strings.EqualFold(sa, sb) // ARM compares strings case-insensitively
		}
	}
	return reflect.DeepEqual(a, b)
}

type pureFn struct {
	min, max int // max -1: any
	fn       func([]any) (any, error)
}

// pure are the functions whose result follows from their arguments.
var pure = map[string]pureFn{
	"concat": {1, -1, concat},
	"format": {1, -1, format},
	"resourceid": {2, -1, func(a []any) (any, error) {
		return resourceID(a, "/subscriptions/{s}/resourceGroups/{g}", 2)
	}},
	"subscriptionresourceid": {2, -1, func(a []any) (any, error) { return resourceID(a, "/subscriptions/{s}", 1) }},
	"tenantresourceid":       {2, -1, func(a []any) (any, error) { return resourceID(a, "", 0) }},
	"extensionresourceid": {3, -1, func(a []any) (any, error) {
		scope, ok := a[0].(string)
		if !ok {
			return nil, fmt.Errorf("extensionResourceId() scope must be a string")
		}
		rest, err := resourceID(a[1:], "", 0)
		if err != nil {
			return nil, err
		}
		return strings.TrimSuffix(scope, "/") + rest.(string), nil
	}},
	"tolower": {1, 1, strFn(strings.ToLower)},
	"toupper": {1, 1, strFn(strings.ToUpper)},
	"trim":    {1, 1, strFn(strings.TrimSpace)},
	"string":  {1, 1, func(a []any) (any, error) { return toString(a[0]), nil }},
	"int": {1, 1, func(a []any) (any, error) {
		switch v := a[0].(type) {
		case float64:
			return math.Trunc(v), nil
		case string:
			f, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("int(%q): not an integer", v)
			}
			return float64(f), nil
		}
		return nil, fmt.Errorf("int() of %s", describe(a[0]))
	}},
	"bool": {1, 1, func(a []any) (any, error) {
		switch v := a[0].(type) {
		case bool:
			return v, nil
		case string:
			b, err := strconv.ParseBool(strings.ToLower(v))
			if err != nil {
				return nil, fmt.Errorf("bool(%q): not true or false", v)
			}
			return b, nil
		case float64:
			return v != 0, nil
		}
		return nil, fmt.Errorf("bool() of %s", describe(a[0]))
	}},
	"json": {1, 1, func(a []any) (any, error) {
		s, ok := a[0].(string)
		if !ok {
			return nil, fmt.Errorf("json() wants a string")
		}
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, fmt.Errorf("json(): %w", err)
		}
		return v, nil
	}},
	"not": {1, 1, func(a []any) (any, error) {
		b, ok := a[0].(bool)
		if !ok {
			return nil, fmt.Errorf("not() of %s", describe(a[0]))
		}
		return !b, nil
	}},
	"and": {2, -1, boolFold(true)},
	"or":  {2, -1, boolFold(false)},
	"empty": {1, 1, func(a []any) (any, error) {
		switch v := a[0].(type) {
		case nil:
			return true, nil
		case string:
			return v == "", nil
		case []any:
			return len(v) == 0, nil
		case map[string]any:
			return len(v) == 0, nil
		}
		return false, nil
	}},
	"length": {1, 1, func(a []any) (any, error) {
		switch v := a[0].(type) {
		case string:
			return float64(len([]rune(v))), nil
		case []any:
			return float64(len(v)), nil
		case map[string]any:
			return float64(len(v)), nil
		}
		return nil, fmt.Errorf("length() of %s", describe(a[0]))
	}},
	"contains": {2, 2, func(a []any) (any, error) {
		switch v := a[0].(type) {
		case string:
			return strings.Contains(v, toString(a[1])), nil
		case []any:
			for _, x := range v {
				if equal(x, a[1]) {
					return true, nil
				}
			}
			return false, nil
		case map[string]any:
			k := toString(a[1])
			for name := range v {
				if strings.EqualFold(name, k) {
					return true, nil
				}
			}
			return false, nil
		}
		return nil, fmt.Errorf("contains() in %s", describe(a[0]))
	}},
	"union": {1, -1, func(a []any) (any, error) {
		if _, ok := a[0].(map[string]any); ok {
			out := map[string]any{}
			for _, x := range a {
				m, ok := x.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("union() mixes objects and %s", describe(x))
				}
				for k, v := range m {
					out[k] = v
				}
			}
			return out, nil
		}
		var out []any
		for _, x := range a {
			l, ok := x.([]any)
			if !ok {
				return nil, fmt.Errorf("union() mixes arrays and %s", describe(x))
			}
			for _, v := range l {
				dup := false
				for _, o := range out {
					dup = dup || equal(o, v)
				}
				if !dup {
					out = append(out, v)
				}
			}
		}
		return out, nil
	}},
	"first": {1, 1, func(a []any) (any, error) { return edge(a[0], true) }},
	"last":  {1, 1, func(a []any) (any, error) { return edge(a[0], false) }},
	"split": {2, 2, func(a []any) (any, error) {
		s, ok := a[0].(string)
		if !ok {
			return nil, fmt.Errorf("split() of %s", describe(a[0]))
		}
		seps := []string{toString(a[1])}
		if l, ok := a[1].([]any); ok {
			seps = seps[:0]
			for _, x := range l {
				seps = append(seps, toString(x))
			}
		}
		parts := []string{s}
		for _, sep := range seps {
			var next []string
			for _, p := range parts {
				next = append(next, strings.Split(p, sep)...)
			}
			parts = next
		}
		out := make([]any, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return out, nil
	}},
	"replace": {3, 3, func(a []any) (any, error) {
		return strings.ReplaceAll(toString(a[0]), toString(a[1]), toString(a[2])), nil
	}},
	"startswith": {2, 2, func(a []any) (any, error) {
		return strings.HasPrefix(strings.ToLower(toString(a[0])), strings.ToLower(toString(a[1]))), nil
	}},
	"endswith": {2, 2, func(a []any) (any, error) {
		return strings.HasSuffix(strings.ToLower(toString(a[0])), strings.ToLower(toString(a[1]))), nil
	}},
	"substring": {2, 3, func(a []any) (any, error) {
		s := []rune(toString(a[0]))
		start, ok := a[1].(float64)
		if !ok || start < 0 || int(start) > len(s) {
			return nil, fmt.Errorf("substring() start %s out of range", describe(a[1]))
		}
		end := len(s)
		if len(a) == 3 {
			n, ok := a[2].(float64)
			if !ok || n < 0 || int(start)+int(n) > len(s) {
				return nil, fmt.Errorf("substring() length %s out of range", describe(a[2]))
			}
			end = int(start) + int(n)
		}
		return string(s[int(start):end]), nil
	}},
	"add": {2, 2, arith(func(x, y float64) float64 { return x + y })},
	"sub": {2, 2, arith(func(x, y float64) float64 { return x - y })},
	"mul": {2, 2, arith(func(x, y float64) float64 { return x * y })},
	"div": {2, 2, func(a []any) (any, error) {
		if y, _ := a[1].(float64); y == 0 {
			return nil, fmt.Errorf("div() by zero")
		}
		return arith(func(x, y float64) float64 { return math.Trunc(x / y) })(a)
	}},
	"greater":         {2, 2, compare(func(c int) bool { return c > 0 })},
	"greaterorequals": {2, 2, compare(func(c int) bool { return c >= 0 })},
	"less":            {2, 2, compare(func(c int) bool { return c < 0 })},
	"lessorequals":    {2, 2, compare(func(c int) bool { return c <= 0 })},
}

func strFn(f func(string) string) func([]any) (any, error) {
	return func(a []any) (any, error) {
		s, ok := a[0].(string)
		if !ok {
			return nil, fmt.Errorf("want a string, got %s", describe(a[0]))
		}
		return f(s), nil
	}
}

func boolFold(and bool) func([]any) (any, error) {
	return func(a []any) (any, error) {
		out := and
		for _, x := range a {
			b, ok := x.(bool)
			if !ok {
				return nil, fmt.Errorf("want bools, got %s", describe(x))
			}
			if and {
				out = out && b
			} else {
				out = out || b
			}
		}
		return out, nil
	}
}

func arith(f func(x, y float64) float64) func([]any) (any, error) {
	return func(a []any) (any, error) {
		x, ok1 := a[0].(float64)
		y, ok2 := a[1].(float64)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("want integers, got %s and %s", describe(a[0]), describe(a[1]))
		}
		return f(x, y), nil
	}
}

func compare(ok func(int) bool) func([]any) (any, error) {
	return func(a []any) (any, error) {
		switch x := a[0].(type) {
		case float64:
			y, isNum := a[1].(float64)
			if !isNum {
				return nil, fmt.Errorf("cannot compare %s with %s", describe(a[0]), describe(a[1]))
			}
			c := 0
			if x < y {
				c = -1
			} else if x > y {
				c = 1
			}
			return ok(c), nil
		case string:
			y, isStr := a[1].(string)
			if !isStr {
				return nil, fmt.Errorf("cannot compare %s with %s", describe(a[0]), describe(a[1]))
			}
			return ok(strings.Compare(x, y)), nil
		}
		return nil, fmt.Errorf("cannot compare %s", describe(a[0]))
	}
}

func edge(v any, first bool) (any, error) {
	switch x := v.(type) {
	case string:
		if x == "" {
			return "", nil
		}
		r := []rune(x)
		if first {
			return string(r[0]), nil
		}
		return string(r[len(r)-1]), nil
	case []any:
		if len(x) == 0 {
			return nil, nil
		}
		if first {
			return x[0], nil
		}
		return x[len(x)-1], nil
	}
	return nil, fmt.Errorf("first()/last() of %s", describe(v))
}

// toString is ARM's string(): strings as they are, the rest as JSON.
func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return ""
	}
	b, err := json.Marshal(v) // map keys in order: stable output
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func concat(a []any) (any, error) {
	if _, ok := a[0].([]any); ok {
		var out []any
		for _, x := range a {
			l, ok := x.([]any)
			if !ok {
				return nil, fmt.Errorf("concat() mixes arrays and %s", describe(x))
			}
			out = append(out, l...)
		}
		return out, nil
	}
	var b strings.Builder
	for _, x := range a {
		if _, isList := x.([]any); isList {
			return nil, fmt.Errorf("concat() mixes strings and arrays")
		}
		b.WriteString(toString(x))
	}
	return b.String(), nil
}

// format is .NET composite formatting as ARM's format() does it: {0},
// {{ and }}; a format spec ({0:N2}) is not computed (Unknown).
func format(a []any) (any, error) {
	f, ok := a[0].(string)
	if !ok {
		return nil, fmt.Errorf("format() wants a format string")
	}
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		c := f[i]
		switch {
		case c == '{' && i+1 < len(f) && f[i+1] == '{':
			b.WriteByte('{')
			i++
		case c == '}' && i+1 < len(f) && f[i+1] == '}':
			b.WriteByte('}')
			i++
		case c == '{':
			end := strings.IndexByte(f[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("format(): '{' not closed")
			}
			spec := f[i+1 : i+end]
			if strings.ContainsAny(spec, ":,") {
				return Unknown, nil
			}
			n, err := strconv.Atoi(strings.TrimSpace(spec))
			if err != nil || n < 0 || n+1 >= len(a) {
				return nil, fmt.Errorf("format(): {%s} has no argument", spec)
			}
			b.WriteString(toString(a[n+1]))
			i += end
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// resourceID builds an id from optional scope arguments (up to scopeArgs:
// subscription id, resource group), a resource type and its names.
func resourceID(a []any, prefix string, scopeArgs int) (any, error) {
	strs := make([]string, len(a))
	for i, x := range a {
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("resource id arguments must be strings, got %s", describe(x))
		}
		strs[i] = s
	}
	typeAt := -1
	for i, s := range strs {
		if i <= scopeArgs && strings.Contains(s, "/") && strings.Contains(strings.SplitN(s, "/", 2)[0], ".") {
			typeAt = i
			break
		}
	}
	if typeAt < 0 {
		return nil, fmt.Errorf("no resource type (Namespace/type) among the arguments %q", strs)
	}
	sub, rg := SubscriptionPlaceholder, ResourceGroupPlaceholder
	switch {
	case scopeArgs == 2 && typeAt == 1:
		rg = strs[0]
	case scopeArgs == 2 && typeAt == 2:
		sub, rg = strs[0], strs[1]
	case scopeArgs == 1 && typeAt == 1:
		sub = strs[0]
	}
	segs := strings.Split(strings.Trim(strs[typeAt], "/"), "/")
	names := strs[typeAt+1:]
	if len(names) != len(segs)-1 {
		return nil, fmt.Errorf("resource type %s wants %d names, got %d", strs[typeAt], len(segs)-1, len(names))
	}
	var b strings.Builder
	b.WriteString(strings.NewReplacer("{s}", sub, "{g}", rg).Replace(prefix))
	b.WriteString("/providers/")
	b.WriteString(segs[0])
	for i, n := range names {
		b.WriteString("/" + segs[i+1] + "/" + n)
	}
	return b.String(), nil
}
