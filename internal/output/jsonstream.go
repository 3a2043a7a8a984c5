package output

import (
	"bufio"
	"bytes"
	"encoding"
	"encoding/json"
	"io"
	"reflect"
	"strings"
)

// writeJSON writes v exactly as a json.Encoder with SetIndent("", "  ")
// and SetEscapeHTML(false) would, but a piece at a time: structs field by
// field and lists element by element, each leaf through encoding/json.
// The encoder builds the whole document in memory twice (marshalled, then
// indented) before writing a byte; check's JSON on a 50,000-resource
// export is 31 MB, so that cost ~100 MB at the end of the run (issue 16).
// Maps, values with their own MarshalJSON or MarshalText, and structs
// with embedded fields are leaves: small here, and encoding/json's rules
// for them are not worth restating.
func writeJSON(w io.Writer, v any) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	s := &jsonStreamer{w: bw}
	s.value(reflect.ValueOf(v), "")
	if s.err == nil {
		s.err = bw.WriteByte('\n')
	}
	if s.err == nil {
		s.err = bw.Flush()
	}
	return s.err
}

type jsonStreamer struct {
	w   *bufio.Writer
	buf bytes.Buffer
	err error
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

func (s *jsonStreamer) write(str string) {
	if s.err == nil {
		_, s.err = s.w.WriteString(str)
	}
}

// leaf encodes v whole, indented as if it sat at indent.
func (s *jsonStreamer) leaf(v reflect.Value, indent string) {
	if s.err != nil {
		return
	}
	s.buf.Reset()
	enc := json.NewEncoder(&s.buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(indent, "  ")
	var x any
	switch {
	case v.CanAddr() && v.Kind() != reflect.Pointer && v.Kind() != reflect.Interface:
		// Through its address, so encoding/json calls pointer-receiver
		// methods as it does on addressable values.
		x = v.Addr().Interface()
	case v.IsValid():
		x = v.Interface()
	}
	if s.err = enc.Encode(x); s.err != nil {
		return
	}
	_, s.err = s.w.Write(bytes.TrimSuffix(s.buf.Bytes(), []byte("\n")))
}

func (s *jsonStreamer) value(v reflect.Value, indent string) {
	if !v.IsValid() || s.err != nil {
		s.leaf(v, indent)
		return
	}
	t := v.Type()
	if t.Implements(marshalerType) || t.Implements(textMarshalerType) {
		s.leaf(v, indent)
		return
	}
	// encoding/json calls pointer-receiver methods on addressable values.
	if pt := reflect.PointerTo(t); v.CanAddr() && (pt.Implements(marshalerType) || pt.Implements(textMarshalerType)) {
		s.leaf(v.Addr(), indent)
		return
	}
	switch v.Kind() {
	case reflect.String:
		if str := v.String(); plainASCII(str) {
			// The common leaf (URNs, ids): nothing to escape.
			s.write(`"`)
			s.write(str)
			s.write(`"`)
			return
		}
		s.leaf(v, indent)
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			s.write("null")
			return
		}
		s.value(v.Elem(), indent)
	case reflect.Slice:
		if v.IsNil() || t.Elem().Kind() == reflect.Uint8 {
			s.leaf(v, indent)
			return
		}
		s.list(v, indent)
	case reflect.Array:
		s.list(v, indent)
	case reflect.Struct:
		s.object(v, indent)
	default:
		s.leaf(v, indent)
	}
}

func (s *jsonStreamer) list(v reflect.Value, indent string) {
	if v.Len() == 0 {
		s.write("[]")
		return
	}
	inner := indent + "  "
	s.write("[\n")
	for i := 0; i < v.Len(); i++ {
		if i > 0 {
			s.write(",\n")
		}
		s.write(inner)
		s.value(v.Index(i), inner)
	}
	s.write("\n" + indent + "]")
}

// plainASCII reports whether encoding/json prints str as it is between
// quotes: printable ASCII without quote or backslash.
func plainASCII(str string) bool {
	for i := 0; i < len(str); i++ {
		if c := str[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// field is one struct field as encoding/json names it.
type field struct {
	index            int
	name             string
	omitEmpty, omitZ bool
}

// fields lists t's encoded fields, or ok false when encoding/json's rules
// for t are more than names and omitempty/omitzero (embedded fields, the
// string option, names it would refuse or drop as duplicates): then the
// struct is a leaf.
func fields(t reflect.Type) (out []field, ok bool) {
	seen := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			return nil, false
		}
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		if seen[name] || strings.ContainsFunc(name, func(r rune) bool {
			return !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		}) {
			return nil, false
		}
		seen[name] = true
		fl := field{index: i, name: name}
		for _, o := range strings.Split(opts, ",") {
			switch o {
			case "omitempty":
				fl.omitEmpty = true
			case "omitzero":
				fl.omitZ = true
			case "string":
				return nil, false
			}
		}
		out = append(out, fl)
	}
	return out, true
}

func (s *jsonStreamer) object(v reflect.Value, indent string) {
	fs, ok := fields(v.Type())
	if !ok {
		s.leaf(v, indent)
		return
	}
	inner := indent + "  "
	n := 0
	for _, f := range fs {
		fv := v.Field(f.index)
		if f.omitEmpty && isEmpty(fv) || f.omitZ && isZero(fv) {
			continue
		}
		if n == 0 {
			s.write("{\n")
		} else {
			s.write(",\n")
		}
		n++
		s.write(inner)
		s.leaf(reflect.ValueOf(f.name), inner)
		s.write(": ")
		s.value(fv, inner)
	}
	if n == 0 {
		s.write("{}")
		return
	}
	s.write("\n" + indent + "}")
}

// isEmpty is encoding/json's omitempty test.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// isZero is encoding/json's omitzero test: an IsZero method where the
// type has one, else the zero value.
func isZero(v reflect.Value) bool {
	if z, ok := v.Interface().(interface{ IsZero() bool }); ok {
		if v.Kind() == reflect.Pointer && v.IsNil() {
			return true
		}
		return z.IsZero()
	}
	return v.IsZero()
}
