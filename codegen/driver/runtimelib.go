package driver

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// RuntimeLibraryName is the runtime library's file name in its cache entry.
const RuntimeLibraryName = "libtgrt"

// RuntimeLibrary builds libtgrt.so from every .c file of the runtime (as
// C11 with the GNU extensions, with the kernel flags' optimization and
// target) into the cache, once per sources, compiler, flags and CPU, and
// returns its path. Load it RTLD_GLOBAL before any kernel module.
func (c Config) RuntimeLibrary() (string, error) {
	flags := c.cFlags()
	k, err := c.identity(flags)
	if err != nil {
		return "", err
	}
	sources, err := c.runtimeFiles(".c")
	if err != nil {
		return "", err
	}
	if len(sources) == 0 {
		return "", fmt.Errorf("compile: the runtime has no .c sources")
	}
	headers, hkey, err := c.headers()
	if err != nil {
		return "", err
	}
	k.add("runtime", hkey)
	for _, name := range sortedNames(sources) {
		k.add(name, string(sources[name]))
	}
	key := k.sum()
	libs, err := c.root(libDir)
	if err != nil {
		return "", err
	}
	entry := filepath.Join(libs, key)
	so := filepath.Join(entry, RuntimeLibraryName+".so")
	if c.checkEntry(so) == nil || c.fromSeed(entry, RuntimeLibraryName+".so") {
		c.PrecompileHeaders() // normally there already: one stat
		return so, nil
	}
	build, err := c.newBuild(key[:16] + "-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(build)
	for _, files := range []map[string][]byte{headers, sources} {
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(build, name), data, 0o600); err != nil {
				return "", fmt.Errorf("compile cache: %v", err)
			}
		}
	}
	out := filepath.Join(build, RuntimeLibraryName+".so")
	args := append(append([]string{}, flags...), "-I"+build, "-o", out)
	for _, name := range sortedNames(sources) {
		// -x c before each file: g++ 12 compiles the second and later .c
		// files of one command as C++ otherwise
		args = append(args, "-x", "c", filepath.Join(build, name))
	}
	args = append(args, "-x", "none", "-lm", "-lpthread", "-ldl")
	var all strings.Builder
	for _, name := range sortedNames(sources) {
		fmt.Fprintf(&all, "/* ---- %s ---- */\n%s\n", name, sources[name])
	}
	// The precompiled header builds beside the library (both once per
	// machine); it is an accelerator, so its failure is not the caller's.
	pch := make(chan error, 1)
	go func() { pch <- c.PrecompileHeaders() }()
	err = c.run(RuntimeLibraryName, args, all.String(), key)
	<-pch
	if err != nil {
		return "", err
	}
	if err := c.finishEntry(out, build, entry, so); err != nil {
		return "", err
	}
	return so, nil
}

// cFlags are the flags for the runtime's C sources: the kernel flags with
// the C++ standard replaced by gnu11 (POSIX threads and clocks need the
// GNU feature macros).
func (c Config) cFlags() []string {
	var flags []string
	for _, f := range c.allFlags() {
		if strings.HasPrefix(f, "-std=") {
			f = "-std=gnu11"
		}
		flags = append(flags, f)
	}
	return flags
}
