package driver_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"theanogo/codegen/driver"
	"theanogo/codegen/driver/drivertest"
)

// modules compiles n distinct small modules into cfg's cache and returns
// their paths.
func modules(t *testing.T, cfg driver.Config, n int, tag string) []string {
	t.Helper()
	var paths []string
	for i := 0; i < n; i++ {
		so, err := cfg.Compile(fmt.Sprintf("%s\n// %s %d\n", drivertest.AddOneSource, tag, i), drivertest.AddOneName)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, so)
	}
	return paths
}

// entryBytes is the size of the files of so's entry directory.
func entryBytes(t *testing.T, so string) int64 {
	t.Helper()
	files, err := os.ReadDir(filepath.Dir(so))
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, f := range files {
		fi, err := f.Info()
		if err != nil {
			t.Fatal(err)
		}
		n += fi.Size()
	}
	return n
}

// cacheBytes is the size of every file under the cache but tmp/.
func cacheBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	for _, sub := range []string{"lib", "include", "pch", "failed"} {
		filepath.Walk(filepath.Join(dir, sub), func(_ string, fi os.FileInfo, err error) error {
			if err == nil && fi.Mode().IsRegular() {
				n += fi.Size()
			}
			return nil
		})
	}
	return n
}

// age sets the last use of so's entry to d ago.
func age(t *testing.T, so string, d time.Duration) {
	t.Helper()
	when := time.Now().Add(-d)
	if err := os.Chtimes(filepath.Dir(so), when, when); err != nil {
		t.Fatal(err)
	}
}

// Eviction removes the least recently used entries first: loading an
// entry (a cache hit) makes it the most recent.
func TestEvictionOrder(t *testing.T) {
	cfg, runs := counting(t, drivertest.Config(t))
	so := modules(t, cfg, 4, t.Name())
	for i, p := range so {
		age(t, p, time.Duration(10-i)*time.Hour) // so[0] oldest
	}
	// A hit on the oldest makes it the newest.
	if again, err := cfg.Compile(fmt.Sprintf("%s\n// %s %d\n", drivertest.AddOneSource, t.Name(), 0), drivertest.AddOneName); err != nil || again != so[0] {
		t.Fatalf("hit: %s %v", again, err)
	}
	_, total := cfg.Evict() // no limit: only measures
	if total != cacheBytes(t, cfg.CacheDir) {
		t.Errorf("Evict counts %d bytes, the cache holds %d", total, cacheBytes(t, cfg.CacheDir))
	}
	// Room for all but two entries: so[1] and so[2], the least recent, go.
	cfg.MaxBytes = total - entryBytes(t, so[1]) - entryBytes(t, so[2])
	removed, left := cfg.Evict()
	if removed != 2 || left > cfg.MaxBytes {
		t.Errorf("Evict removed %d entries, left %d bytes (limit %d)", removed, left, cfg.MaxBytes)
	}
	for i, want := range []bool{true, false, false, true} {
		if _, err := os.Stat(so[i]); (err == nil) != want {
			t.Errorf("module %d: present %v, want %v", i, err == nil, want)
		}
	}
	// An evicted module is compiled again on its next use.
	cfg.MaxBytes = 0
	before := runs()
	if again := modules(t, cfg, 3, t.Name()); again[1] != so[1] || runs()-before != 2 {
		t.Errorf("after eviction: %v, %d compiler runs (want 2: modules 1 and 2)", again, runs()-before)
	}
}

