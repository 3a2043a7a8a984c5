package output

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// encoderJSON is what writeJSON must print byte for byte: the json
// reporter's output before it streamed.
func encoderJSON(t testing.TB, v any) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// sameAsEncoder fails t unless writeJSON prints v as encoderJSON does.
func sameAsEncoder(t *testing.T, v any) {
	t.Helper()
	var got bytes.Buffer
	if err := writeJSON(&got, v); err != nil {
		t.Fatal(err)
	}
	if want := encoderJSON(t, v); got.String() != want {
		t.Fatalf("differs from encoding/json:\ngot:\n%s\nwant:\n%s", got.String(), want)
	}
}

type textKey struct{ s string }

func (k textKey) MarshalText() ([]byte, error) { return []byte("k-" + k.s), nil }

type ptrMarshaler struct{ N int }

func (p *ptrMarshaler) MarshalJSON() ([]byte, error) { return []byte(`"ptr"`), nil }

type zeroer struct{ n int }

func (z zeroer) IsZero() bool { return z.n == 7 }

type inner struct {
	A string   `json:"a"`
	B []string `json:"b,omitempty"`
}

type embedded struct {
	inner
	C int `json:"c"`
}

type payload struct {
	Name      string `json:"name"`
	Skip      string `json:"-"`
	Dash      string `json:"-,"`
	Untagged  int
	Empty     []string          `json:"empty"`
	Nil       []string          `json:"nil"`
	Omit      []string          `json:"omit,omitempty"`
	Zero      zeroer            `json:"zero,omitzero"`
	Ptr       *inner            `json:"ptr"`
	NilPtr    *inner            `json:"nilPtr,omitempty"`
	Any       any               `json:"any"`
	Map       map[string]string `json:"map"`
	Bytes     []byte            `json:"bytes"`
	HTML      string            `json:"html"`
	Time      time.Time         `json:"time"`
	Text      textKey           `json:"text"`
	PtrM      ptrMarshaler      `json:"ptrM"`
	Stringy   int               `json:"stringy,string"`
	Emb       embedded          `json:"emb"`
	Nested    [][]inner         `json:"nested"`
	Array     [2]int            `json:"array"`
	Float     float64           `json:"float"`
	unexposed int
}

func TestWriteJSONMatchesEncoder(t *testing.T) {
	full := payload{
		Name: "n", Skip: "s", Dash: "d", Untagged: 3, Empty: []string{}, Omit: nil, Zero: zeroer{7},
		Ptr: &inner{A: "x", B: []string{"1", "2"}}, Any: map[string]any{"z": 1, "a": []any{true, nil, "<&>"}},
		Map: map[string]string{"b": "2", "a": "1"}, Bytes: []byte("hi"), HTML: "<script>&</script>",
		Time: time.Date(2026, 12, 2, 1, 2, 3, 0, time.UTC), Text: textKey{"v"}, Stringy: 5,
		Emb: embedded{inner{A: "e"}, 4}, Nested: [][]inner{{{A: "1"}}, {}, nil}, Array: [2]int{1, 2}, Float: 1e21, unexposed: 1,
	}
	cases := map[string]any{
		"payload":      full,
		"pointer":      &full,
		"zero payload": payload{},
		"nil":          nil,
		"empty struct": struct{}{},
		"all omitted": struct {
			A []int `json:"a,omitempty"`
		}{},
		"list of structs": []inner{{A: "1"}, {A: "2", B: []string{"x"}}},
		"any list":        []any{1.5, "s", map[string]any{}, []any{}, []any{[]any{}}},
		"document":        Document{Tool: "streamsec", Results: []Result{{RuleID: "r", Status: StatusPass, Evidence: map[string]string{"k": "v"}}}},
	}
	for name, v := range cases {
		t.Run(name, func(t *testing.T) { sameAsEncoder(t, v) })
	}
}

func FuzzWriteJSON(f *testing.F) {
	f.Add(`{"rules":[{"id":"a","resources":["x","y"]}],"n":1}`)
	f.Add(`[[],{},[{}],"<>",null,true,1e300]`)
	f.Fuzz(func(t *testing.T, doc string) {
		var v any
		if json.Unmarshal([]byte(doc), &v) != nil {
			return
		}
		sameAsEncoder(t, v)
	})
}

// A write error stops the walk and is returned.
func TestWriteJSONWriteError(t *testing.T) {
	big := make([]string, 100000)
	for i := range big {
		big[i] = strings.Repeat("x", 10)
	}
	if err := writeJSON(failWriter{}, big); err == nil {
		t.Fatal("want the write error")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, bytes.ErrTooLarge }
