package main

/*
#include <stdint.h>
*/
import "C"

import (
	"bytes"
	"os"
	"strings"
	"unsafe"
)

// tg_sync_environ makes Go's environment the caller's: block holds n bytes
// of "NAME=value" entries, each ended by a NUL (Python's os.environ when
// the library loads). In c-shared mode Go copies the environment the
// process started with, so a variable a program sets in os.environ before
// `import theanogo` (THEANOGO_CACHE_DIR, THEANOGO_FLAGS, PATH for the
// compiler ...) would otherwise never reach os.Getenv: every variable of
// block that Go sees with another value is set, and every variable Go has
// that block lacks is unset (os.Setenv and os.Unsetenv, which change the C
// environment too, so compiler processes inherit the same).
//
//export tg_sync_environ
func tg_sync_environ(block *C.char, n C.int64_t, errOut **C.char) {
	guard(errOut, func() error {
		var raw []byte
		if n > 0 {
			raw = C.GoBytes(unsafe.Pointer(block), C.int(n))
		}
		syncEnviron(raw)
		return nil
	})
}

// syncEnviron applies tg_sync_environ's block to Go's environment.
func syncEnviron(raw []byte) {
	want := map[string]string{}
	for _, kv := range bytes.Split(raw, []byte{0}) {
		k, v, ok := strings.Cut(string(kv), "=")
		if ok && k != "" {
			want[k] = v
		}
	}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, keep := want[k]; !keep && k != "" {
			os.Unsetenv(k)
		}
	}
	for k, v := range want {
		if cur, ok := os.LookupEnv(k); !ok || cur != v {
			os.Setenv(k, v)
		}
	}
}
