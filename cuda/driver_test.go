package cuda_test

import (
	"encoding/binary"
	"errors"
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"theanogo/cuda"
)

// fakeDriver builds testdata/fakecuda.c (a host stand-in for libcuda) with
// the C compiler and points cuda.DriverEnv at it.
func fakeDriver(t *testing.T, flags ...string) {
	t.Helper()
	lib := filepath.Join(t.TempDir(), "libfakecuda.so")
	args := append([]string{"-shared", "-fPIC", "-O1", "-o", lib, filepath.Join("testdata", "fakecuda.c")}, flags...)
	if out, err := exec.Command("cc", args...).CombinedOutput(); err != nil {
		t.Fatalf("cc: %v\n%s", err, out)
	}
	t.Setenv(cuda.DriverEnv, lib)
}

// Device's plumbing against the fake driver: the attributes, memory
// round trips, and a launch whose parameters (pointers and tg_dims by
// value) and grid reach the kernel (the fake computes in*1000 + grid*10 +
// block).
func TestDriverPlumbing(t *testing.T) {
	fakeDriver(t)
	d, err := cuda.OpenDevice()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Arch() != "sm_90" || d.SMs != 132 {
		t.Errorf("arch %s, %d SMs", d.Arch(), d.SMs)
	}
	in := []float64{1, 2, 3}
	var raw []byte
	for _, v := range in {
		raw = binary.LittleEndian.AppendUint64(raw, math.Float64bits(v))
	}
	a, err := d.Alloc(len(raw))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := d.Alloc(len(raw))
	if err := d.CopyIn(a, raw); err != nil {
		t.Fatal(err)
	}
	m, err := d.Load([]byte("any image"))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Launch("k", 3, 4, cuda.Ptr(a), cuda.Dims([]int{3}, []int{1}), cuda.Ptr(b), cuda.Dims([]int{3}, []int{1})); err != nil {
		t.Fatal(err)
	}
	out := make([]byte, len(raw))
	if err := d.CopyOut(out, b); err != nil {
		t.Fatal(err)
	}
	for i, v := range in {
		if got := math.Float64frombits(binary.LittleEndian.Uint64(out[8*i:])); got != v*1000+34 {
			t.Errorf("out[%d] = %v, want %v", i, got, v*1000+34)
		}
	}
	if err := d.CopyIn(a, make([]byte, 100)); err == nil {
		t.Error("copying 100 bytes into 24: no error")
	}
	d.Free(a)
	d.Free(b)
	if err := m.Unload(); err != nil {
		t.Error(err)
	}
}

// No library, or a driver without a device, is cuda.ErrNoDriver: the GPU
// test's only reason to skip.
func TestDriverAbsent(t *testing.T) {
	t.Setenv(cuda.DriverEnv, filepath.Join(t.TempDir(), "libcuda.so.1"))
	if _, err := cuda.OpenDevice(); !errors.Is(err, cuda.ErrNoDriver) {
		t.Errorf("no library: %v", err)
	}
	fakeDriver(t, "-DFAKE_NO_DEVICE")
	if _, err := cuda.OpenDevice(); !errors.Is(err, cuda.ErrNoDriver) || !strings.Contains(err.Error(), "CUDA_ERROR_NO_DEVICE") {
		t.Errorf("no device: %v", err)
	}
}
