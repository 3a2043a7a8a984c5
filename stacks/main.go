// Command stacks is the Pulumi program Pulumi.yaml points at (main: stacks/).
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/streamsec/streamsec/internal/program"
)

func main() { pulumi.Run(program.Run) }
