package textfile

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode/utf16"
)

func utf16Bytes(s string, bigEndian bool) []byte {
	var b []byte
	for _, u := range append([]uint16{0xFEFF}, utf16.Encode([]rune(s))...) {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return b
}

const text = `{"name": "café ☕", "n": 1}`

func TestEncodings(t *testing.T) {
	latin1 := []byte(`{"name": "caf` + "\xe9" + `"}`)
	tests := []struct {
		name string
		in   []byte
		want string // decoded text, or the error's substring when fail
		fail bool
	}{
		{"utf-8", []byte(text), text, false},
		{"utf-8 with BOM", append([]byte{0xEF, 0xBB, 0xBF}, text...), text, false},
		{"utf-16 LE with BOM", utf16Bytes(text, false), text, false},
		{"utf-16 BE with BOM", utf16Bytes(text, true), text, false},
		{"empty", nil, "", false},
		{"utf-16 LE without BOM", utf16Bytes(text, false)[2:], "UTF-16 without a byte order mark", true},
		{"utf-16 BE without BOM", utf16Bytes(text, true)[2:], "UTF-16 without a byte order mark", true},
		{"utf-32 LE", []byte{0xFF, 0xFE, 0, 0, '{', 0, 0, 0}, "UTF-32", true},
		{"utf-32 BE", []byte{0, 0, 0xFE, 0xFF, 0, 0, 0, '{'}, "UTF-32", true},
		{"latin-1", latin1, "not UTF-8", true},
		{"utf-8 BOM then latin-1", append([]byte{0xEF, 0xBB, 0xBF}, latin1...), "not UTF-8", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := func(how string, got []byte, err error) {
				t.Helper()
				if tt.fail {
					if err == nil || !IsEncoding(err) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "in.json") {
						t.Errorf("%s: err %v, want an encoding error naming the file and %q", how, err, tt.want)
					}
					return
				}
				if err != nil || string(got) != tt.want {
					t.Errorf("%s: got %q, %v; want %q", how, got, err, tt.want)
				}
			}
			got, err := Decode(tt.in, "in.json")
			check("Decode", got, err)
			r, err := NewReader(bytes.NewReader(tt.in), "in.json")
			if err == nil {
				got, err = io.ReadAll(r)
			}
			check("NewReader", got, err)
		})
	}
}

// The reader names where invalid text starts even far into a stream.
func TestReaderOffset(t *testing.T) {
	in := append(bytes.Repeat([]byte("a"), 100000), 0xff)
	r, err := NewReader(bytes.NewReader(in), "big.json")
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(r)
	if !IsEncoding(err) || !strings.Contains(err.Error(), "after 100000 bytes") {
		t.Errorf("err %v", err)
	}
	if _, err := Decode(in, "big.json"); err == nil || !strings.Contains(err.Error(), "offset 100000") {
		t.Errorf("Decode: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(text))
	f.Add(utf16Bytes(text, false))
	f.Add(utf16Bytes(text, true))
	f.Add([]byte{0xEF, 0xBB, 0xBF, 0xff})
	f.Fuzz(func(t *testing.T, in []byte) {
		a, errA := Decode(in, "f")
		r, err := NewReader(bytes.NewReader(in), "f")
		var b []byte
		if err == nil {
			b, err = io.ReadAll(r)
		}
		if (errA == nil) != (err == nil) || (errA == nil && !bytes.Equal(a, b)) {
			t.Fatalf("Decode and NewReader disagree on %q: %q %v / %q %v", in, a, errA, b, err)
		}
	})
}
