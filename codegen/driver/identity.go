package driver

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
)

// CodegenVersion is part of every cache key. Bump it when the driver
// changes what it builds from the same source (the way it compiles or
// links), so old entries are not reused. The generated source and the
// runtime headers are hashed themselves: changing them needs no bump.
const CodegenVersion = "theanogo-cxx-1"

// compilerVersions memoizes each compiler's `--version` output for the
// process (running the compiler costs milliseconds; a warm Compile must not).
var compilerVersions sync.Map // path -> versionResult

type versionResult struct {
	text string
	err  error
}

// compilerVersion returns the output of `cxx --version`, run once per
// process and compiler.
func compilerVersion(cxx string) (string, error) {
	if v, ok := compilerVersions.Load(cxx); ok {
		r := v.(versionResult)
		return r.text, r.err
	}
	var r versionResult
	if _, err := os.Stat(cxx); err != nil && strings.ContainsRune(cxx, os.PathSeparator) {
		r.err = fmt.Errorf("no C++ compiler found: %v", err)
	} else if out, err := exec.Command(cxx, "--version").CombinedOutput(); err != nil {
		r.err = fmt.Errorf("no C++ compiler found: %s --version: %v\n%s", cxx, err, out)
	} else {
		r.text = string(out)
	}
	v, _ := compilerVersions.LoadOrStore(cxx, r)
	r = v.(versionResult)
	return r.text, r.err
}

// cpuFeatures is the host's instruction-set features (the flags line of
// /proc/cpuinfo, plus the architecture), read once. Code compiled with
// -march=native uses them: a cache shared by machines with different CPUs
// (a home directory on NFS) must not load code that traps.
var cpuFeatures = sync.OnceValue(func() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH + " unknown-cpu"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 64<<10), 1<<20)
	var model string
	for s.Scan() {
		key, val, ok := strings.Cut(s.Text(), ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(key) {
		case "flags", "Features", "isa": // x86, arm64, riscv
			return runtime.GOARCH + " " + model + " " + strings.TrimSpace(val)
		case "model name", "CPU part":
			if model == "" {
				model = strings.TrimSpace(val)
			}
		}
	}
	return runtime.GOARCH + " " + model
})

// keyer hashes the parts of a cache key, each length-prefixed so that no
// two different lists of parts hash alike.
type keyer struct{ h hash.Hash }

func newKeyer() *keyer { return &keyer{sha256.New()} }

func (k *keyer) add(parts ...string) *keyer {
	for _, p := range parts {
		fmt.Fprintf(k.h, "%d:", len(p))
		k.h.Write([]byte(p))
	}
	return k
}

func (k *keyer) sum() string { return hex.EncodeToString(k.h.Sum(nil)) }

// identity is what every cache key holds besides the sources: the compiler,
// its version, the flags, the codegen version and, for -march=native, the
// CPU's features.
func (c Config) identity(flags []string) (*keyer, error) {
	version, err := compilerVersion(c.CXX)
	if err != nil {
		return nil, err
	}
	k := newKeyer().add(CodegenVersion, c.CXX, version, strings.Join(flags, "\x00"))
	if native(flags) {
		k.add(cpuFeatures())
	} else {
		k.add(runtime.GOARCH)
	}
	return k, nil
}
