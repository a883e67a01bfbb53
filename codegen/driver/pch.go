package driver

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// The precompiled header: tg_scalar.h includes <cmath> and <complex>, whose
// parsing costs about 0.3 s of every kernel's compile (g++ 12); a GCC
// precompiled header of tg_rt.h, tg_scalar.h and tg_loops.h, built once per compiler,
// flags and headers, cuts that to under 0.05 s. Kernels get it with
// `-include tg_pch.h` (their own includes of those headers are then no-ops
// behind the include guards). It is only an accelerator: when it is
// missing, corrupt or refused by the compiler, kernels compile without it
// and give the same code.
const pchName = "tg_pch.h"

// pchHeaders are the headers the precompiled header holds, in order, those
// of them the runtime has (tg_loops.h is codegen/cxx's loop helpers, which
// include the standard headers too). Without tg_scalar.h, the heavy one,
// there is no precompiled header.
var pchHeaders = []string{"tg_rt.h", "tg_scalar.h", "tg_loops.h"}

// pchContents lists the headers of pchHeaders the runtime has.
func pchContents(headers map[string][]byte) []string {
	if _, ok := headers["tg_scalar.h"]; !ok {
		return nil
	}
	var in []string
	for _, h := range pchHeaders {
		if _, ok := headers[h]; ok {
			in = append(in, h)
		}
	}
	return in
}

// pchChecked memoizes, per process, the precompiled headers whose checksum
// was verified (path -> size and modification time seen): hashing tens of
// megabytes on every compile would cost more than it saves.
var pchChecked sync.Map

type pchStamp struct {
	size  int64
	mtime int64
}

// pchDir returns the directory of the precompiled header for flags and
// headers hkey, or "" when the compiler does not take GCC's.
func (c Config) pchDir(flags []string, headers map[string][]byte, hkey string) (string, error) {
	if c.NoPCH || !c.isGCC() {
		return "", nil
	}
	if pchContents(headers) == nil {
		return "", nil
	}
	k, err := c.identity(pchFlags(flags))
	if err != nil {
		return "", err
	}
	root, err := c.root("pch")
	if err != nil {
		return "", err
	}
	return filepath.Join(root, k.add("pch", hkey).sum()), nil
}

// isGCC reports whether the compiler is GCC (whose .gch files the driver
// builds); clang's precompiled headers work differently.
func (c Config) isGCC() bool {
	v, err := compilerVersion(c.CXX)
	return err == nil && strings.Contains(v, "Free Software Foundation") && !strings.Contains(strings.ToLower(v), "clang")
}

// pchFlags are the kernel flags for building the header: no -shared.
func pchFlags(flags []string) []string {
	var out []string
	for _, f := range flags {
		if f != "-shared" {
			out = append(out, f)
		}
	}
	return out
}

// usablePCH returns the header to -include when dir holds a valid
// precompiled header, else "".
func (c Config) usablePCH(dir string) string {
	if dir == "" {
		return ""
	}
	gch := filepath.Join(dir, pchName+".gch")
	fi, err := os.Stat(gch)
	if err != nil {
		return ""
	}
	stamp := pchStamp{fi.Size(), fi.ModTime().UnixNano()}
	if seen, ok := pchChecked.Load(gch); ok && seen == stamp {
		return filepath.Join(dir, pchName)
	}
	if c.checkEntry(gch) != nil {
		c.dropPCH(dir) // corrupt: the next RuntimeLibrary builds it again
		return ""
	}
	pchChecked.Store(gch, stamp)
	return filepath.Join(dir, pchName)
}

// dropPCH removes a corrupt precompiled header, so the next RuntimeLibrary
// builds it again.
func (c Config) dropPCH(dir string) {
	if tmp, err := c.root(tmpDir); err == nil {
		if stale, err := os.MkdirTemp(tmp, "stale-"); err == nil {
			os.Rename(dir, filepath.Join(stale, "entry"))
			os.RemoveAll(stale)
		}
	}
	pchChecked.Delete(filepath.Join(dir, pchName+".gch"))
}

// buildPCH builds the precompiled header into dir (from pchDir) unless one
// is there (Compile verifies its checksum before it uses it, and drops a
// corrupt one, which the next call builds again).
func (c Config) buildPCH(dir string, flags []string, inc string, contents []string) error {
	if dir == "" || exists(filepath.Join(dir, pchName+".gch"+sumSuffix)) || c.fromSeed(dir, pchName+".gch") {
		return nil
	}
	tmp, err := c.root(tmpDir)
	if err != nil {
		return err
	}
	build, err := os.MkdirTemp(tmp, "pch-")
	if err != nil {
		return fmt.Errorf("compile cache: %v", err)
	}
	defer os.RemoveAll(build)
	var src strings.Builder
	for _, h := range contents {
		fmt.Fprintf(&src, "#include \"%s\"\n", h)
	}
	header := filepath.Join(build, pchName)
	if err := os.WriteFile(header, []byte(src.String()), 0o600); err != nil {
		return fmt.Errorf("compile cache: %v", err)
	}
	gch := header + ".gch"
	args := append(pchFlags(flags), "-I"+inc, "-x", "c++-header", "-o", gch, header)
	if err := c.run("tg_pch", args, src.String(), filepath.Base(dir)); err != nil {
		return err
	}
	if err := writeSum(gch); err != nil {
		return fmt.Errorf("compile cache: %v", err)
	}
	return publish(build, dir, func() bool { return c.usablePCH(dir) != "" })
}

// PrecompileHeaders builds the precompiled header kernels compile with
// (when the compiler is GCC), once per compiler, flags and headers.
// RuntimeLibrary calls it; Compile works without it, only slower.
func (c Config) PrecompileHeaders() error {
	flags := c.allFlags()
	headers, hkey, err := c.headers()
	if err != nil {
		return err
	}
	dir, err := c.pchDir(flags, headers, hkey)
	if err != nil || dir == "" {
		return err
	}
	inc, err := c.includeDir(headers, hkey)
	if err != nil {
		return err
	}
	return c.buildPCH(dir, flags, inc, pchContents(headers))
}
