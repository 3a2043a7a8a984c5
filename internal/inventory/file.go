package inventory

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/streamsec/streamsec/internal/textfile"
)

// MaxFileBytes bounds what ReadFile reads, so a wrong file (a disk image, a
// log) fails fast instead of exhausting memory.
const MaxFileBytes = 512 << 20

// File names what a command was given to judge: `check --input`,
// `verify --offline --input`, `report --plan`, each with its --parameters.
type File struct {
	Flag  string    // the flag that named Path ("--input"), for messages
	Path  string    // the file; "-" reads Stdin
	Stdin io.Reader // standard input, for Path "-"
	// Parameters is an ARM parameters file (az deployment's --parameters
	// @FILE) for an ARM template; "" leaves its parameters unknown.
	Parameters string
	// ARM returns the mapper of ARM types (internal/armmap.Load).
	ARM func() (ARMMapper, error)
}

// ReadFile reads the resources of f with Read, streaming (the file is never
// held whole next to what it holds): the Pulumi formats, ARM documents, in
// UTF-8 with or without a BOM or UTF-16 with one. Every error is bad input:
// it names the flag or the file and what is allowed.
func ReadFile(f File) (Input, error) {
	opts := ReadOptions{Name: f.Path, ARM: f.ARM}
	if f.Parameters != "" {
		data, err := textfile.ReadFile(f.Parameters)
		if err != nil {
			return Input{}, fmt.Errorf("--parameters: %w", err)
		}
		if opts.Parameters, err = ParseARMParameters(data, f.Parameters); err != nil {
			return Input{}, fmt.Errorf("--parameters %w", err)
		}
	}
	var r io.Reader
	if f.Path == "-" {
		if f.Stdin == nil {
			return Input{}, fmt.Errorf("%s -: no standard input", f.Flag)
		}
		r = f.Stdin
	} else {
		file, err := os.Open(f.Path)
		if err != nil {
			return Input{}, fmt.Errorf("%s: %w", f.Flag, err)
		}
		defer file.Close()
		r = file
	}
	lr := &limitReader{r: r, left: MaxFileBytes}
	in, err := Read(lr, opts)
	switch {
	case lr.over:
		return in, fmt.Errorf("%s is larger than %d MB; not a preview, export, plan or ARM document", f.Path, MaxFileBytes>>20)
	case err != nil:
		return in, fmt.Errorf("%s: %w", f.Path, err)
	}
	if f.Parameters != "" && in.Kind != KindARMTemplate {
		return in, fmt.Errorf("--parameters is for ARM template inputs; %s is %s", f.Path, in.Kind)
	}
	return in, nil
}

// limitReader fails reads past MaxFileBytes.
type limitReader struct {
	r    io.Reader
	left int64
	over bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		l.over = true
		return 0, errors.New("input too large")
	}
	if int64(len(p)) > l.left {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		l.over = true
		return 0, errors.New("input too large")
	}
	return n, err
}
