// Package textfile reads the text files streamsec is given (stack exports,
// previews, plans, ARM documents, parameters files, config.toml, stack
// files) as what they are: UTF-8 with or without a byte order mark, or
// UTF-16 with one (what Windows PowerShell's `>` writes). Anything else is
// refused with an error naming the encoding problem, instead of surfacing
// later as "not a JSON object".
package textfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Error is an encoding problem: the file is neither UTF-8 nor UTF-16 with
// a byte order mark. Callers report it as bad input (exit 2).
type Error struct {
	Name    string // file name as the user gave it
	Problem string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s; save it as UTF-8 (for example PowerShell's `Out-File -Encoding utf8`) or UTF-16 with a byte order mark", e.Name, e.Problem)
}

// IsEncoding reports whether err is (or wraps) an encoding problem.
func IsEncoding(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

// Byte order marks that mean an encoding this package does not read; they
// are checked before UTF-16's, whose marks are their prefixes.
var (
	bomUTF32LE = []byte{0xFF, 0xFE, 0x00, 0x00}
	bomUTF32BE = []byte{0x00, 0x00, 0xFE, 0xFF}
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
)

// HasUTF16BOM reports whether data starts with a UTF-16 byte order mark
// (little or big endian): a text file Windows PowerShell's `>` wrote. A
// UTF-32 little-endian mark starts the same; Decode refuses it.
func HasUTF16BOM(data []byte) bool {
	return bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF})
}

// NewReader returns the text of r as UTF-8. The encoding is decided from
// the first bytes; invalid UTF-8 later in the stream is returned as an
// *Error from Read.
func NewReader(r io.Reader, name string) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(4)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if problem := sniff(head); problem != "" {
		return nil, &Error{Name: name, Problem: problem}
	}
	return &reader{r: transform.NewReader(br, decoder(head, br)), name: name}, nil
}

// decoder picks the transformer for text starting with head: UTF-16 by its
// byte order mark (BOMOverride drops it), else validated UTF-8. A UTF-8
// mark is dropped here because BOMOverride would pass what follows it
// unchecked; discard is how the caller drops it.
func decoder(head []byte, discard interface{ Discard(int) (int, error) }) transform.Transformer {
	if bytes.HasPrefix(head, bomUTF8) {
		discard.Discard(len(bomUTF8))
		return encoding.UTF8Validator
	}
	return unicode.BOMOverride(encoding.UTF8Validator)
}

// sniff names what the first bytes say the file is, when it is something
// this package refuses.
func sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, bomUTF32LE) || bytes.HasPrefix(head, bomUTF32BE):
		return "the file is UTF-32, which is not supported"
	case bytes.HasPrefix(head, bomUTF8), HasUTF16BOM(head):
		return ""
	case len(head) >= 2 && (head[0] == 0 || head[1] == 0):
		// Text with a NUL in its first two bytes is UTF-16 (or UTF-32)
		// without a byte order mark: ASCII in a 2-byte encoding.
		return "the file looks like UTF-16 without a byte order mark, which cannot be told apart from binary data"
	}
	return ""
}

// reader counts the text it has returned, so an invalid byte is reported
// where it is.
type reader struct {
	r    io.Reader
	name string
	n    int64
}

func (r *reader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.n += int64(n)
	if errors.Is(err, encoding.ErrInvalidUTF8) {
		return n, &Error{Name: r.name, Problem: fmt.Sprintf("the file is not UTF-8 text: invalid byte sequence after %d bytes of text", r.n)}
	}
	return n, err
}

// Decode returns data as UTF-8 text (see NewReader). Valid UTF-8 without a
// byte order mark is returned as it is, without a copy.
func Decode(data []byte, name string) ([]byte, error) {
	if problem := sniff(data[:min(len(data), 4)]); problem != "" {
		return nil, &Error{Name: name, Problem: problem}
	}
	skip := 0
	switch {
	case bytes.HasPrefix(data, bomUTF8):
		skip = len(bomUTF8)
	case HasUTF16BOM(data):
		out, _, err := transform.Bytes(unicode.BOMOverride(transform.Nop), data)
		if err != nil {
			return nil, &Error{Name: name, Problem: "the file is not UTF-16 text: " + err.Error()}
		}
		return out, nil
	}
	if utf8.Valid(data[skip:]) {
		return data[skip:], nil
	}
	for i := skip; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return nil, &Error{Name: name, Problem: fmt.Sprintf("the file is not UTF-8 text: invalid byte 0x%02x at offset %d", data[i], i)}
		}
		i += size
	}
	return data[skip:], nil
}

// ReadFile reads a whole file as UTF-8 text (see Decode).
func ReadFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Decode(data, path)
}
