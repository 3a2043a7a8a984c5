package pack

import (
	"fmt"
	"os"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// Main serves the named pack to the engine that started it, and ends the
// process when that engine is gone: policyx.Main serves until the engine
// closes the connection, which a killed engine never does, so without this
// a pack would run on for good after a SIGKILLed `pulumi up`.
func Main(name string) error {
	go watchParent(os.Getppid, time.Second, func() {
		fmt.Fprintf(os.Stderr, "%s: the engine that started this policy pack is gone; stopping\n", name)
		os.Exit(0)
	})
	return policyx.Main(Factory(name))
}

// watchParent calls gone once the parent process changes (the engine died
// and the process was handed to init or a subreaper), checking every
// interval.
func watchParent(ppid func() int, interval time.Duration, gone func()) {
	start := ppid()
	for {
		time.Sleep(interval)
		if p := ppid(); p != start {
			gone()
			return
		}
	}
}
