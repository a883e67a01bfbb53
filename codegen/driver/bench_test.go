package driver_test

import (
	"fmt"
	"testing"

	"theanogo/codegen/driver/drivertest"
)

// BenchmarkCompileWarm is a cache hit: key, stat, checksum of the .so.
func BenchmarkCompileWarm(b *testing.B) {
	cfg := drivertest.Config(b)
	if _, err := cfg.Compile(drivertest.AddOneSource, drivertest.AddOneName); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := cfg.Compile(drivertest.AddOneSource, drivertest.AddOneName); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompileCold compiles a new kernel (including tg_scalar.h) each
// time, with and without the precompiled header.
func BenchmarkCompileCold(b *testing.B) {
	for _, pch := range []bool{false, true} {
		b.Run(fmt.Sprintf("pch=%v", pch), func(b *testing.B) {
			cfg := drivertest.Config(b)
			cfg.NoPCH = !pch
			if _, err := cfg.RuntimeLibrary(); err != nil {
				b.Fatal(err)
			}
			i := 0
			for b.Loop() {
				i++
				if _, err := cfg.Compile(fmt.Sprintf("%s// %d\n", drivertest.AddOneSource, i), drivertest.AddOneName); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
