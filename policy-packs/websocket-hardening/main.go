// Command websocket-hardening is the streamsec policy pack for the
// Streamlit, WebSocket, Front Door and WAF rules (docs/rules.md). The Pulumi
// engine starts it, reads the port it prints and talks gRPC to it.
package main

import (
	"fmt"
	"os"

	"github.com/streamsec/streamsec/policy-packs/pack"
	"github.com/streamsec/streamsec/policy-packs/rules"
)

func main() {
	if err := pack.Main(rules.PackWebSocket); err != nil {
		fmt.Fprintf(os.Stderr, "websocket-hardening: %v\n", err)
		os.Exit(1)
	}
}
