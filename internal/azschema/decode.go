package azschema

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// decodeFile reads the table as encoding/json reads it into a file, keys
// matched exactly as ./gen writes them. Written out because encoding/json,
// driven by reflection, took ~5 ms for the 200 KB table: a fifth of what a
// whole `plan` process spends beyond its bare start (issue 16). Unknown
// keys are skipped and null leaves a field unset, as in encoding/json. A
// field added to the table's types must be added here too:
// TestDecodeMatchesEncodingJSON fails on the embedded table until it is.
func decodeFile(buf []byte) (*file, error) {
	d := &decoder{buf: buf, seen: map[string]string{}}
	var f file
	if !d.null() {
		for key, ok := d.firstKey(); ok; key, ok = d.nextKey() {
			switch string(key) {
			case "types":
				f.Types = d.types()
			case "defs":
				f.Defs = d.props(f.Defs)
			default:
				d.skip()
			}
		}
	}
	d.space()
	if d.err == nil && d.pos < len(d.buf) {
		d.fail("data after the table")
	}
	if d.err != nil {
		return nil, d.err
	}
	return &f, nil
}

// decoder is a JSON reader that keeps its first error; once it has one,
// every read is a no-op at the end of the input, so the field code stays
// linear.
type decoder struct {
	buf []byte
	pos int
	err error
	// seen holds the strings read so far: the table repeats a few hundred
	// (types, ARM path steps, enum values) thousands of times.
	seen map[string]string
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("offset %d: %s", d.pos, what)
	}
	d.pos = len(d.buf)
}

func (d *decoder) space() {
	for d.pos < len(d.buf) {
		c := d.buf[d.pos]
		if c > ' ' || c != ' ' && c != '\n' && c != '\t' && c != '\r' {
			return
		}
		d.pos++
	}
}

// peek returns the next non-space byte, 0 at the end.
func (d *decoder) peek() byte {
	d.space()
	if d.pos < len(d.buf) {
		return d.buf[d.pos]
	}
	return 0
}

func (d *decoder) expect(c byte) bool {
	if d.peek() != c {
		d.fail(fmt.Sprintf("want %q", c))
		return false
	}
	d.pos++
	return true
}

// literal consumes word (true, false, null) if it comes next.
func (d *decoder) literal(word string) bool {
	d.space()
	if len(d.buf)-d.pos >= len(word) && string(d.buf[d.pos:d.pos+len(word)]) == word {
		d.pos += len(word)
		return true
	}
	return false
}

func (d *decoder) null() bool { return d.err == nil && d.literal("null") }

// firstKey opens an object and reads its first key, if any; nextKey reads
// the next one. The caller reads each member's value in between:
//
//	for key, ok := d.firstKey(); ok; key, ok = d.nextKey() {
//		switch string(key) { ... }
//	}
//
// A key is valid until the next read.
func (d *decoder) firstKey() ([]byte, bool) {
	if !d.expect('{') {
		return nil, false
	}
	if d.peek() == '}' {
		d.pos++
		return nil, false
	}
	return d.key()
}

func (d *decoder) nextKey() ([]byte, bool) {
	switch d.peek() {
	case ',':
		d.pos++
		return d.key()
	case '}':
		d.pos++
	default:
		d.fail("want , or }")
	}
	return nil, false
}

func (d *decoder) key() ([]byte, bool) {
	k := d.strBytes()
	return k, d.expect(':')
}

// firstElem opens an array and reports whether an element follows;
// nextElem, after one, whether another does.
func (d *decoder) firstElem() bool {
	if !d.expect('[') {
		return false
	}
	if d.peek() == ']' {
		d.pos++
		return false
	}
	return true
}

func (d *decoder) nextElem() bool {
	switch d.peek() {
	case ',':
		d.pos++
		return true
	case ']':
		d.pos++
	default:
		d.fail("want , or ]")
	}
	return false
}

// str reads a string.
func (d *decoder) str() string { return d.intern(d.strBytes()) }

func (d *decoder) intern(b []byte) string {
	if s, ok := d.seen[string(b)]; ok {
		return s
	}
	s := string(b)
	d.seen[s] = s
	return s
}

// strBytes reads a string, returning its bytes without copying them when
// it has no escapes (all of the table but a few patterns); the rest goes to
// encoding/json, which also rejects control characters and replaces
// invalid UTF-8 as it always does.
func (d *decoder) strBytes() []byte {
	if d.peek() != '"' {
		d.fail("want a string")
		return nil
	}
	start := d.pos
	plain := true
	i := start + 1
	for ; i < len(d.buf); i++ {
		c := d.buf[i]
		if c == '"' {
			break
		}
		if c == '\\' {
			plain = false
			i++ // the escaped byte cannot end the string
		} else if c < 0x20 || c >= utf8.RuneSelf {
			plain = false
		}
	}
	if i >= len(d.buf) {
		d.fail("unterminated string")
		return nil
	}
	d.pos = i + 1
	if plain {
		return d.buf[start+1 : i]
	}
	var s string
	if err := json.Unmarshal(d.buf[start:i+1], &s); err != nil {
		d.pos = start
		d.fail(err.Error())
	}
	return []byte(s)
}

