// Command tgseed builds a compile-cache seed: the runtime library and the
// precompiled header of the C++ backend, for this machine's compiler and
// CPU, into the directory given (driver.Config.Seed). setup.py runs it at
// install, so that the first function a user compiles only compiles
// itself.
//
//	go run ./codegen/driver/cmd/tgseed python/theanogo/rtseed
package main

import (
	"fmt"
	"os"

	"theanogo/codegen/driver"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: tgseed DIR")
		os.Exit(2)
	}
	cfg, err := driver.Default()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tgseed:", err)
		os.Exit(1)
	}
	cfg.CacheDir = os.Args[1]
	if _, err := cfg.RuntimeLibrary(); err != nil {
		fmt.Fprintln(os.Stderr, "tgseed:", err)
		os.Exit(1)
	}
	if err := cfg.PrecompileHeaders(); err != nil {
		fmt.Fprintln(os.Stderr, "tgseed:", err)
		os.Exit(1)
	}
}
