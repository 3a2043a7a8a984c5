package azschema

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
)

// tableJSON is the table as ./gen writes it, the source of table_gen.go.
//
//go:embed azschema.json
var tableJSON []byte

// decodeFile reads a table as JSON. It uses go-json-experiment/json (the
// proposed encoding/json/v2, streamsec's export decoder), which also
// refuses duplicate names, which a generated table never has.
// TestDecodeMatchesEncodingJSON holds it to what encoding/json reads.
func decodeFile(buf []byte) (*file, error) {
	var f file
	if err := jsonv2.Unmarshal(buf, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// parse is Load for a table given as JSON.
func parse(buf []byte) (*Schema, error) {
	f, err := decodeFile(buf)
	if err != nil {
		return nil, fmt.Errorf("azschema: table: %w", err)
	}
	return build(f)
}

// TestDecodeMatchesEncodingJSON: the table's decoder (json v2) reads what
// encoding/json reads, for the embedded table and for every field, null,
// escape and skipped value a table can hold.
func TestDecodeMatchesEncodingJSON(t *testing.T) {
	every := `{"comment": "skipped", "types": [
		{"token": "a:b:C", "armType": "X/y", "apiVersion": "2024-01-01", "source": "s", "armName": "name",
		 "armFixedName": "f", "unknown": {"nested": [1, -2.5e3, true, false, null, "x", {}, []]},
		 "inputs": {"type": "object", "properties": {
			"s": {"type": "string", "in": "path", "arm": ["properties", "s"], "required": true,
			      "enum": ["A", "B\u00e9"], "enumOpen": false, "minLength": 1, "maxLength": 90, "pattern": "^[a-z\\d\"\\/]+$"},
			"n": {"type": "number", "minimum": -1.5, "maximum": 1e2},
			"l": {"type": "array", "items": {"ref": "D"}, "minItems": 0, "maxItems": 3},
			"m": {"type": "object", "additionalProperties": {"type": "string"}},
			"o": {"oneOf": [{"const": "x", "discriminator": "kind"}, null], "discriminator": "kind"},
			"nulls": {"type": null, "arm": null, "required": null, "properties": null, "items": null, "oneOf": null,
			          "enum": null, "minimum": null, "minLength": null, "pattern": null},
			"empty": {"arm": [], "enum": [], "oneOf": [], "properties": {}},
			"ütf8 \ud83d\ude00": {"type": "string", "const": "é\t"}
		 }}},
		null],
	 "defs": {"D": {"type": "string"}, "E": null}}`
	for name, buf := range map[string][]byte{"embedded table": tableJSON, "every field": []byte(every), "null": []byte(" null ")} {
		var want file
		if err := json.Unmarshal(buf, &want); err != nil {
			t.Fatalf("%s: encoding/json: %v", name, err)
		}
		got, err := decodeFile(buf)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(*got, want) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			t.Errorf("%s: decoded differently\n got %s\nwant %s", name, g, w)
		}
	}
}

// TestDecodeRejectsWhatEncodingJSONRejects: malformed JSON and values of
// the wrong type are errors, never a half-read table.
func TestDecodeRejectsWhatEncodingJSONRejects(t *testing.T) {
	for _, in := range []string{
		``, `{`, `{"types": [}`, `{"types": [{"token": "a"}]} x`, `{"types": {}}`, `[]`,
		`{"types": [{"token": 1}]}`, `{"types": [{"inputs": {"minLength": 1.5}}]}`,
		`{"types": [{"inputs": {"minimum": "1"}}]}`, `{"types": [{"inputs": {"required": "yes"}}]}`,
		`{"types": [{"inputs": {"arm": [1]}}]}`, `{"types": [{"inputs": {"properties": []}}]}`,
		`{"defs": {"D": {"maxItems": 01}}}`, `{"defs": {"D": {"minimum": -}}}`, `{"defs": {"D": {"minimum": 1.}}}`,
		`{"defs": {"D": {"type": "unterminated}}}`, "{\"defs\": {\"D\": {\"type\": \"a\x01b\"}}}",
		`{"defs": {"D": {"type": "bad \q escape"}}}`, `{"defs": {"D": {"x": tru}}}`, `{"defs": {"D" {}}}`,
		`{"defs": {"D": {},}}`, `{"types": [{},]}`,
	} {
		var f file
		if json.Unmarshal([]byte(in), &f) == nil {
			t.Fatalf("%q: encoding/json takes it; not a rejection case", in)
		}
		if _, err := decodeFile([]byte(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

// BenchmarkParse is reading the embedded table, which every process that
// judges resources (plan, check) pays once.
func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parse(tableJSON); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeEncodingJSON is what reading the table cost with
// encoding/json, for comparison with BenchmarkParse.
func BenchmarkDecodeEncodingJSON(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var f file
		if err := json.Unmarshal(tableJSON, &f); err != nil {
			b.Fatal(err)
		}
	}
}
