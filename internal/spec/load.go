package spec

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/streamsec/streamsec/internal/textfile"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/go-multierror"
	"github.com/spf13/viper"
	"gopkg.in/yaml.v3"
)

// LoadOptions say where an environment's settings come from. Precedence, as
// ARCHITECTURE.md states it: Set (flags) > STREAMSEC_* environment > the
// stack file > Defaults.
type LoadOptions struct {
	Stack string
	// Dir holds Pulumi.<stack>.yaml (the project's stacks/ folder).
	Dir string
	// Embedded is consulted when Dir has no file for the stack, so the
	// binary works from anywhere on the stacks it ships with.
	Embedded fs.FS
	// Getenv reads STREAMSEC_* overrides; nil means no environment.
	Getenv func(string) string
	// Set holds key=value overrides (flags), keys with or without the
	// streamsec: prefix.
	Set []string
}

// StackFile is the name of a stack's config file.
func StackFile(stack string) string { return "Pulumi." + stack + ".yaml" }

// Loaded is a validated Spec with where it came from.
type Loaded struct {
	Spec *Spec
	// Path is the stack file read, or "embedded:Pulumi.<stack>.yaml".
	Path string
}

// Load reads, merges and validates one environment. Every problem comes back
// at once; the error names the file.
func Load(opts LoadOptions) (*Loaded, error) {
	if !reStack.MatchString(opts.Stack) {
		return nil, fmt.Errorf("--stack %s: must be 1-24 lowercase letters, digits and hyphens, starting with a letter", quote(opts.Stack))
	}
	data, path, err := readStackFile(opts)
	if err != nil {
		return nil, err
	}
	v := viper.New()
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		return nil, fmt.Errorf("%s: not valid YAML: %w", path, err)
	}

	var errs *multierror.Error
	known := map[string]string{} // lowercase key -> key
	for _, k := range Keys() {
		known[strings.ToLower(k)] = k
	}
	// Viper folds keys to lower case; Pulumi's own file keeps other
	// namespaces (azure-native:location) that are not ours to judge.
	cfg := v.GetStringMap("config")
	var unknown []string
	for raw := range cfg {
		name, ok := strings.CutPrefix(raw, Namespace+":")
		if !ok {
			continue
		}
		if _, ok := known[name]; !ok {
			unknown = append(unknown, raw)
		}
	}
	sort.Strings(unknown)
	for _, u := range unknown {
		errs = multierror.Append(errs, fmt.Errorf("%s: unknown key %s; known keys: %s", path, quote(u), strings.Join(Keys(), ", ")))
	}

	sets := map[string]string{}
	for _, kv := range opts.Set {
		k, val, ok := strings.Cut(kv, "=")
		k = strings.TrimPrefix(strings.TrimSpace(k), Namespace+":")
		if _, isKey := known[strings.ToLower(k)]; !ok || !isKey {
			errs = multierror.Append(errs, fmt.Errorf("--set %s: must be key=value with a key from: %s", quote(kv), strings.Join(Keys(), ", ")))
			continue
		}
		sets[known[strings.ToLower(k)]] = val
	}

	// Viper folds map keys to lower case too, which would rename tags
	// (costCenter -> costcenter); maps are read from the YAML as written.
	var raw struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: not valid YAML: %w", path, err)
	}
	kinds := map[string]kind{}
	for _, f := range fields() {
		kinds[f.key] = f.kind
	}

	src := func(key string) (any, bool) {
		if val, ok := sets[key]; ok {
			return val, true
		}
		if opts.Getenv != nil {
			if val := opts.Getenv(EnvName(key)); val != "" {
				return val, true
			}
		}
		if kinds[key] == kindMap {
			val, ok := raw.Config[Namespace+":"+key]
			return val, ok
		}
		lk := "config." + Namespace + ":" + strings.ToLower(key)
		if v.IsSet(lk) {
			return v.Get(lk), true
		}
		return nil, false
	}
	s, err := Decode(opts.Stack, src)
	if err != nil {
		var me *multierror.Error
		if errors.As(err, &me) {
			errs = multierror.Append(errs, me.Errors...)
		} else {
			errs = multierror.Append(errs, err)
		}
	}
	if errs != nil {
		errs.ErrorFormat = func(es []error) string { return path + ": " + formatErrors(es) }
		return nil, errs
	}
	return &Loaded{Spec: s, Path: path}, nil
}

// readStackFile finds the stack's file on disk, else in the embedded set.
func readStackFile(opts LoadOptions) ([]byte, string, error) {
	name := StackFile(opts.Stack)
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	path := filepath.Join(dir, name)
	data, err := os.ReadFile(path)
	if err == nil {
		data, err = textfile.Decode(data, path)
		return data, path, err
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, "", fmt.Errorf("read %s: %w", path, err)
	}
	if opts.Embedded != nil {
		if data, err := fs.ReadFile(opts.Embedded, name); err == nil {
			return data, "embedded:" + name, nil
		}
	}
	return nil, "", fmt.Errorf("stack %q: %s not found (create it with `streamsec init --stack %s`)", opts.Stack, path, opts.Stack)
}
