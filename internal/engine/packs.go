package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// DefaultPacks are the policy packs attached to every preview and up.
func DefaultPacks() []string { return []string{"websocket-hardening", "azure-baseline"} }

// PackBuildDir is where default packs are built, relative to the project.
const PackBuildDir = ".streamsec/policy-packs"

// ResolvePacks returns the policy pack paths to attach: the explicit ones
// (checked to exist), else $STREAMSEC_POLICY_PACKS (a list separated by the
// OS path separator), else the project's default packs built from
// policy-packs/<name> into .streamsec/policy-packs/<name>/<name> (rebuilt
// when a source file is newer than the binary). The CLI runs a pack binary
// directly, so no Go language host is needed at preview time.
func ResolvePacks(ctx context.Context, projectDir string, explicit []string, getenv func(string) string, log io.Writer) ([]string, error) {
	if len(explicit) == 0 && getenv != nil {
		if v := getenv("STREAMSEC_POLICY_PACKS"); v != "" {
			explicit = filepath.SplitList(v)
		}
	}
	if len(explicit) > 0 {
		var out []string
		var errs []string
		for _, p := range explicit {
			abs, err := filepath.Abs(p)
			if err != nil {
				errs = append(errs, fmt.Sprintf("--policy-pack %s: %v", p, err))
				continue
			}
			fi, err := os.Stat(abs)
			switch {
			case err != nil:
				errs = append(errs, fmt.Sprintf("--policy-pack %s: does not exist", p))
			case fi.IsDir():
				if _, err := os.Stat(filepath.Join(abs, "PulumiPolicy.yaml")); err != nil {
					errs = append(errs, fmt.Sprintf("--policy-pack %s: a folder must hold PulumiPolicy.yaml (or pass the built pack binary)", p))
				}
			case fi.Mode()&0o111 == 0:
				errs = append(errs, fmt.Sprintf("--policy-pack %s: a file must be a built pack binary (executable)", p))
			}
			out = append(out, abs)
		}
		if len(errs) > 0 {
			return nil, &SetupError{errors.New(strings.Join(errs, "\n"))}
		}
		return out, nil
	}
	// The CLI needs absolute pack paths: it resolves a relative one
	// against its own working directory and then fails to start it.
	root, err := filepath.Abs(projectDir)
	if err != nil {
		return nil, fmt.Errorf("project dir %s: %w", projectDir, err)
	}
	var out []string
	for _, name := range DefaultPacks() {
		p, err := buildPack(ctx, root, name, log)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func buildPack(ctx context.Context, projectDir, name string, log io.Writer) (string, error) {
	src := filepath.Join(projectDir, "policy-packs", name)
	if _, err := os.Stat(filepath.Join(src, "PulumiPolicy.yaml")); err != nil {
		return "", &SetupError{fmt.Errorf("policy pack %s: %s has no PulumiPolicy.yaml; pass --policy-pack PATH to a built pack, or --no-policy to run without packs", name, src)}
	}
	outDir := filepath.Join(projectDir, filepath.FromSlash(PackBuildDir), name)
	bin := filepath.Join(outDir, name)
	// The packs import the rules and the inventory model; a change to
	// any Go source they can reach, or to the module files, rebuilds.
	if fresh(bin, filepath.Join(projectDir, "policy-packs"), filepath.Join(projectDir, "internal"),
		filepath.Join(projectDir, "go.mod"), filepath.Join(projectDir, "go.sum")) {
		return bin, nil
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", fmt.Errorf("policy pack %s: %w", name, err)
	}
	if log != nil {
		fmt.Fprintf(log, "building policy pack %s into %s\n", name, outDir)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	tmp := bin + ".tmp"
	cmd := exec.CommandContext(ctx, "go", "build", "-o", tmp, "./policy-packs/"+name)
	cmd.Dir = projectDir
	out, err := cmd.CombinedOutput()
	if err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("build policy pack %s (go build ./policy-packs/%s): %w\n%s", name, name, err, strings.TrimSpace(string(out)))
	}
	if err := os.Rename(tmp, bin); err != nil {
		return "", fmt.Errorf("policy pack %s: %w", name, err)
	}
	// The CLI reads the pack's name and settings from a PulumiPolicy.yaml
	// next to the binary when there is one.
	if data, err := os.ReadFile(filepath.Join(src, "PulumiPolicy.yaml")); err == nil {
		_ = os.WriteFile(filepath.Join(outDir, "PulumiPolicy.yaml"), data, 0o644)
	}
	return bin, nil
}

// fresh reports whether bin exists and is newer than every file under the
// given paths (files or folders; missing ones are ignored).
func fresh(bin string, srcs ...string) bool {
	fi, err := os.Stat(bin)
	if err != nil {
		return false
	}
	built := fi.ModTime()
	newer := false
	for _, src := range srcs {
		_ = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
			if err != nil || newer {
				return nil
			}
			if d.IsDir() {
				return nil
			}
			if info, err := d.Info(); err == nil && info.ModTime().After(built) {
				newer = true
			}
			return nil
		})
	}
	return !newer
}