// number returns the literal of a JSON number.
func (d *decoder) number() string {
	d.space()
	start := d.pos
	for d.pos < len(d.buf) && isNumberByte(d.buf[d.pos]) {
		d.pos++
	}
	lit := d.buf[start:d.pos]
	if !json.Valid(lit) { // the grammar: no "01", "1.", "-", "+1"
		d.pos = start
		d.fail("want a number")
		return "0"
	}
	return string(lit)
}

func isNumberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

func (d *decoder) float() *float64 {
	if d.null() {
		return nil
	}
	f, err := strconv.ParseFloat(d.number(), 64)
	if err != nil {
		d.fail(err.Error())
	}
	return &f
}

func (d *decoder) int() *int {
	if d.null() {
		return nil
	}
	n, err := strconv.ParseInt(d.number(), 10, strconv.IntSize)
	if err != nil {
		d.fail(err.Error())
	}
	i := int(n)
	return &i
}

// string reads a string field; null leaves it as it was.
func (d *decoder) string(dst *string) {
	if !d.null() {
		*dst = d.str()
	}
}

func (d *decoder) bool(dst *bool) {
	switch {
	case d.null():
	case d.literal("true"):
		*dst = true
	case d.literal("false"):
		*dst = false
	default:
		d.fail("want a boolean")
	}
}

func (d *decoder) strings() []string {
	if d.null() {
		return nil
	}
	out := []string{}
	for ok := d.firstElem(); ok; ok = d.nextElem() {
		var s string
		d.string(&s)
		out = append(out, s)
	}
	return out
}

// skip consumes any value.
func (d *decoder) skip() {
	switch d.peek() {
	case '{':
		for _, ok := d.firstKey(); ok; _, ok = d.nextKey() {
			d.skip()
		}
	case '[':
		for ok := d.firstElem(); ok; ok = d.nextElem() {
			d.skip()
		}
	case '"':
		d.strBytes()
	case 't', 'f', 'n':
		if !d.literal("true") && !d.literal("false") && !d.literal("null") {
			d.fail("want a value")
		}
	default:
		d.number()
	}
}

func (d *decoder) types() []*Type {
	if d.null() {
		return nil
	}
	out := []*Type{}
	for ok := d.firstElem(); ok; ok = d.nextElem() {
		var t *Type
		if !d.null() {
			t = d.typ()
		}
		out = append(out, t)
	}
	return out
}

func (d *decoder) typ() *Type {
	t := &Type{}
	for key, ok := d.firstKey(); ok; key, ok = d.nextKey() {
		switch string(key) {
		case "token":
			d.string(&t.Token)
		case "armType":
			d.string(&t.ARMType)
		case "apiVersion":
			d.string(&t.APIVersion)
		case "source":
			d.string(&t.Source)
		case "armName":
			d.string(&t.ARMName)
		case "armFixedName":
			d.string(&t.ARMFixedName)
		case "inputs":
			t.Inputs = d.prop()
		default:
			d.skip()
		}
	}
	return t
}

// props reads an object of properties into m (made if nil, as
// encoding/json does).
func (d *decoder) props(m map[string]*Prop) map[string]*Prop {
	if d.null() {
		return nil
	}
	if m == nil {
		m = map[string]*Prop{}
	}
	for key, ok := d.firstKey(); ok; key, ok = d.nextKey() {
		name := d.intern(key)
		m[name] = d.prop()
	}
	return m
}

func (d *decoder) prop() *Prop {
	if d.null() {
		return nil
	}
	p := &Prop{}
	for key, ok := d.firstKey(); ok; key, ok = d.nextKey() {
		switch string(key) {
		case "type":
			d.string(&p.Type)
		case "in":
			d.string(&p.In)
		case "arm":
			p.ARM = d.strings()
		case "required":
			d.bool(&p.Required)
		case "properties":
			p.Properties = d.props(p.Properties)
		case "items":
			p.Items = d.prop()
		case "additionalProperties":
			p.AdditionalProperties = d.prop()
		case "oneOf":
			p.OneOf = d.propList()
		case "discriminator":
			d.string(&p.Discriminator)
		case "const":
			d.string(&p.Const)
		case "enum":
			p.Enum = d.strings()
		case "enumOpen":
			d.bool(&p.EnumOpen)
		case "minimum":
			p.Minimum = d.float()
		case "maximum":
			p.Maximum = d.float()
		case "minLength":
			p.MinLength = d.int()
		case "maxLength":
			p.MaxLength = d.int()
		case "minItems":
			p.MinItems = d.int()
		case "maxItems":
			p.MaxItems = d.int()
		case "pattern":
			d.string(&p.Pattern)
		case "ref":
			d.string(&p.Ref)
		default:
			d.skip()
		}
	}
	return p
}

func (d *decoder) propList() []*Prop {
	if d.null() {
		return nil
	}
	out := []*Prop{}
	for ok := d.firstElem(); ok; ok = d.nextElem() {
		out = append(out, d.prop())
	}
	return out
}
