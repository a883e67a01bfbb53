package driver_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"theanogo/codegen/driver/drivertest"
)

// TestSeed: an empty cache with a seed (built at install) gets the runtime
// library and the precompiled header by copy, with no compiler run; a seed
// entry damaged by hand is not copied, the cache builds its own.
func TestSeed(t *testing.T) {
	seedCfg, seedRuns := counting(t, drivertest.Config(t))
	seedSo, err := seedCfg.RuntimeLibrary()
	if err != nil {
		t.Fatal(err)
	}
	if seedRuns() != 2 {
		t.Fatalf("building the seed: %d compiler runs, want 2 (library and header)", seedRuns())
	}
	cfg := seedCfg
	cfg.CacheDir = t.TempDir()
	cfg.Seed = seedCfg.CacheDir
	so, err := cfg.RuntimeLibrary()
	if err != nil {
		t.Fatal(err)
	}
	if seedRuns() != 2 || !strings.HasPrefix(so, cfg.CacheDir) {
		t.Fatalf("runtime library from the seed: %s, %d compiler runs (want none more)", so, seedRuns()-2)
	}
	want, _ := os.ReadFile(seedSo)
	got, _ := os.ReadFile(so)
	if string(want) != string(got) {
		t.Fatalf("the copied runtime library differs from the seed's")
	}
	if gchs, _ := filepath.Glob(filepath.Join(cfg.CacheDir, "pch", "*", "tg_pch.h.gch")); len(gchs) != 1 {
		t.Fatalf("precompiled header not copied from the seed: %v", gchs)
	}
	// A damaged seed: one byte of its library changed.
	data, _ := os.ReadFile(seedSo)
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(seedSo, data, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg.CacheDir = t.TempDir()
	so, err = cfg.RuntimeLibrary()
	if err != nil {
		t.Fatal(err)
	}
	if seedRuns() != 3 {
		t.Fatalf("a damaged seed library must be rebuilt, not copied: %d compiler runs, want 1 more", seedRuns()-2)
	}
	if got, _ := os.ReadFile(so); string(got) == string(data) {
		t.Fatalf("the damaged seed library was copied")
	}
}
