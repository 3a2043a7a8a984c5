package cli

import (
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/streamsec/streamsec"
	"github.com/streamsec/streamsec/internal/spec"
)

// StackFlags are the flags every command that reads an environment takes.
type StackFlags struct {
	Stack string
	Set   []string
}

// Register adds --stack and --set to cmd.
func (s *StackFlags) Register(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&s.Stack, "stack", "s", "dev", "environment: reads stacks/Pulumi.<stack>.yaml")
	cmd.Flags().StringArrayVar(&s.Set, "set", nil, "override a spec key for this run, key=value (repeatable); STREAMSEC_<KEY> variables work too")
}

// StacksDir is the folder holding the stack files.
func (f *Factory) StacksDir() string { return filepath.Join(f.ProjectDir, "stacks") }

// LoadSpec reads and validates an environment: the stack file (on disk, or
// the copy embedded in the binary), STREAMSEC_* variables and --set values.
// Errors are input errors (exit 2) and list every problem.
func (f *Factory) LoadSpec(flags StackFlags) (*spec.Loaded, error) {
	loaded, err := spec.Load(spec.LoadOptions{
		Stack:    flags.Stack,
		Dir:      f.StacksDir(),
		Embedded: streamsec.Stacks(),
		Getenv:   f.Getenv,
		Set:      flags.Set,
	})
	if err != nil {
		return nil, InputError(err)
	}
	return loaded, nil
}
