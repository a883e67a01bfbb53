package driver_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"theanogo/codegen/driver"
	"theanogo/codegen/driver/drivertest"
)

// counting returns cfg with its compiler wrapped in a script that counts
// its runs (the returned function reads the count).
func counting(t *testing.T, cfg driver.Config) (driver.Config, func() int) {
	t.Helper()
	dir := t.TempDir()
	log := filepath.Join(dir, "runs")
	script := filepath.Join(dir, "cxx")
	body := fmt.Sprintf("#!/bin/sh\ncase \"$1\" in --version) ;; *) echo run >> %q ;; esac\nexec %q \"$@\"\n", log, cfg.CXX)
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg.CXX = script
	return cfg, func() int {
		data, _ := os.ReadFile(log)
		return strings.Count(string(data), "run")
	}
}

func TestDefault(t *testing.T) {
	t.Setenv("THEANOGO_CXX", "")
	t.Setenv("THEANOGO_CACHE_DIR", "")
	t.Setenv("XDG_CACHE_HOME", "/xdg")
	c, err := driver.Default()
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(c.CXX) || c.CacheDir != "/xdg/theanogo" || c.Threads < 1 || c.Runtime == nil {
		t.Errorf("Default() = %+v", c)
	}
	t.Setenv("THEANOGO_CACHE_DIR", "/elsewhere/tg")
	if c, _ := driver.Default(); c.CacheDir != "/elsewhere/tg" {
		t.Errorf("THEANOGO_CACHE_DIR: cache %s", c.CacheDir)
	}
	t.Setenv("THEANOGO_CXX", "/nonexistent/g++")
	if _, err := driver.Default(); err == nil || !strings.Contains(err.Error(), "no C++ compiler found") {
		t.Errorf("THEANOGO_CXX missing: got %v", err)
	}
}

func TestMissingCompiler(t *testing.T) {
	cfg := drivertest.Config(t)
	cfg.CXX = "/nonexistent/g++"
	if _, err := cfg.Compile(drivertest.AddOneSource, drivertest.AddOneName); err == nil || !strings.Contains(err.Error(), "no C++ compiler found") {
		t.Errorf("Compile: got %v", err)
	}
	if _, err := cfg.RuntimeLibrary(); err == nil || !strings.Contains(err.Error(), "no C++ compiler found") {
		t.Errorf("RuntimeLibrary: got %v", err)
	}
}

func TestCompileIsCached(t *testing.T) {
	cfg, runs := counting(t, drivertest.Config(t))
	so, err := cfg.Compile(drivertest.AddOneSource, drivertest.AddOneName)
	if err != nil {
		t.Fatal(err)
	}
	again, err := cfg.Compile(drivertest.AddOneSource, drivertest.AddOneName)
	if err != nil {
		t.Fatal(err)
	}
	if so != again || runs() != 1 {
		t.Errorf("second compile: %s (first %s), %d compiler runs", again, so, runs())
	}
	other, err := cfg.Compile(drivertest.AddOneSource+"\n// another\n", drivertest.AddOneName)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Flags = append(cfg.Flags, "-DSOMETHING")
	flagged, err := cfg.Compile(drivertest.AddOneSource, drivertest.AddOneName)
	if err != nil {
		t.Fatal(err)
	}
	if other == so || flagged == so || flagged == other || runs() != 3 {
		t.Errorf("another source or flag must compile anew: %s %s %s, %d runs", so, other, flagged, runs())
	}
	rt, err := cfg.RuntimeLibrary()
	if err != nil {
		t.Fatal(err)
	}
	if rt2, err := cfg.RuntimeLibrary(); err != nil || rt2 != rt || runs() != 4 {
		t.Errorf("runtime library rebuilt: %s %s %v, %d runs", rt, rt2, err, runs())
	}
}

