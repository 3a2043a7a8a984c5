// Package streamsec ships the project's own stack files inside the binary,
// so `streamsec plan --stack dev` works from any folder, even without a
// checkout. The files on disk (stacks/) win when they exist.
package streamsec

import (
	"embed"
	"io/fs"
)

//go:embed stacks/Pulumi.*.yaml
var stackFiles embed.FS

// Stacks returns the embedded stack files, named Pulumi.<env>.yaml.
func Stacks() fs.FS {
	sub, err := fs.Sub(stackFiles, "stacks")
	if err != nil {
		// fs.Sub only fails on an invalid path literal.
		panic(err)
	}
	return sub
}
