// Package armexpr evaluates ARM template expressions ("[concat('a',
// parameters('b'))]") as far as a reviewer can without deploying: the
// functions whose result follows from the template and its parameters
// file are computed, everything Azure only knows at deployment (reference,
// listKeys, uniqueString, newGuid, ...) is Unknown, and secure values stay
// Secret. Grammar and functions as documented in "Template functions"
// (learn.microsoft.com/azure/azure-resource-manager/templates/template-functions).
package armexpr

import (
	"fmt"
	"strconv"
	"strings"
)

// node is one parsed expression.
type node interface{}

type (
	strLit struct{ s string }
	numLit struct{ f float64 }
	call   struct {
		name string // lower-cased; "ns.fn" for user-defined functions
		args []node
	}
	member struct {
		target node
		key    string
	}
	index struct {
		target node
		key    node
	}
)

// IsExpression reports whether a template string is an expression: it
// starts with "[" and ends with "]", and does not start with "[[" (the
// escape for a literal bracket).
func IsExpression(s string) bool {
	return len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' && s[1] != '['
}

// Literal returns the text of a non-expression template string: a leading
// "[[" stands for "[".
func Literal(s string) string {
	if strings.HasPrefix(s, "[[") {
		return s[1:]
	}
	return s
}

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 100

type parser struct {
	src   string
	pos   int
	depth int
}

// parse parses the inside of "[...]".
func parse(src string) (node, error) {
	p := &parser{src: src}
	n, err := p.expr()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos != len(p.src) {
		return nil, p.errorf("unexpected %q", p.src[p.pos:])
	}
	return n, nil
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("at character %d: %s", p.pos+1, fmt.Sprintf(format, args...))
}

func (p *parser) space() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
}

func (p *parser) expr() (node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, p.errorf("expression nested deeper than %d", maxDepth)
	}
	n, err := p.primary()
	if err != nil {
		return nil, err
	}
	for {
		p.space()
		if p.pos >= len(p.src) {
			return n, nil
		}
		switch p.src[p.pos] {
		case '.':
			p.pos++
			p.space()
			id := p.ident()
			if id == "" {
				return nil, p.errorf("want a property name after '.'")
			}
			n = member{target: n, key: id}
		case '[':
			p.pos++
			k, err := p.expr()
			if err != nil {
				return nil, err
			}
			p.space()
			if p.pos >= len(p.src) || p.src[p.pos] != ']' {
				return nil, p.errorf("want ']'")
			}
			p.pos++
			n = index{target: n, key: k}
		default:
			return n, nil
		}
	}
}

func (p *parser) ident() string {
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (p.pos > start && c >= '0' && c <= '9') {
			p.pos++
			continue
		}
		break
	}
	return p.src[start:p.pos]
}

func (p *parser) primary() (node, error) {
	p.space()
	if p.pos >= len(p.src) {
		return nil, p.errorf("expression ends early")
	}
	c := p.src[p.pos]
	switch {
	case c == '\'':
		return p.str()
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.pos
		p.pos++
		for p.pos < len(p.src) && (p.src[p.pos] == '.' || (p.src[p.pos] >= '0' && p.src[p.pos] <= '9')) {
			p.pos++
		}
		f, err := strconv.ParseFloat(p.src[start:p.pos], 64)
		if err != nil {
			return nil, p.errorf("bad number %q", p.src[start:p.pos])
		}
		return numLit{f}, nil
	}
	name := p.ident()
	if name == "" {
		return nil, p.errorf("unexpected %q", string(c))
	}
	// User-defined functions are namespace.name(...).
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		save := p.pos
		p.pos++
		if fn := p.ident(); fn != "" && p.pos < len(p.src) && p.src[p.pos] == '(' {
			name += "." + fn
		} else {
			p.pos = save
		}
	}
	p.space()
	if p.pos >= len(p.src) || p.src[p.pos] != '(' {
		return nil, p.errorf("%s is not a function call (want '(')", name)
	}
	p.pos++
	var args []node
	p.space()
	if p.pos < len(p.src) && p.src[p.pos] == ')' {
		p.pos++
		return call{name: strings.ToLower(name), args: args}, nil
	}
	for {
		a, err := p.expr()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		p.space()
		if p.pos >= len(p.src) {
			return nil, p.errorf("want ')' to close %s(", name)
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ')':
			p.pos++
			return call{name: strings.ToLower(name), args: args}, nil
		default:
			return nil, p.errorf("want ',' or ')' in %s(", name)
		}
	}
}

// str reads a single-quoted string; ” is a quote.
func (p *parser) str() (node, error) {
	p.pos++ // opening quote
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '\'' {
			if p.pos+1 < len(p.src) && p.src[p.pos+1] == '\'' {
				b.WriteByte('\'')
				p.pos += 2
				continue
			}
			p.pos++
			return strLit{b.String()}, nil
		}
		b.WriteByte(c)
		p.pos++
	}
	return nil, p.errorf("string not closed")
}
