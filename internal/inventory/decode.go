package inventory

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// exportDecoder reads the resources of a stack export straight into
// shared values (share.go). Decoding with encoding/json first built every
// map, list and string of every resource and then threw most of them
// away for the shared copy: two thirds of what reading a large export
// allocated, and so most of the collector's work (issue 16). jsontext
// (go-json-experiment/json, the proposed encoding/json/v2's tokenizer)
// reads a value's bytes without allocating, so a string or an object
// already seen costs nothing. It is strict where encoding/json is lax: a
// resource with a duplicate member name is refused (which of the two
// would Azure get?).
type exportDecoder struct {
	sh  *sharer
	dec *jsontext.Decoder
	rd  bytes.Reader
	buf []byte // unquoted string scratch
}

func newExportDecoder(sh *sharer) *exportDecoder {
	d := &exportDecoder{sh: sh}
	d.dec = jsontext.NewDecoder(&d.rd)
	return d
}

// resource decodes one resource object (its bytes, already checked to be
// one JSON value by the stream's decoder).
func (d *exportDecoder) resource(raw []byte) (Resource, error) {
	d.rd.Reset(raw)
	d.dec.Reset(&d.rd)
	d.sh.members, d.sh.elems = d.sh.members[:0], d.sh.elems[:0]
	if k := d.dec.PeekKind(); k != '{' {
		return Resource{}, fmt.Errorf("want an object, got %s", kindName(k))
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return Resource{}, decodeError(err)
	}
	var urn, typ, name, parent string
	var inputs, outputs map[string]any
	var problems []string
	for d.dec.PeekKind() != '}' {
		key, err := d.str()
		if err != nil {
			return Resource{}, err
		}
		// encoding/json's field matching: case-insensitive.
		switch field := strings.ToLower(key); field {
		case "urn", "type", "name", "parent":
			v, ok, err := d.stringField()
			if err != nil {
				return Resource{}, err
			}
			if !ok {
				problems = append(problems, field+" must be a string")
				continue
			}
			switch field {
			case "urn":
				urn = v
			case "type":
				typ = v
			case "name":
				name = v
			case "parent":
				parent = v
			}
		case "inputs", "outputs":
			m, ok, err := d.objectField()
			if err != nil {
				return Resource{}, err
			}
			if !ok {
				problems = append(problems, field+" must be an object")
				continue
			}
			if field == "inputs" {
				inputs = m
			} else {
				outputs = m
			}
		default:
			if err := d.dec.SkipValue(); err != nil {
				return Resource{}, decodeError(err)
			}
		}
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return Resource{}, decodeError(err)
	}
	if len(problems) > 0 {
		return Resource{}, errors.New(strings.Join(problems, "; "))
	}
	return newResource(urn, typ, name, parent, inputs, outputs)
}

// stringField reads a string (the shared copy) or null (""); ok is false,
// and the value skipped, for anything else.
func (d *exportDecoder) stringField() (string, bool, error) {
	switch d.dec.PeekKind() {
	case 'n':
		_, err := d.dec.ReadToken()
		return "", true, decodeError(err)
	case '"':
		v, err := d.str()
		return v, err == nil, err
	}
	return "", false, decodeError(d.dec.SkipValue())
}

// objectField reads an object or null (nil); ok is false, and the value
// skipped, for anything else.
func (d *exportDecoder) objectField() (map[string]any, bool, error) {
	switch d.dec.PeekKind() {
	case 'n':
		_, err := d.dec.ReadToken()
		return nil, true, decodeError(err)
	case '{':
		v, _, err := d.value()
		if err != nil {
			return nil, false, err
		}
		m, ok := v.(map[string]any)
		if !ok { // a secret: its content is not kept, and inputs are not a secret
			return nil, false, nil
		}
		return m, true, nil
	}
	return nil, false, decodeError(d.dec.SkipValue())
}

// str reads a string (or an object member's name), unquoted into d.buf,
// as its shared copy.
func (d *exportDecoder) str() (string, error) {
	v, err := d.dec.ReadValue()
	if err != nil {
		return "", decodeError(err)
	}
	if d.buf, err = jsontext.AppendUnquote(d.buf[:0], v); err != nil {
		return "", decodeError(err)
	}
	return d.sh.boxBytes(d.buf).(string), nil
}

// value reads any JSON value as its normalized, shared copy (computed
// values become Unknown, secrets SecretMask) and its hash.
func (d *exportDecoder) value() (any, uint64, error) {
	switch k := d.dec.PeekKind(); k {
	case '{':
		return d.object()
	case '[':
		return d.list()
	case '"':
		v, err := d.str()
		if err != nil {
			return nil, 0, err
		}
		if v == UnknownJSON {
			return Unknown, hashUnknown, nil
		}
		b, h := d.sh.strValue(v)
		return b, h, nil
	case '0':
		v, err := d.dec.ReadValue()
		if err != nil {
			return nil, 0, decodeError(err)
		}
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return nil, 0, fmt.Errorf("number %s is out of range", v)
		}
		b, h := d.sh.numValue(f)
		return b, h, nil
	case 't', 'f', 'n':
		tok, err := d.dec.ReadToken()
		if err != nil {
			return nil, 0, decodeError(err)
		}
		switch tok.Kind() {
		case 't':
			return true, hashTrue, nil
		case 'f':
			return false, hashFalse, nil
		}
		return nil, hashNil, nil
	}
	_, err := d.dec.ReadToken()
	return nil, 0, decodeError(err)
}

func (d *exportDecoder) object() (any, uint64, error) {
	if _, err := d.dec.ReadToken(); err != nil {
		return nil, 0, decodeError(err)
	}
	sh := d.sh
	base := len(sh.members)
	defer func() { sh.members = sh.members[:base] }()
	for d.dec.PeekKind() != '}' {
		key, err := d.str()
		if err != nil {
			return nil, 0, err
		}
		v, h, err := d.value()
		if err != nil {
			return nil, 0, err
		}
		sh.members = append(sh.members, member{key, v, h})
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return nil, 0, decodeError(err)
	}
	ms := sh.members[base:]
	for _, m := range ms {
		// Pulumi's secret envelope: its content is never kept.
		if m.key == secretSig && m.val == secretSigValue {
			b, h := sh.value(SecretMask)
			return b, h, nil
		}
	}
	o, h := sh.objectOf(ms)
	return o, h, nil
}

func (d *exportDecoder) list() (any, uint64, error) {
	if _, err := d.dec.ReadToken(); err != nil {
		return nil, 0, decodeError(err)
	}
	sh := d.sh
	base := len(sh.elems)
	defer func() { sh.elems = sh.elems[:base] }()
	for d.dec.PeekKind() != ']' {
		v, h, err := d.value()
		if err != nil {
			return nil, 0, err
		}
		sh.elems = append(sh.elems, elem{v, h})
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return nil, 0, decodeError(err)
	}
	l, h := sh.list(sh.elems[base:])
	return l, h, nil
}

func kindName(k jsontext.Kind) string {
	switch k {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "no value"
}

// decodeError keeps jsontext's message (it names the JSON pointer) without
// its package prefix.
func decodeError(err error) error {
	if err == nil {
		return nil
	}
	return errors.New(strings.TrimPrefix(err.Error(), "jsontext: "))
}
