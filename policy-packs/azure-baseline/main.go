// Command azure-baseline is the streamsec policy pack for the App
// Service, Storage, Key Vault and logging rules (docs/rules.md). The Pulumi
// engine starts it, reads the port it prints and talks gRPC to it.
package main

import (
	"fmt"
	"os"

	"github.com/streamsec/streamsec/policy-packs/pack"
	"github.com/streamsec/streamsec/policy-packs/rules"
)

func main() {
	if err := pack.Main(rules.PackBaseline); err != nil {
		fmt.Fprintf(os.Stderr, "azure-baseline: %v\n", err)
		os.Exit(1)
	}
}
