package main

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// crossCheck compares the table with the azure-native Go SDK sources (the
// module cache), which are generated from the same schema as the Python
// SDK: for every token with a Go module, the input names at every depth
// (following the Go input structs field by field) and which scalar and
// object inputs are required (a non-pointer field). Arrays and maps are
// not compared for required: the Go SDK loses that. It returns one line
// per difference.
func crossCheck(t *table, modRoot string, versions map[string]string) ([]string, int, error) {
	var out []string
	checked := 0
	for _, ty := range t.Types {
		module, name := tokenParts(ty.Token)
		base, sub, _ := strings.Cut(module, "/")
		ver, ok := versions[base]
		if !ok {
			continue // no Go module (web, the data-plane Blob)
		}
		dir := filepath.Join(modRoot, base, "v2@v"+ver, sub)
		pkg, err := parseStructs(dir)
		if err != nil {
			return nil, 0, err
		}
		args := pkg.find(strings.ToLower(name[:1])+name[1:]+"Args", true)
		if args == nil {
			out = append(out, fmt.Sprintf("%s: no plain args struct in %s", ty.Token, dir))
			continue
		}
		c := &checker{pkg: pkg, defs: t.Defs, seen: map[string]bool{}}
		c.compare(ty.Token, args, ty.Inputs)
		out = append(out, c.diffs...)
		checked += c.props
	}
	sort.Strings(out)
	return out, checked, nil
}

type structs map[string]*ast.StructType

func (s structs) find(name string, fold bool) *ast.StructType {
	if st, ok := s[name]; ok {
		return st
	}
	if fold {
		for n, st := range s {
			if strings.EqualFold(n, name) && unicode.IsLower(rune(n[0])) {
				return st
			}
		}
	}
	return nil
}

func parseStructs(dir string) (structs, error) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := structs{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, sp := range gd.Specs {
				ts := sp.(*ast.TypeSpec)
				if st, ok := ts.Type.(*ast.StructType); ok {
					out[ts.Name.Name] = st
				}
			}
		}
	}
	return out, nil
}

type checker struct {
	pkg   structs
	defs  map[string]*prop
	seen  map[string]bool
	diffs []string
	props int
}

func (c *checker) compare(path string, st *ast.StructType, p *prop) {
	p = c.deref(p)
	key := fmt.Sprintf("%p/%p", st, p)
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	goFields := map[string]ast.Expr{}
	for _, f := range st.Fields.List {
		if f.Tag == nil {
			continue
		}
		tag, _ := strconv.Unquote(f.Tag.Value)
		name, _, _ := strings.Cut(reflect.StructTag(tag).Get("pulumi"), ",")
		if name != "" {
			goFields[name] = f.Type
		}
	}
	if len(p.OneOf) > 0 {
		return // Go unions are pulumi.Input/interface{}: nothing to compare
	}
	for name, expr := range goFields {
		q, ok := p.Properties[name]
		if !ok {
			c.diffs = append(c.diffs, fmt.Sprintf("%s.%s: in the Go SDK, not in the table", path, name))
			continue
		}
		c.props++
		_, isPtr := expr.(*ast.StarExpr)
		_, isSlice := expr.(*ast.ArrayType)
		_, isMap := expr.(*ast.MapType)
		_, isIface := expr.(*ast.InterfaceType)
		if !isSlice && !isMap && !isIface && (!isPtr) != q.Required {
			c.diffs = append(c.diffs, fmt.Sprintf("%s.%s: required %v in the Go SDK, %v in the table", path, name, !isPtr, q.Required))
		}
		if nested, items := c.elem(expr); nested != nil {
			target := c.deref(q)
			switch {
			case items == "array" && target.Items != nil:
				target = target.Items
			case items == "map" && target.AdditionalProperties != nil:
				target = target.AdditionalProperties
			}
			c.compare(path+"."+name, nested, target)
		}
	}
	for name := range p.Properties {
		if _, ok := goFields[name]; !ok {
			c.diffs = append(c.diffs, fmt.Sprintf("%s.%s: in the table, not in the Go SDK", path, name))
		}
	}
}

// elem returns the input struct a field's type names, and whether it is
// reached through a list or a map.
func (c *checker) elem(e ast.Expr) (*ast.StructType, string) {
	via := ""
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
			continue
		case *ast.ArrayType:
			e, via = x.Elt, "array"
			continue
		case *ast.MapType:
			e, via = x.Value, "map"
			continue
		case *ast.Ident:
			return c.pkg[x.Name], via
		}
		return nil, via
	}
}

func (c *checker) deref(p *prop) *prop {
	for p != nil && p.Ref != "" {
		p = c.defs[p.Ref]
	}
	return p
}

// sdkVersions reads the azure-native Go SDK module versions from go.mod.
func sdkVersions(gomod string) (map[string]string, error) {
	f, err := os.Open(gomod)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		mod, ok := strings.CutPrefix(fields[0], "github.com/pulumi/pulumi-azure-native-sdk/")
		if !ok || !strings.HasSuffix(mod, "/v2") {
			continue
		}
		out[strings.TrimSuffix(mod, "/v2")] = strings.TrimPrefix(fields[1], "v")
	}
	return out, sc.Err()
}