// A cache entry damaged by hand (truncated, one byte changed, its checksum
// gone) is rebuilt, never returned as is.
func TestCorruptEntryIsRebuilt(t *testing.T) {
	cfg, runs := counting(t, drivertest.Config(t))
	so, err := cfg.Compile(drivertest.AddOneSource, drivertest.AddOneName)
	if err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(so)
	if err != nil {
		t.Fatal(err)
	}
	damage := map[string]func() error{
		"truncated": func() error { return os.Truncate(so, int64(len(good)/2)) },
		"byte changed": func() error {
			bad := append([]byte{}, good...)
			bad[len(bad)/2] ^= 0xff
			return os.WriteFile(so, bad, 0o600)
		},
		"checksum gone": func() error { return os.Remove(so + ".sha256") },
		"entry gone":    func() error { return os.RemoveAll(filepath.Dir(so)) },
	}
	want := 1
	for name, f := range damage {
		if err := f(); err != nil {
			t.Fatal(err)
		}
		again, err := cfg.Compile(drivertest.AddOneSource, drivertest.AddOneName)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want++
		got, _ := os.ReadFile(again)
		if runs() != want || len(got) != len(good) {
			t.Errorf("%s: %d compiler runs (want %d), %d bytes (want %d)", name, runs(), want, len(got), len(good))
		}
	}
	// Damaged headers are written again.
	inc := filepath.Join(cfg.CacheDir, "include")
	entries, _ := os.ReadDir(inc)
	if len(entries) != 1 {
		t.Fatalf("include dirs: %v", entries)
	}
	hdr := filepath.Join(inc, entries[0].Name(), "tg_rt.h")
	if err := os.WriteFile(hdr, []byte("#error damaged\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Compile(drivertest.AddOneSource+"// new\n", drivertest.AddOneName); err != nil {
		t.Errorf("damaged header: %v", err)
	}
}

func TestCachePermissions(t *testing.T) {
	cfg := drivertest.Config(t)
	if err := os.MkdirAll(cfg.CacheDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(cfg.CacheDir, 0o777); err != nil {
		t.Fatal(err)
	}
	so, err := cfg.Compile(drivertest.AddOneSource, drivertest.AddOneName)
	if err != nil {
		t.Fatal(err)
	}
	for dir := filepath.Dir(so); ; dir = filepath.Dir(dir) {
		fi, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o700 {
			t.Errorf("%s has mode %v, want 0700", dir, fi.Mode().Perm())
		}
		if dir == cfg.CacheDir {
			break
		}
	}
	if fi, _ := os.Stat(so); fi.Mode().Perm()&0o022 != 0 {
		t.Errorf("%s is writable by others: %v", so, fi.Mode().Perm())
	}
}

// A cache directory, or an entry, owned by someone else is never used.
func TestForeignOwner(t *testing.T) {
	cfg, runs := counting(t, drivertest.Config(t))
	so, err := cfg.Compile(drivertest.AddOneSource, drivertest.AddOneName)
	if err != nil {
		t.Fatal(err)
	}
	foreign := os.Getuid() + 1
	// The entry's file belongs to another user: rebuilt, not returned.
	driver.SetOwner(&cfg, func(fi fs.FileInfo) (int, bool) {
		if strings.HasSuffix(fi.Name(), ".so") {
			return foreign, true
		}
		return os.Getuid(), true
	})
	if _, err := cfg.Compile(drivertest.AddOneSource, drivertest.AddOneName); err != nil || runs() != 2 {
		t.Errorf("a foreign entry: %v, %d compiler runs (want 2)", err, runs())
	}
	// The cache directory belongs to another user: refused.
	driver.SetOwner(&cfg, func(fs.FileInfo) (int, bool) { return foreign, true })
	_, err = cfg.Compile(drivertest.AddOneSource, drivertest.AddOneName)
	if err == nil || !strings.Contains(err.Error(), "not to you") {
		t.Errorf("a foreign cache directory: got %v", err)
	}
	_ = so
}

func TestCompileError(t *testing.T) {
	cfg := drivertest.Config(t)
	src := "#include \"tg_rt.h\"\nextern \"C\" int tg_fn_bad(tg_args *a) { return undefined_thing; }\n"
	_, err := cfg.Compile(src, "tg_fn_bad")
	var ce *driver.CompileError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want a *CompileError", err)
	}
	if !strings.Contains(ce.Output, "undefined_thing") || !strings.Contains(err.Error(), ce.SourcePath) {
		t.Errorf("the error lacks the compiler's message or the kept source: %v", err)
	}
	if kept, _ := os.ReadFile(ce.SourcePath); string(kept) != src {
		t.Errorf("kept source %s holds %q", ce.SourcePath, kept)
	}
	for _, name := range []string{"", "../x", "a/b", "x y", "tg.fn"} {
		if _, err := cfg.Compile(src, name); err == nil {
			t.Errorf("module name %q: no error", name)
		}
	}
}

// Several processes compiling the same source at the same time into one
// cache all succeed with the same entry (the test binary runs itself).
func TestConcurrentProcesses(t *testing.T) {
	if os.Getenv("THEANOGO_DRIVER_CHILD") != "" {
		t.Skip("child")
	}
	cfg, runs := counting(t, drivertest.Config(t))
	src := drivertest.AddOneSource + fmt.Sprintf("\n// %s\n", t.Name())
	const n = 3
	cmds := make([]*exec.Cmd, n)
	outs := make([]strings.Builder, n)
	for i := range cmds {
		cmds[i] = exec.Command(os.Args[0], "-test.run=^TestChildCompile$", "-test.v")
		cmds[i].Env = append(os.Environ(), "THEANOGO_DRIVER_CHILD="+cfg.CacheDir, "THEANOGO_DRIVER_SOURCE="+src, "THEANOGO_CXX="+cfg.CXX)
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	var paths []string
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("child %d: %v\n%s", i, err, outs[i].String())
		}
		_, rest, ok := strings.Cut(outs[i].String(), "so=")
		if !ok {
			t.Fatalf("child %d printed no path:\n%s", i, outs[i].String())
		}
		paths = append(paths, strings.Fields(rest)[0])
	}
	for _, p := range paths[1:] {
		if p != paths[0] {
			t.Errorf("children got different entries: %v", paths)
		}
	}
	before := runs()
	t.Logf("%d children, %d compiler runs", n, before)
	if so, err := cfg.Compile(src, drivertest.AddOneName); err != nil || so != paths[0] || runs() != before {
		t.Errorf("after the children: %s %v, %d compiler runs (the children ran it %d times)", so, err, runs(), before)
	}
}

// TestChildCompile is TestConcurrentProcesses's child: it compiles and
// prints the path.
func TestChildCompile(t *testing.T) {
	dir := os.Getenv("THEANOGO_DRIVER_CHILD")
	if dir == "" {
		t.Skip("run by TestConcurrentProcesses")
	}
	cfg := drivertest.Config(t)
	cfg.CacheDir = dir
	so, err := cfg.Compile(os.Getenv("THEANOGO_DRIVER_SOURCE"), drivertest.AddOneName)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("so=%s\n", so)
}
