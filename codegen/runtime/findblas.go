package runtime

import (
	"os"
	"path/filepath"
	"sort"
)

// BLASEnv names the environment variable that overrides FindBLAS: a path to
// a CBLAS shared library, or "none" for the portable loops.
const BLASEnv = "THEANOGO_BLAS"

// systemBLAS lists the system libraries FindBLAS tries, best first: each
// exports the CBLAS interface (cblas_sgemm ...) that tg_rt_init looks for.
var systemBLAS = []string{"libopenblas.so.0", "libopenblas.so", "libblis.so.4", "libcblas.so.3", "libmkl_rt.so"}

// systemLibDirs are the directories searched for systemBLAS.
var systemLibDirs = []string{"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib"}

// FindBLAS returns the path of a CBLAS library for tg_rt_init, for Go
// callers and Go tests (Python callers use theanogo._blas.blas_library,
// which asks the installed scipy_openblas32 package). In order:
//
//  1. $THEANOGO_BLAS when set ("none" returns "": the portable loops);
//  2. the scipy-openblas32 wheel in the repository's virtual environment:
//     <repo>/.venv/lib/python3*/site-packages/scipy_openblas32/lib/
//     libscipy_openblas*.so, where <repo> is the nearest directory above
//     the working directory holding go.mod;
//  3. a system OpenBLAS, BLIS, CBLAS or MKL (systemBLAS in systemLibDirs).
//
// It returns "" when it finds none.
func FindBLAS() string {
	if v, ok := os.LookupEnv(BLASEnv); ok {
		if v == "none" {
			return ""
		}
		return v
	}
	if root := repoRoot(); root != "" {
		pattern := filepath.Join(root, ".venv", "lib", "python3*", "site-packages", "scipy_openblas32", "lib", "libscipy_openblas*.so")
		if matches, _ := filepath.Glob(pattern); len(matches) > 0 {
			sort.Strings(matches)
			return matches[len(matches)-1]
		}
	}
	for _, dir := range systemLibDirs {
		for _, name := range systemBLAS {
			p := filepath.Join(dir, name)
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	return ""
}

// RepoRoot is the nearest directory at or above the working directory
// that holds go.mod, or "": where Go tests find the repository's .venv
// (OpenBLAS here, NVRTC in cuda/).
func RepoRoot() string { return repoRoot() }

// repoRoot is the nearest directory at or above the working directory that
// holds go.mod, or "".
func repoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
