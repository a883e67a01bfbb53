package runtime

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRuntimeC compiles the runtime's C sources with testdata/rt_test.c
// (pool, state, BLAS entry points against naive references) and runs it
// twice: with the portable loops and, when FindBLAS finds one, with the
// CBLAS library. Each "ok"/"FAIL" line of the program is a subtest.
func TestRuntimeC(t *testing.T) {
	bin := buildRTTest(t, false)
	configs := []struct{ name, blas string }{{"portable", ""}}
	if lib := FindBLAS(); lib != "" {
		configs = append(configs, struct{ name, blas string }{"cblas", lib})
	} else {
		t.Log("no CBLAS library found (FindBLAS): testing the portable loops only")
	}
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) { runRTTest(t, bin, c.blas) })
	}
}

// TestRuntimeCSanitized runs the same tests under AddressSanitizer and
// UndefinedBehaviorSanitizer (skipped with -short).
func TestRuntimeCSanitized(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := buildRTTest(t, true)
	runRTTest(t, bin, "")
}

func buildRTTest(t *testing.T, sanitize bool) string {
	t.Helper()
	cc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("no gcc on PATH: the runtime's C code is not tested")
	}
	dir, _ := filepath.Abs(".")
	args := []string{"-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-I", dir}
	if sanitize {
		args = []string{"-std=c11", "-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=undefined", "-Wall", "-Wextra", "-Werror", "-I", dir}
	}
	for _, name := range CSources() {
		args = append(args, filepath.Join(dir, name))
	}
	bin := filepath.Join(t.TempDir(), "rt_test")
	args = append(args, filepath.Join(dir, "testdata", "rt_test.c"), "-o", bin, "-lpthread", "-ldl", "-lm")
	if out, err := exec.Command(cc, args...).CombinedOutput(); err != nil {
		t.Fatalf("gcc failed: %v\n%s", err, out)
	}
	return bin
}

func runRTTest(t *testing.T, bin, blas string) {
	t.Helper()
	cmd := exec.Command(bin, blas, "2")
	cmd.Env = append(os.Environ(), "OPENBLAS_NUM_THREADS=2")
	out, err := cmd.CombinedOutput()
	passed := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "ok "):
			passed++
		case strings.HasPrefix(line, "FAIL "):
			t.Error(line)
		case strings.HasPrefix(line, "info "):
			t.Log(line)
		}
	}
	if err != nil {
		t.Fatalf("rt_test %q: %v\n%s", blas, err, out)
	}
	if passed < 8 {
		t.Fatalf("only %d tests passed:\n%s", passed, out)
	}
}