// With a limit, the cache never holds more than the limit after a compile
// (each new entry evicts older ones), and the new entry is always there.
func TestEvictionLimitRespected(t *testing.T) {
	cfg := drivertest.Config(t)
	first := modules(t, cfg, 1, t.Name()+"first")[0]
	one := entryBytes(t, first)
	cfg.MaxBytes = cacheBytes(t, cfg.CacheDir) + 2*one + one/2 // the fixed part, the first and two more
	cfg.EvictEvery = 0
	var kept int
	for i := 0; i < 6; i++ {
		so := modules(t, cfg, 1, fmt.Sprintf("%s %d", t.Name(), i))[0]
		age(t, so, time.Duration(10-i)*time.Minute) // distinct ages, in compile order
		if got := cacheBytes(t, cfg.CacheDir); got > cfg.MaxBytes {
			t.Errorf("after module %d the cache holds %d bytes, over the limit %d", i, got, cfg.MaxBytes)
		}
		if _, err := os.Stat(so); err != nil {
			t.Errorf("module %d was evicted as it was built: %v", i, err)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(cfg.CacheDir, "lib"))
	kept = len(entries)
	if kept != 3 {
		t.Errorf("%d entries left, want 3", kept)
	}
	// A throttled cache evicts at most once per EvictEvery.
	cfg.EvictEvery = time.Hour
	modules(t, cfg, 2, t.Name()+"throttled") // the stamp is fresh: no eviction
	if got := cacheBytes(t, cfg.CacheDir); got <= cfg.MaxBytes {
		t.Errorf("EvictEvery=1h: the cache was evicted again (%d bytes, limit %d)", got, cfg.MaxBytes)
	}
}

// An entry held by a lease (a process loading it) survives eviction, even
// when it is the least recently used; once released it may go.
func TestLeasedEntrySurvivesEviction(t *testing.T) {
	cfg := drivertest.Config(t)
	src := fmt.Sprintf("%s\n// %s\n", drivertest.AddOneSource, t.Name())
	lease, err := cfg.CompileLease([]string{src}, drivertest.AddOneName)
	if err != nil {
		t.Fatal(err)
	}
	others := modules(t, cfg, 2, t.Name())
	age(t, lease.Path, 5*time.Hour)
	cfg.MaxBytes = 1 // evict everything that can go
	removed, _ := cfg.Evict()
	if removed != 2 {
		t.Errorf("removed %d entries, want the 2 unleased ones", removed)
	}
	for _, so := range others {
		if _, err := os.Stat(so); err == nil {
			t.Errorf("%s survived", so)
		}
	}
	if _, err := os.Stat(lease.Path); err != nil {
		t.Fatalf("the leased entry was evicted: %v", err)
	}
	// Another process's lease holds the entry too: the test binary runs
	// itself, and its child leases the entry until it is told to stop.
	lease.Release()
	child := leaseInChild(t, cfg, src)
	if removed, _ := cfg.Evict(); removed != 0 {
		t.Errorf("evicted %d entries while a child process leased the only one", removed)
	}
	child()
	if removed, _ := cfg.Evict(); removed != 1 {
		t.Errorf("after the child released it: removed %d entries, want 1", removed)
	}
}

// leaseInChild runs TestChildLease over cfg's cache for src: the child
// leases the entry and holds it until the returned function stops it.
func leaseInChild(t *testing.T, cfg driver.Config, src string) func() {
	t.Helper()
	dir := t.TempDir()
	ready, stop := filepath.Join(dir, "ready"), filepath.Join(dir, "stop")
	cmd := childCommand("^TestChildLease$", "THEANOGO_DRIVER_CHILD="+cfg.CacheDir, "THEANOGO_DRIVER_SOURCE="+src,
		"THEANOGO_CXX="+cfg.CXX, "THEANOGO_LEASE_READY="+ready, "THEANOGO_LEASE_STOP="+stop)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the child never leased the entry")
		}
	}
	return func() {
		os.WriteFile(stop, nil, 0o600)
		if err := cmd.Wait(); err != nil {
			t.Errorf("child: %v", err)
		}
	}
}

// childCommand runs the test binary's tests matching run with env added.
func childCommand(run string, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run="+run, "-test.v")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd
}

// TestChildLease is leaseInChild's child.
func TestChildLease(t *testing.T) {
	dir, ready := os.Getenv("THEANOGO_DRIVER_CHILD"), os.Getenv("THEANOGO_LEASE_READY")
	if dir == "" || ready == "" {
		t.Skip("run by TestLeasedEntrySurvivesEviction")
	}
	cfg := drivertest.Config(t)
	cfg.CacheDir = dir
	lease, err := cfg.CompileLease([]string{os.Getenv("THEANOGO_DRIVER_SOURCE")}, drivertest.AddOneName)
	if err != nil {
		t.Fatal(err)
	}
	defer lease.Release()
	os.WriteFile(ready, nil, 0o600)
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(os.Getenv("THEANOGO_LEASE_STOP")); err == nil {
			return
		}
	}
}

// A corrupt entry is rebuilt under a lease too, and the lease is on the
// rebuilt module, never on the damaged one.
func TestCorruptEntryRebuiltUnderLease(t *testing.T) {
	cfg, runs := counting(t, drivertest.Config(t))
	src := []string{fmt.Sprintf("%s\n// %s\n", drivertest.AddOneSource, t.Name())}
	lease, err := cfg.CompileLease(src, drivertest.AddOneName)
	if err != nil {
		t.Fatal(err)
	}
	lease.Release()
	good, _ := os.ReadFile(lease.Path)
	bad := append([]byte{}, good...)
	bad[len(bad)/3] ^= 0xff
	if err := os.WriteFile(lease.Path, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	again, err := cfg.CompileLease(src, drivertest.AddOneName)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Release()
	got, _ := os.ReadFile(again.Path)
	if runs() != 2 || len(got) != len(good) || string(got) == string(bad) {
		t.Errorf("%d compiler runs (want 2), %d bytes (want %d), still the damaged one: %v", runs(), len(got), len(good), string(got) == string(bad))
	}
}
